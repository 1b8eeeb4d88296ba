"""`notifier health dashboard`: the static site of every account's scheduled changes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from notifier.core.domain import Calendar
from notifier.core.errors import InputError, write_problem
from notifier.core.health import HealthEvent, StatusCounts
from notifier.core.lifecycle import seen_at
from notifier.files import PUBLIC, write_atomically
from notifier.rendering.dashboard import (
    IndexPage,
    account_html,
    event_html,
    event_slug,
    index_html,
    index_page_name,
    timeline_svg,
)
from notifier.service.ports import HealthEvents, Stores

ACCOUNTS_PER_PAGE = 200
READ_CHUNK = 500


@dataclass(frozen=True)
class DashboardSummary:
    index_pages: int
    accounts: int
    events: int


def build_dashboard(
    stores: Stores,
    calendar: Calendar,
    today: date,
    out: Path,
    per_page: int = ACCOUNTS_PER_PAGE,
    at: datetime | None = None,
) -> DashboardSummary:
    """index.html (accounts in pages of `per_page`, totals, the calendar's timeline),
    accounts/<id>.html and events/<slug>.html under `out` (created when missing); with `at`,
    every status as it stands at that instant. A folder that cannot be written is an InputError
    naming it."""
    try:
        return _build(stores, calendar, today, out, per_page, at)
    except OSError as error:
        raise InputError([write_problem(out, error)]) from error


def _build(
    stores: Stores,
    calendar: Calendar,
    today: date,
    out: Path,
    per_page: int,
    at: datetime | None,
) -> DashboardSummary:
    counts = _all_counts(stores.health, at)
    totals = Counter[str]()
    for c in counts:
        totals.update({"upcoming": c.upcoming, "open": c.open, "closed": c.closed})
    timeline = timeline_svg(list(calendar), today)
    pages = max(1, -(-len(counts) // per_page))
    for number in range(1, pages + 1):
        start = (number - 1) * per_page
        shown = counts[start : start + per_page]
        found = stores.accounts.accounts([c.account_id for c in shown])
        names = {a: x.name for a, x in found.items()}
        page = IndexPage(number, pages, shown, len(counts), dict(totals), start + 1, names)
        _write(out / index_page_name(number), index_html(page, timeline, today))
    events = 0
    for start in range(0, len(counts), READ_CHUNK):
        events += _write_accounts(
            stores.health, out, [c.account_id for c in counts[start : start + READ_CHUNK]], at
        )
    return DashboardSummary(pages, len(counts), events)


def _all_counts(health: HealthEvents, at: datetime | None) -> list[StatusCounts]:
    found: list[StatusCounts] = []
    while page := health.health_status_counts(found[-1].account_id if found else None, 5000, at):
        found += page
    return found


def _write_accounts(
    health: HealthEvents, out: Path, account_ids: list[str], at: datetime | None
) -> int:
    events = health.health_events(account_ids)
    if at is not None:
        events = [seen_at(e, at) for e in events]
    for event in events:
        _write(out / "events" / f"{event_slug(event.arn)}.html", event_html(event))
    grouped: dict[str, list[HealthEvent]] = {}
    for event in events:
        grouped.setdefault(event.account_id, []).append(event)
    for account_id in account_ids:
        _write(
            out / "accounts" / f"{account_id}.html",
            account_html(account_id, grouped.get(account_id, [])),
        )
    return len(events)


def _write(path: Path, text: str) -> None:
    write_atomically(path, text.encode("utf-8"), PUBLIC)
