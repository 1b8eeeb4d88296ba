"""`notifier resend --failed`: failed deliveries made pending again, then delivered."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from notifier.cli.common import Accounts, Json, globals_of, parse_day, print_json, progress_bar
from notifier.cli.notices import print_summary


def register(app: typer.Typer) -> None:
    app.command("resend")(resend)


def resend(
    ctx: typer.Context,
    failed: Annotated[
        bool, typer.Option("--failed", help="Resend the failed deliveries (required).")
    ] = False,
    account: Accounts = None,
    since: Annotated[
        date | None,
        typer.Option(
            "--since",
            parser=parse_day,
            metavar="YYYY-MM-DD",
            help="Only notices recorded on or after this day (the day `history` shows).",
        ),
    ] = None,
    channel: Annotated[
        str | None, typer.Option("--channel", help="Only this channel's deliveries (smtp, ...).")
    ] = None,
    as_json: Json = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="Wait for a run in progress instead of refusing.")
    ] = False,
) -> None:
    """Make failed deliveries (permanent ones included) pending again and deliver them now.

    They are sent by a run for today, as `notifier run` does (lock, claims, summary, exit
    code), each with the Message-ID it was first sent with.

    Example: notifier resend --failed --account 111122223333 --since 2027-01-01
    """
    if not failed:
        raise typer.BadParameter("say which deliveries to resend: --failed", param_hint="--failed")
    g = globals_of(ctx)
    with progress_bar(g, "notices") as bar:
        found = g.notifier().resend_failed(account, since, channel, wait=wait, progress=bar)
    if as_json:
        print_json(found.to_json())
    else:
        typer.echo(f"{found.requeued} failed deliveries made pending again")
        print_summary(found.run)
    if found.run.halted:
        typer.echo(f"error: {found.run.halted}", err=True)
    raise typer.Exit(found.exit_code)
