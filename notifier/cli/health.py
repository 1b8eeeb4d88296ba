"""`notifier health ...`: the events in AWS Health's API shapes, and the dashboard site."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from notifier import bootstrap
from notifier.cli.common import (
    AsOf,
    Json,
    as_of_day,
    check_accounts,
    globals_of,
    print_json,
    say,
)
from notifier.core.health import EntityStatus, EventFilter, EventStatus
from notifier.core.instant import run_instant
from notifier.service.dashboard import build_dashboard
from notifier.service.health_api import (
    describe_affected_entities,
    describe_event_details,
    describe_events,
)
from notifier.service.ports import Store
from notifier.service.serving import listening

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


@contextmanager
def _store(ctx: typer.Context) -> Iterator[Store]:
    g = globals_of(ctx)
    settings = g.settings()
    with bootstrap.reading_store(settings, bootstrap.calendar(settings)) as (st, note):
        if note:
            say(g, note)
        yield st


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
    wanted = EventFilter(
        tuple(check_accounts(account) or ()),
        tuple(region or ()),
        tuple(status or ()),
        tuple(runtime or ()),
    )
    with _store(ctx) as st:
        answer = describe_events(st, wanted, max_results, next_token, _instant(ctx, as_of))
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
    with _store(ctx) as st:
        answer = describe_event_details(st, arns, _instant(ctx, as_of))
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
    with _store(ctx) as st:
        answer = describe_affected_entities(
            st, arn, tuple(status or ()), max_results, next_token, _instant(ctx, as_of)
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
    settings = g.settings()
    cal = bootstrap.calendar(settings)
    with listening(out, serve) as listener:
        with bootstrap.reading_store(settings, cal) as (st, note):
            if note:
                say(g, note)
            day, at = as_of_day(as_of, settings), _instant(ctx, as_of)
            built = build_dashboard(st, cal, day, out, at=at)
        typer.echo(
            f"wrote {out}/index.html: {built.accounts} accounts, {built.events} events, "
            f"{built.index_pages} index pages"
        )
        if listener is not None:
            listener.serve(lambda url: say(g, f"serving {url} (Ctrl-C stops)"))


def _instant(ctx: typer.Context, as_of: date | None) -> datetime | None:
    """The instant to show statuses at: the run's rule for --as-of; none (as stored) without."""
    if as_of is None:
        return None
    zone = globals_of(ctx).settings().zone
    return run_instant(as_of, zone, bootstrap.utc_now())


def _items(value: object) -> list[dict[str, Any]]:
    return value if isinstance(value, list) else []


def _table(rows: object, columns: tuple[str, ...]) -> None:
    for row in _items(rows):
        typer.echo("  ".join(str(row.get(c, "-")) for c in columns))


def _more(answer: dict[str, object]) -> None:
    if "nextToken" in answer:
        typer.echo(f"more: --next-token {answer['nextToken']}", err=True)
