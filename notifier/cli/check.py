"""`notifier check`: try each configured channel once, before the first message."""

from __future__ import annotations

import typer

from notifier.cli.common import Json, globals_of, print_json


def register(app: typer.Typer) -> None:
    app.command("check")(check)


def check(ctx: typer.Context, as_json: Json = False) -> None:
    """Try each configured channel once (send nothing); `run` makes the same check first.

    SMTP: connection, TLS, certificate, login. SES: account, sandbox, quota, sender.

    EventBridge: the event bus. Outbox: the folder can be written.

    A bad set-up prints one line naming the setting to fix, exit code 2.

    Example: notifier check
    """
    found = globals_of(ctx).notifier().check()
    if as_json:
        print_json(found.to_json())
        return
    for line in found.lines():
        typer.echo(line)
