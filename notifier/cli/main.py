"""The `notifier` command: global options, sub-apps, and one-line errors with exit codes."""

from __future__ import annotations

import logging
import sys
import traceback
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import sqlalchemy.exc
import typer

# Typer bundles its own click: its usage errors are these classes, not click's.
from typer._click.exceptions import NoArgsIsHelpError, UsageError

from notifier import __version__
from notifier.cli import (
    check,
    data,
    feedback,
    health,
    notices,
    preview,
    resend,
    store,
    suppress,
    worker,
)
from notifier.cli.common import Globals
from notifier.core.errors import InputError, NotifierError

app = typer.Typer(
    name="notifier",
    help="Tell account owners, well ahead of time, that their functions run on a runtime "
    "being deprecated.\n\nExample: notifier run",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(data.calendar_app, name="calendar")
app.add_typer(data.accounts_app, name="accounts")
app.add_typer(data.inventory_app, name="inventory")
app.add_typer(store.db_app, name="db")
app.add_typer(health.health_app, name="health")
app.add_typer(suppress.suppress_app, name="suppress")
notices.register(app)
check.register(app)
feedback.register(app)
resend.register(app)
worker.register(app)
app.add_typer(preview.templates_app, name="templates")
preview.register(app)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"notifier {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", "-c", help="Config file (default: $NOTIFIER_CONFIG or ./notifier.toml)."
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only results and errors.")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log progress details to stderr.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_print_version, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Tell account owners that their functions run on a runtime being deprecated.

    Example: notifier run --as-of 2026-12-01
    """
    ctx.obj = Globals(config=config, quiet=quiet, verbose=verbose, debug=debug)
    level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(
        stream=sys.stderr, level=level, format="%(levelname)s %(name)s: %(message)s"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code: 0 ok, 1 a delivery failed, 2 usage, input or config."""
    args = sys.argv[1:] if argv is None else argv
    try:
        result = app(args=args, prog_name="notifier", standalone_mode=False)
    except NotifierError as exc:
        return _report(exc, _lines(exc), exc.exit_code, "--debug" in args)
    except sqlalchemy.exc.OperationalError as exc:  # a database fault outside the store's guard
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        return _report(exc, [f"the database cannot be used: {reason}"], 2, "--debug" in args)
    except typer.Abort:
        typer.echo("error: aborted", err=True)
        return 130
    except NoArgsIsHelpError as exc:  # a bare group: its help
        exc.show()
        return 2
    except UsageError as exc:
        return _report(exc, [_usage_line(exc)], 2, "--debug" in args)
    except typer.TyperException as exc:
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        return int(getattr(exc, "exit_code", 2))
    return result if isinstance(result, int) else 0


# The library names a bad argument by its Python name; the CLI by its option.
OPTIONS = {
    "accounts": "--account",
    "address": "ADDRESS",
    "as_of": "--as-of",
    "channel": "--channel",
    "max_results": "--max-results",
    "milestone": "--milestone",
    "runtime": "--runtime",
    "since": "--since",
    "status": "--status",
}


def _lines(exc: NotifierError) -> list[str]:
    if not isinstance(exc, InputError):
        return exc.lines()
    return [str(replace(p, source=OPTIONS.get(p.source, p.source))) for p in exc.problems]


def _usage_line(exc: UsageError) -> str:
    """`--as-of: '2027-13-01' is not a date`, or click's message and where help is."""
    if isinstance(exc, typer.BadParameter) and (exc.param_hint or exc.param):
        hint = exc.param_hint or "/".join(getattr(exc.param, "opts", ()))
        return f"{hint}: {exc.message}"
    message = exc.format_message().rstrip(".")
    command = exc.ctx.command_path if exc.ctx is not None else "notifier"
    return f"{message} (see `{command} --help`)"


def _report(exc: BaseException, lines: list[str], code: int, debug: bool) -> int:
    if debug:
        traceback.print_exception(exc)
    for line in lines:
        typer.echo(f"error: {line}", err=True)
    return code


def entry() -> None:
    sys.exit(main())
