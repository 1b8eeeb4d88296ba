"""`notifier health ...`: the events in AWS Health's API shapes, and the dashboard site."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from notifier import DashboardSummary
from notifier.cli.common import AsOf, Json, globals_of, print_json, say
from notifier.core.health import EntityStatus, EventStatus

health_app = typer.Typer(
    help="Health-dashboard events in AWS Health's shapes.\n\nExample: notifier health events",
    no_args_is_help=True,
)

MaxResults = Annotated[
    int, typer.Option("--max-results", min=1, max=100, help="Page size, 1..100.")
]
NextToken = Annotated[
    str | None, typer.Option("--next-token", help="The nextToken of the previous page.")
]


@health_app.command("events")
def events(
    ctx: typer.Context,
    account: Annotated[list[str] | None, typer.Option("--account", help="Account id.")] = None,
    region: Annotated[list[str] | None, typer.Option("--region", help="Region.")] = None,
    status: Annotated[
        list[EventStatus] | None, typer.Option("--status", help="upcoming, open or closed.")
    ] = None,
    runtime: Annotated[list[str] | None, typer.Option("--runtime", help="Runtime id.")] = None,
    max_results: MaxResults = 100,
    next_token: NextToken = None,
    as_json: Json = False,
    as_of: AsOf = None,
) -> None:
    """List events like DescribeEvents (`{"events": [...], "nextToken": ...}` with --json).

    Example: notifier health events --status open --region us-east-1 --json
    """
    answer = (
        globals_of(ctx)
        .notifier()
        .health_events(
            accounts=account or (),
            regions=region or (),
            statuses=status or (),
            runtimes=runtime or (),
            max_results=max_results,
            next_token=next_token,
            as_of=as_of,
        )
    )
    if as_json:
        print_json(answer)
        return
    _table(answer["events"], ("statusCode", "region", "startTime", "lastUpdatedTime", "arn"))
    _more(answer)


@health_app.command("details")
def details(
    ctx: typer.Context,
    arns: Annotated[list[str], typer.Argument(help="Event ARNs.")],
    as_json: Json = False,
    as_of: AsOf = None,
) -> None:
    """Show events like DescribeEventDetails (successfulSet, failedSet for unknown ARNs).

    Example: notifier health details arn:aws:health:us-east-1::event/LAMBDA/... --json
    """
    answer = globals_of(ctx).notifier().health_details(arns, as_of=as_of)
    if as_json:
        print_json(answer)
        return
    for item in _items(answer["successfulSet"]):
        event = item["event"]
        typer.echo(f"{event['arn']}\n  {event['statusCode']} from {event.get('startTime', '-')}")
        typer.echo(f"  {item['eventDescription']['latestDescription']}\n")
    for failed in _items(answer["failedSet"]):
        typer.echo(f"{failed['eventArn']}: {failed['errorMessage']}", err=True)


@health_app.command("entities")
def entities(
    ctx: typer.Context,
    arn: Annotated[str, typer.Argument(help="An event ARN.")],
    status: Annotated[
        list[EntityStatus] | None, typer.Option("--status", help="PENDING or RESOLVED.")
    ] = None,
    max_results: MaxResults = 100,
    next_token: NextToken = None,
    as_json: Json = False,
    as_of: AsOf = None,
) -> None:
    """List an event's affected functions like DescribeAffectedEntities.

    Example: notifier health entities arn:aws:health:us-east-1::event/LAMBDA/... --status PENDING
    """
    answer = (
        globals_of(ctx)
        .notifier()
        .health_entities(
            arn, statuses=status or (), max_results=max_results, next_token=next_token, as_of=as_of
        )
    )
    if as_json:
        print_json(answer)
        return
    _table(answer["entities"], ("statusCode", "lastUpdatedTime", "entityValue"))
    _more(answer)


@health_app.command("dashboard")
def dashboard(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="Folder to write the site into.")],
    serve: Annotated[
        int | None,
        typer.Option(
            "--serve",
            metavar="PORT",
            min=0,
            max=65535,
            help="Then serve it on 127.0.0.1:PORT (0: any free port) until Ctrl-C.",
        ),
    ] = None,
    as_of: AsOf = None,
) -> None:
    """Write the health dashboard: accounts with upcoming/open/closed counts, the calendar's
    timeline, and a page per account and per event.

    Example: notifier health dashboard --out site --serve 8000
    """
    g = globals_of(ctx)
    nt = g.notifier()

    def serving(built: DashboardSummary, url: str) -> None:
        _wrote(out, built)
        say(g, f"serving {url} (Ctrl-C stops)")

    built = nt.health_dashboard(out, as_of=as_of, serve=serve, ready=serving)
    if serve is None:
        _wrote(out, built)


def _wrote(out: Path, built: DashboardSummary) -> None:
    typer.echo(
        f"wrote {out}/index.html: {built.accounts} accounts, {built.events} events, "
        f"{built.index_pages} index pages"
    )


def _items(value: object) -> list[dict[str, Any]]:
    return value if isinstance(value, list) else []


def _table(rows: object, columns: tuple[str, ...]) -> None:
    for row in _items(rows):
        typer.echo("  ".join(str(row.get(c, "-")) for c in columns))


def _more(answer: dict[str, object]) -> None:
    if "nextToken" in answer:
        typer.echo(f"more: --next-token {answer['nextToken']}", err=True)
