"""Sample notices for the rendering and outbox tests, built from the real calendar's rows."""

from __future__ import annotations

import csv
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from notifier.channels.base import OutgoingEmail
from notifier.core.domain import (
    Account,
    Calendar,
    Milestone,
    Notice,
    Phase,
    Runtime,
    function_arn,
)
from notifier.core.notices import milestone_notice
from notifier.rendering.mime import build_message
from notifier.rendering.notice import NoticeRenderer

CALENDAR_CSV = Path(__file__).resolve().parent.parent / "data" / "calendar.csv"
ACCOUNT = Account("123456789012", "Acme Payments", "root@acme.example", "ops@acme.example")


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


@cache
def calendar() -> Calendar:
    """data/calendar.csv read with the csv module (the parsing layer is not under test here)."""
    with CALENDAR_CSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    runtimes = {
        row["identifier"]: Runtime(
            identifier=row["identifier"],
            name=row["name"],
            family=row["family"],
            os=row["os"],
            deprecation=_day(row["deprecation_date"]),
            block_create=_day(row["block_create_date"]),
            block_update=_day(row["block_update_date"]),
            note=row["note"],
        )
        for row in rows
    }
    return Calendar(runtimes)


def runtime(identifier: str) -> Runtime:
    found = calendar().get(identifier)
    assert found is not None, identifier
    return found


def functions(count: int, regions: tuple[str, ...] = ("us-east-1", "eu-west-1")) -> tuple[str, ...]:
    """`count` function ARNs spread over `regions` in turn, sorted like the planner sorts them."""
    return tuple(
        sorted(
            function_arn(regions[i % len(regions)], ACCOUNT.account_id, f"orders-{i:03d}")
            for i in range(count)
        )
    )


def notice(
    runtime_id: str = "python3.10",
    phase: Phase = Phase.DEPRECATION,
    days_before: int = 30,
    *,
    as_of: date | None = None,
    account: Account = ACCOUNT,
    count: int = 20,
) -> Notice:
    """The notice the planner would send at `days_before` the phase (as_of defaults to then)."""
    at = Milestone(phase, days_before)
    kinds = ("primary", "operations")
    rt = runtime(runtime_id)
    return milestone_notice(calendar(), account, rt, at, functions(count), kinds, as_of)


def with_account_name(base: Notice, name: str) -> Notice:
    return replace(base, account=replace(base.account, name=name))


# A notice for every situation, on python3.10 (2026-10-31 / 2027-02-01 / 2027-03-03).
SITUATIONS = {
    "deprecation_ahead": (Phase.DEPRECATION, 30),
    "deprecated": (Phase.DEPRECATION, 0),
    "create_blocked_soon": (Phase.BLOCK_CREATE, 7),
    "create_blocked": (Phase.BLOCK_CREATE, 0),
    "update_blocked_soon": (Phase.BLOCK_UPDATE, 30),
    "update_blocked": (Phase.BLOCK_UPDATE, 0),
}

# Text lines may pass 78 columns only when they hold one thing that cannot be broken: a URL, an
# ARN or an AWS CLI command (so it can be copied whole).
TEXT_WIDTH = 78
_UNBREAKABLE = re.compile(r"^\s*(https?://\S+|arn:\S+|aws lambda .+)$")


def overlong_lines(text: str) -> list[str]:
    return [
        line
        for line in text.splitlines()
        if len(line) > TEXT_WIDTH and not _UNBREAKABLE.match(line)
    ]


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._skip += tag in ("style", "title")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "title") and self._skip > 0

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def parse_html(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def visible_text(html: str) -> str:
    """What a mail client shows (no style sheet, no title), whitespace collapsed."""
    return " ".join("".join(parse_html(html).text).split())


def elements(html: str) -> list[str]:
    """The tag names, in order."""
    return [tag for tag, _ in parse_html(html).tags]


@cache
def _renderer() -> NoticeRenderer:
    return NoticeRenderer()


def built_email(
    recipients: tuple[str, ...], sender: str = "Notices <notices@example.com>"
) -> OutgoingEmail:
    """A notice to `recipients` as a run hands it to a channel: rendered, then built as MIME."""
    sample = replace(notice(), recipients=recipients)
    rendered = _renderer().render(sample)
    message_id = sample.key.message_id("notifier.example")
    data = build_message(
        sample, rendered, message_id=message_id, sender=sender, sent_at=datetime.now(UTC)
    )
    return OutgoingEmail(sample.key, message_id, sender, recipients, rendered.subject, data)
