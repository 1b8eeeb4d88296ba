"""`notifier preview` and `notifier templates check`: see every notice before a run sends it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from notifier import Gallery, Preview
from notifier.cli.common import AsOf, Globals, globals_of, say
from notifier.core.errors import InputError, write_problem

templates_app = typer.Typer(
    help="Check notice templates.\n\nExample: notifier templates check my-templates",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.command("preview")(preview)


@templates_app.command("check")
def check(
    ctx: typer.Context,
    folder: Annotated[
        Path | None,
        typer.Argument(
            metavar="DIR",
            help="Your templates folder. Default: templates_dir from the config, else the "
            "built-in templates.",
        ),
    ] = None,
) -> None:
    """Compile every template and render every situation from the sample notices.

    Each problem is printed as `error: template:line: message`: a syntax error,
    an undefined variable, a missing or empty part, a file no notice reads.
    Exit code 2 on any problem; else one summary line and exit code 0.
    Files missing from DIR come from the built-in templates.

    Example: notifier templates check my-templates
    """
    report = globals_of(ctx).notifier().check_templates(folder)
    typer.echo(
        f"templates ok: {report.files} files compiled, every situation rendered in "
        f"{report.cases} cases ({report.templates})"
    )


Runtime_ = Annotated[
    str | None,
    typer.Option("--runtime", help="The runtime, e.g. python3.9 (see notifier calendar)."),
]
Milestone_ = Annotated[
    str | None,
    typer.Option(
        "--milestone",
        help="PHASE:DAYS before the phase date, e.g. block_create:30; PHASE is deprecation, "
        "block_create or block_update.",
    ),
]
Account_ = Annotated[
    str | None,
    typer.Option("--account", help="Use this 12-digit account's real contacts and functions."),
]


def preview(
    ctx: typer.Context,
    runtime: Runtime_ = None,
    milestone: Milestone_ = None,
    account: Account_ = None,
    as_of: AsOf = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write the HTML body here.")] = None,
    eml: Annotated[
        Path | None, typer.Option("--eml", help="Write the complete message (.eml) here.")
    ] = None,
    gallery: Annotated[
        Path | None,
        typer.Option("--gallery", help="Write a static site with every sample notice to DIR."),
    ] = None,
    serve: Annotated[
        bool, typer.Option("--serve", help="With --gallery: serve DIR on 127.0.0.1 until Ctrl-C.")
    ] = False,
    port: Annotated[
        int | None,
        typer.Argument(
            metavar="PORT", min=0, max=65535, help="With --serve: the port (default 8000; 0: any)."
        ),
    ] = None,
) -> None:
    """Render a notice exactly as a run would send it, or a gallery of them all.

    With --runtime and --milestone: prints the recipients, subject and text.
    --account uses that account's real contacts and functions from the database;
    without it, the sample data (samples/notices.toml beside the templates).
    --as-of defaults to the milestone's day; --html and --eml write the HTML body
    and the complete message.

    With --gallery DIR: an index and a page per sample notice (subject, text and
    HTML side by side, health event description, raw headers); --serve [PORT]
    then serves DIR on 127.0.0.1 until Ctrl-C.

    Example: notifier preview --runtime python3.9 --milestone block_create:30
    """
    g = globals_of(ctx)
    if gallery is not None:
        _refuse_single_options(ctx, runtime, milestone, account, as_of, html, eml)
        if port is not None and not serve:
            ctx.fail("PORT goes with --serve: notifier preview --gallery DIR --serve PORT")
        _gallery(g, gallery, port, serve)
        return
    if serve or port is not None:
        ctx.fail("--serve [PORT] goes with --gallery DIR")
    if runtime is None or milestone is None:
        missing = "--runtime" if runtime is None else "--milestone"
        ctx.fail(f"Missing option '{missing}': give --runtime and --milestone, or --gallery DIR")
    shown = g.notifier().preview(runtime, milestone, account=account, as_of=as_of)
    _print(g, shown, html, eml)


def _refuse_single_options(ctx: typer.Context, *given: object) -> None:
    if any(value is not None for value in given):
        ctx.fail(
            "--gallery renders every sample notice; --runtime, --milestone, --account, "
            "--as-of, --html and --eml are for one notice"
        )


def _print(g: Globals, shown: Preview, html: Path | None, eml: Path | None) -> None:
    n = shown.notice
    say(
        g,
        f"{shown.variant}: {n.account.account_id} {n.runtime.identifier} "
        f"{n.milestone.milestone} as of {n.as_of}, {_functions(len(n.functions))}",
    )
    if shown.list_filename:
        say(g, f"the message attaches every function as {shown.list_filename} (see --eml)")
    typer.echo(f"To: {', '.join(n.recipients)}")
    typer.echo(f"Subject: {shown.rendered.subject}\n")
    typer.echo(shown.rendered.text.rstrip("\n"))
    if html is not None:
        _write(html, shown.rendered.html.encode("utf-8"))
        say(g, f"wrote the HTML body to {html}")
    if eml is not None:
        _write(eml, shown.message)
        say(g, f"wrote the message to {eml}")


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as error:
        raise InputError([write_problem(path, error)]) from error


def _functions(count: int) -> str:
    return f"{count} function" if count == 1 else f"{count} functions"


def _gallery(g: Globals, folder: Path, port: int | None, serve: bool) -> None:

    def ready(written: Gallery, url: str) -> None:
        _wrote(written)
        typer.echo(f"serving the gallery at {url} (Ctrl-C to stop)")

    chosen = (8000 if port is None else port) if serve else None
    written = g.notifier().preview_gallery(folder, serve=chosen, ready=ready)
    if serve:
        say(g, "stopped")
    else:
        _wrote(written)


def _wrote(written: Gallery) -> None:
    typer.echo(f"wrote {len(written.entries)} sample notices to {written.index}")
