"""`notifier suppress`: addresses notices are never sent to (bounces, complaints, opt-outs)."""

from __future__ import annotations

from typing import Annotated

import typer
from email_validator import EmailNotValidError, validate_email

from notifier import bootstrap
from notifier.cli.common import Json, globals_of, print_json, say
from notifier.core.errors import InputError, Problem

suppress_app = typer.Typer(
    help="Manage the suppression list: addresses never written to.", no_args_is_help=True
)
Address = Annotated[str, typer.Argument(help="An email address (compared case-insensitively).")]


def _checked(address: str) -> str:
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InputError([Problem("ADDRESS", f"expected an email address: {exc}")]) from exc
    return address.strip().lower()


@suppress_app.command("add")
def add(
    ctx: typer.Context,
    address: Address,
    reason: Annotated[
        str, typer.Option("--reason", help="Why (bounce, complaint, ...).")
    ] = "manual",
) -> None:
    """Never send notices to ADDRESS again; a notice left with no recipient is undeliverable.

    Example: notifier suppress add ops@example.com --reason "hard bounce"
    """
    g = globals_of(ctx)
    checked = _checked(address)
    with bootstrap.store(g.settings()) as st:
        new = st.suppressions.add_suppression(checked, reason, bootstrap.utc_now())
    say(g, f"{checked} {'suppressed' if new else 'was already suppressed; reason updated'}")


@suppress_app.command("remove")
def remove(ctx: typer.Context, address: Address) -> None:
    """Send notices to ADDRESS again. Exit code 1 when it was not suppressed.

    Example: notifier suppress remove ops@example.com
    """
    g = globals_of(ctx)
    checked = _checked(address)
    with bootstrap.store(g.settings()) as st:
        removed = st.suppressions.remove_suppression(checked)
    if not removed:
        typer.echo(f"error: {checked} is not suppressed", err=True)
        raise typer.Exit(1)
    say(g, f"{checked} is no longer suppressed")


@suppress_app.command("list")
def list_(ctx: typer.Context, as_json: Json = False) -> None:
    """List the suppressed addresses, with the reason and when each was added.

    Example: notifier suppress list --json
    """
    with bootstrap.store_to_read(globals_of(ctx).settings()) as st:
        rows = st.suppressions.suppressions()
    if as_json:
        print_json(
            {
                "suppressed": [
                    {"address": r.address, "reason": r.reason, "since": r.created_at.isoformat()}
                    for r in rows
                ]
            }
        )
        return
    for r in rows:
        typer.echo(f"{r.address}  {r.created_at:%Y-%m-%d}  {r.reason}")
    typer.echo(f"{len(rows)} suppressed")
