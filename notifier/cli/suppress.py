"""`notifier suppress`: addresses notices are never sent to (bounces, complaints, opt-outs)."""

from __future__ import annotations

from typing import Annotated

import typer

from notifier.api.inputs import checked_address
from notifier.cli.common import Json, globals_of, print_json, say

suppress_app = typer.Typer(
    help="Manage the suppression list: addresses never written to.", no_args_is_help=True
)
Address = Annotated[str, typer.Argument(help="An email address (compared case-insensitively).")]


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
    new = g.notifier().suppress_add(address, reason)
    shown = checked_address(address)
    say(g, f"{shown} {'suppressed' if new else 'was already suppressed; reason updated'}")


@suppress_app.command("remove")
def remove(ctx: typer.Context, address: Address) -> None:
    """Send notices to ADDRESS again. Exit code 1 when it was not suppressed.

    Example: notifier suppress remove ops@example.com
    """
    g = globals_of(ctx)
    shown = checked_address(address)
    if not g.notifier().suppress_remove(address):
        typer.echo(f"error: {shown} is not suppressed", err=True)
        raise typer.Exit(1)
    say(g, f"{shown} is no longer suppressed")


@suppress_app.command("list")
def list_(ctx: typer.Context, as_json: Json = False) -> None:
    """List the suppressed addresses, with the reason and when each was added.

    Example: notifier suppress list --json
    """
    found = globals_of(ctx).notifier().suppressions()
    if as_json:
        print_json(found.to_json())
        return
    for r in found.rows:
        typer.echo(f"{r.address}  {r.created_at:%Y-%m-%d}  {r.reason}")
    typer.echo(f"{len(found.rows)} suppressed")
