"""`notifier calendar`, `notifier accounts`, `notifier inventory`: the facts notices come from."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from notifier import bootstrap
from notifier.cli.common import AsOf, Json, as_of_day, globals_of, print_json, progress_bar
from notifier.parsing.calendar import calendar_warnings
from notifier.service import imports
from notifier.service.queries import calendar_rows

calendar_app = typer.Typer(invoke_without_command=True)
accounts_app = typer.Typer(help="Import accounts and their contacts.", no_args_is_help=True)
inventory_app = typer.Typer(help="Import function inventory snapshots.", no_args_is_help=True)


@calendar_app.callback()
def show_calendar(ctx: typer.Context, as_of: AsOf = None, as_json: Json = False) -> None:
    """List every runtime with its three dates and its phase on a day.

    Example: notifier calendar --as-of 2027-02-01 --json
    """
    if ctx.invoked_subcommand is not None:
        return
    settings = globals_of(ctx).settings()
    cal = bootstrap.calendar(settings)
    day = as_of_day(as_of, settings)
    rows = calendar_rows(cal, bootstrap.plan_inputs(settings, cal, day))
    if as_json:
        print_json({"as_of": day.isoformat(), "runtimes": rows})
        return
    typer.echo(
        f"{'runtime':<16} {'deprecation':<11} {'block create':<12} {'block update':<12} "
        f"{'phase on ' + day.isoformat():<22} successor"
    )
    for r in rows:
        typer.echo(
            f"{r['identifier']:<16} {r['deprecation'] or '-':<11} {r['block_create'] or '-':<12} "
            f"{r['block_update'] or '-':<12} {r['phase']:<22} {r['successor'] or '-'}"
        )


@calendar_app.command("check")
def check_calendar(ctx: typer.Context, as_json: Json = False) -> None:
    """Load the calendar, fail on errors, and list warnings such as out-of-order dates.

    Example: NOTIFIER_CALENDAR=my-calendar.csv notifier calendar check
    """
    settings = globals_of(ctx).settings()
    cal = bootstrap.calendar(settings)
    warnings = calendar_warnings(cal)
    if as_json:
        print_json({"calendar": str(settings.calendar), "runtimes": len(cal), "warnings": warnings})
        return
    typer.echo(f"{settings.calendar}: {len(cal)} runtimes, {len(warnings)} warnings")
    for warning in warnings:
        typer.echo(f"warning: {warning}")


@accounts_app.command("import")
def import_accounts(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV: account_id,name,primary_email,operations_email,security_email,billing_email"
        ),
    ],
    check_deliverability: Annotated[
        bool,
        typer.Option(
            "--check-deliverability",
            help="Also check that each address's domain accepts mail (DNS).",
        ),
    ] = False,
    as_json: Json = False,
) -> None:
    """Import or update accounts and their contacts from a CSV file.

    Example: notifier accounts import data/accounts.csv
    """
    g = globals_of(ctx)
    settings = g.settings()
    with bootstrap.store(settings) as st, progress_bar(g, "importing accounts"):
        summary = imports.import_accounts(
            st.accounts, file, check_deliverability, at=bootstrap.utc_now()
        )
    for warning in summary.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if as_json:
        print_json(asdict(summary))
        return
    typer.echo(
        f"{file}: {summary.read} accounts read, {summary.inserted} new, {summary.updated} updated"
    )


@inventory_app.command("import")
def import_inventory(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="CSV files, `aws lambda list-functions` JSON files, or folders of them."
        ),
    ],
    as_json: Json = False,
) -> None:
    """Replace each listed account's function list with the snapshot in the given files.

    Example: notifier inventory import data/inventory
    """
    g = globals_of(ctx)
    settings = g.settings()
    cal = bootstrap.calendar(settings)
    with bootstrap.store(settings) as st, progress_bar(g, "importing inventory"):
        summary = imports.import_inventory(st.inventory, paths, cal)
    if as_json:
        print_json(asdict(summary))
        return
    typer.echo(
        f"{summary.functions} functions in {summary.accounts} accounts: "
        f"{summary.in_scope} in scope, "
        f"{summary.container_images} container images, {summary.no_runtime} without a runtime, "
        f"{summary.unknown_runtime} on an unknown runtime (no notices for those)"
    )
