"""Turns a notice into what the channels carry: a built email and its health events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo

from notifier.channels.base import OutgoingEmail
from notifier.core.domain import Account, Calendar, DatedMilestone, Notice, Runtime
from notifier.core.health import AffectedEntity, EntityStatus, HealthEvent, event_arn, status_at
from notifier.core.records import StoredNotice
from notifier.rendering.mime import build_message
from notifier.rendering.types import RenderedNotice


class Renderer(Protocol):
    def render(self, notice: Notice) -> RenderedNotice: ...


@dataclass(frozen=True)
class Prepared:
    notice: Notice
    rendered: RenderedNotice
    message_id: str


@dataclass(frozen=True)
class Composer:
    renderer: Renderer
    sender: str
    message_id_domain: str
    zone: ZoneInfo
    clock: Callable[[], datetime]

    def prepare(self, notice: Notice) -> Prepared:
        message_id = notice.key.message_id(self.message_id_domain)
        return Prepared(notice, self.renderer.render(notice), message_id)

    def email(self, prepared: Prepared) -> OutgoingEmail:
        notice = prepared.notice
        data = build_message(
            notice,
            prepared.rendered,
            message_id=prepared.message_id,
            sender=self.sender,
            sent_at=self.clock(),
        )
        return OutgoingEmail(
            notice.key,
            prepared.message_id,
            self.sender,
            notice.recipients,
            prepared.rendered.subject,
            data,
        )

    def health_events(self, prepared: Prepared) -> list[HealthEvent]:
        """One event per Region of the notice's functions, every function PENDING."""
        notice, now = prepared.notice, self.clock()
        start = self.start_time(notice.runtime)
        return [
            HealthEvent(
                arn=event_arn(notice.account.account_id, region, notice.runtime.identifier),
                account_id=notice.account.account_id,
                region=region,
                runtime=notice.runtime.identifier,
                start_time=start,
                end_time=None,
                last_updated_time=now,
                status_code=status_at(start, now, all_resolved=False),
                description=prepared.rendered.health_description,
                metadata=event_metadata(notice),
                entities=tuple(AffectedEntity(a, EntityStatus.PENDING, now) for a in arns),
            )
            for region, arns in notice.regions().items()
        ]

    def start_time(self, runtime: Runtime) -> datetime | None:
        """The deprecation day at the start of the day in the configured zone, in UTC."""
        if runtime.deprecation is None:
            return None
        return datetime.combine(runtime.deprecation, time(0), self.zone).astimezone(UTC)


def event_metadata(notice: Notice) -> dict[str, str]:
    runtime = notice.runtime
    return {
        "runtime": runtime.identifier,
        "runtime_name": runtime.name,
        "deprecation_date": _day(runtime.deprecation),
        "block_function_create_date": _day(runtime.block_create),
        "block_function_update_date": _day(runtime.block_update),
        "successor": notice.successor.identifier if notice.successor else "",
    }


def _day(value: object) -> str:
    return "" if value is None else str(value)


def notice_from_ledger(stored: StoredNotice, calendar: Calendar) -> Notice:
    """Rebuild a recorded notice, so a retry renders the same facts on the same as-of day."""
    key = stored.key
    runtime = calendar.get(key.runtime) or Runtime(key.runtime, key.runtime, "")
    primary = stored.recipients[0] if stored.recipients else ""
    return Notice(
        account=Account(key.account_id, stored.account_name, primary),
        runtime=runtime,
        successor=calendar.get(stored.successor) if stored.successor else None,
        milestone=DatedMilestone(
            stored.milestone.phase, stored.milestone.days_before, stored.milestone.date
        ),
        functions=stored.functions,
        recipients=stored.recipients,
        as_of=stored.as_of,
    )
