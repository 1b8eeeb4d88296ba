"""`notifier worker`: deliver what runs recorded, on any host, as many workers at once as wanted."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from notifier.cli.common import AsOf, Json, globals_of, print_json
from notifier.cli.notices import print_summary


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)


def worker(
    ctx: typer.Context,
    once: Annotated[
        bool, typer.Option("--once", help="Deliver what is pending, then exit.")
    ] = False,
    channel: Annotated[
        str | None, typer.Option("--channel", help="Only this channel's deliveries (smtp, ...).")
    ] = None,
    as_of: AsOf = None,
    as_json: Json = False,
) -> None:
    """Claim, render, deliver and settle pending deliveries a chunk at a time; plan nothing.

    Without --once it polls every delivery.poll_seconds until SIGTERM or SIGINT, which finish
    the chunk under way, then exits 0. Takes no run lock: run as many as wanted, on any host
    sharing the PostgreSQL database. Exit codes as `run`: 1 a delivery failed, 2 set-up.

    Example: notifier worker --once
    """
    nt = globals_of(ctx).notifier()
    with _stopped_by_signals() as stop:
        summary = nt.work(as_of, once=once, channel=channel, stop=stop)
    print_json(summary.to_json()) if as_json else print_summary(summary, "worker")
    if summary.halted:
        typer.echo(f"error: {summary.halted}", err=True)
    raise typer.Exit(summary.exit_code if once or summary.halted else 0)


@contextmanager
def _stopped_by_signals() -> Iterator[threading.Event]:
    """An event SIGTERM and SIGINT set (the handlers before are put back afterwards)."""
    stop = threading.Event()
    caught = (signal.SIGTERM, signal.SIGINT)
    before = {s: signal.signal(s, lambda *_: stop.set()) for s in caught}
    try:
        yield stop
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
