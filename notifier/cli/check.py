"""`notifier check`: try each configured channel once, before the first message."""

from __future__ import annotations

import typer

from notifier.cli.common import Json, globals_of, print_json


def register(app: typer.Typer) -> None:
    app.command("check")(check)


def check(ctx: typer.Context, as_json: Json = False) -> None:
    """Check the delivery set-up: connect to each configured channel once, send nothing.

    SMTP: connect, TLS, certificate, login. SES: sending enabled, sandbox, quota, sender
    verified. EventBridge: the bus. Outbox: the folder can be written. A bad set-up prints one
    line naming the setting to fix (exit code 2); `notifier run` checks the same first.

    Example: notifier check
    """
    found = globals_of(ctx).notifier().check()
    if as_json:
        print_json(found.to_json())
        return
    for line in found.lines():
        typer.echo(line)
