"""What every command shares: settings from the global options, as-of days, output helpers."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from notifier.api.notifier import Notifier

log = logging.getLogger("notifier")


@dataclass
class Globals:
    config: Path | None = None
    quiet: bool = False
    verbose: bool = False
    debug: bool = False

    def notifier(self) -> Notifier:
        """The library, configured by --config, the environment and notifier.toml; its notes
        go to stderr unless --quiet."""
        return Notifier(self.config, on_note=lambda note: say(self, note))


def globals_of(ctx: typer.Context) -> Globals:
    found = ctx.find_root().obj
    return found if isinstance(found, Globals) else Globals()


def notifier_of(ctx: typer.Context) -> Notifier:
    return globals_of(ctx).notifier()


def parse_day(text: str) -> date:
    """A YYYY-MM-DD day, or a usage error saying what was given."""
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)") from None


AsOf = Annotated[
    date | None,
    typer.Option(
        "--as-of",
        parser=parse_day,
        metavar="YYYY-MM-DD",
        help="The day to act as if it were (YYYY-MM-DD). Default: today in the configured zone.",
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
Accounts = Annotated[
    list[str] | None,
    typer.Option("--account", help="Only this 12-digit account id; repeat for more."),
]


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def say(g: Globals, message: str) -> None:
    """A side remark for people: to stderr, unless --quiet."""
    if not g.quiet:
        typer.echo(message, err=True)


class BarProgress:
    def __init__(self, progress: Progress | None, task: Any = None) -> None:
        self.progress, self.task = progress, task

    def advance(self, count: int) -> None:
        if self.progress is not None:
            self.progress.advance(self.task, count)


@contextmanager
def progress_bar(g: Globals, label: str, total: int | None = None) -> Iterator[BarProgress]:
    """A rich progress bar on a terminal; nothing at all under cron or with --quiet."""
    if g.quiet or not sys.stderr.isatty():
        yield BarProgress(None)
        return
    columns = (SpinnerColumn(), TextColumn(label), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, transient=True, console=_stderr_console()) as progress:
        yield BarProgress(progress, progress.add_task(label, total=total))


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)
