"""`notifier feedback`: read the SES bounces and complaints waiting in their SQS queue."""

from __future__ import annotations

from collections.abc import Mapping

import typer

from notifier import FeedbackSummary
from notifier.cli.common import Json, globals_of, print_json


def register(app: typer.Typer) -> None:
    app.command("feedback")(feedback)


def feedback(ctx: typer.Context, as_json: Json = False) -> None:
    """Read the SES bounces and complaints queued in SQS (ses.feedback_queue_url).

    Permanent bounces and complaints put the addresses on the suppression list; each delivery
    they belong to is marked bounced or complained. `notifier run` does this first, too. Exit
    code 1 when the queue could not be read or a message was malformed (left in the queue).

    Example: notifier feedback --json
    """
    found: FeedbackSummary = globals_of(ctx).notifier().feedback()
    if as_json:
        print_json(found.to_json())
    else:
        typer.echo(feedback_line(found.to_json()))
    if found.malformed:
        shown = f"{found.malformed} malformed message(s) left in the queue (--verbose: why)"
        typer.echo(f"warning: {shown}", err=True)
    if found.error:
        typer.echo(f"error: {found.error}", err=True)
    raise typer.Exit(found.exit_code)


def feedback_line(figures: Mapping[str, object]) -> str:
    """`feedback: 3 read: 1 permanent bounces, ...` from a summary's JSON."""
    parts = [
        f"{figures['permanent_bounces']} permanent bounces",
        f"{figures['soft_bounces']} soft bounces",
        f"{figures['complaints']} complaints",
        f"{figures['suppressed']} addresses suppressed",
        f"{figures['deliveries_marked']} deliveries marked",
    ]
    if figures["ignored"]:
        parts.append(f"{figures['ignored']} other notifications ignored")
    if figures["malformed"]:
        parts.append(f"{figures['malformed']} malformed left in the queue")
    return f"feedback: {figures['read']} read: " + ", ".join(parts)
