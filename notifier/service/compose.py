"""Turns a notice into what the channels carry: a built email and its health events."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from notifier.channels.base import OutgoingEmail
from notifier.core.domain import Account, Calendar, DatedMilestone, Notice, NoticeKey, Runtime
from notifier.core.health import AffectedEntity, EntityStatus, EventStatus, HealthEvent, event_arn
from notifier.core.instant import start_of
from notifier.core.lifecycle import Schedule, new_event
from notifier.core.records import StoredNotice
from notifier.rendering.mime import build_message
from notifier.rendering.types import RenderedNotice

log = logging.getLogger("notifier")


class Renderer(Protocol):
    def render(self, notice: Notice) -> RenderedNotice: ...


class Pool(Protocol):
    """Prepares large batches elsewhere (service.pool.PreparePool: worker processes)."""

    threshold: int

    def prepare(self, notices: Sequence[Notice]) -> Iterator[list[Prepared]]: ...

    def ready(self) -> bool:
        """Whether a worker process can take work now; the first call starts them."""
        ...


@dataclass(frozen=True)
class Prepared:
    """A rendered notice; `data` holds the built message when a worker process built it.
    `error` says why it could not be rendered or built: its deliveries fail, the run goes on."""

    notice: Notice
    rendered: RenderedNotice
    message_id: str
    data: bytes | None = None
    error: str | None = None


GROUP = 40  # notices prepared in this process before their delivery starts
NOT_RENDERED = RenderedNotice(subject="", text="", html="", health_description="")


def _failed(prepared: Prepared, step: str, error: Exception) -> Prepared:
    """One notice that cannot be rendered or built must not stop a run: its deliveries fail
    permanently with this reason (the traceback is logged for --debug)."""
    log.debug("cannot %s %s", step, prepared.notice.key, exc_info=error)
    reason = f"cannot {step} this notice: {type(error).__name__}: {error}"
    return replace(prepared, error=reason)


@dataclass(frozen=True)
class Composer:
    renderer: Renderer
    sender: str
    message_id_domain: str
    zone: ZoneInfo
    clock: Callable[[], datetime]
    pool: Pool | None = None

    def prepare(self, notice: Notice, message_id: str | None = None) -> Prepared:
        """Render a notice; `message_id`: the one it was recorded with (a retry, a resend)."""
        message_id = message_id or notice.key.message_id(self.message_id_domain)
        try:
            return Prepared(notice, self.renderer.render(notice), message_id)
        except Exception as error:  # one notice's failure, recorded as such
            return _failed(Prepared(notice, NOT_RENDERED, message_id), "render", error)

    def prepare_all(self, notices: Sequence[Notice]) -> dict[NoticeKey, Prepared]:
        """Render (and, in worker processes, also build) every notice of a batch."""
        pooled = self.pool is not None and len(notices) >= self.pool.threshold
        groups = self.pool.prepare(notices) if self.pool and pooled else self._here(notices)
        return {p.notice.key: p for group in groups for p in group}

    def start_all(self, notices: Sequence[Notice]) -> Iterator[list[Prepared]]:
        """Start preparing a batch; the returned iterator yields it prepared, a group at a time,
        in order, each as soon as it is ready. A large batch goes to the worker processes at
        once, so they go on rendering while the caller delivers the groups already done; a
        small one is prepared in this process, a group each time the next is asked for."""
        if self.pool is None or len(notices) < self.pool.threshold:
            return self._here(notices)
        if self.pool.ready():
            return self.pool.prepare(notices)
        return self._meanwhile(self.pool, notices)

    def _here(self, notices: Sequence[Notice]) -> Iterator[list[Prepared]]:
        return (
            [self.prepare(n) for n in notices[i : i + GROUP]] for i in range(0, len(notices), GROUP)
        )

    def _meanwhile(self, pool: Pool, notices: Sequence[Notice]) -> Iterator[list[Prepared]]:
        """While the worker processes start (a second or more), groups are prepared in this
        process, so the first messages leave at once; the rest goes to the workers as soon as
        one is ready."""
        done = 0
        while done < len(notices) and not pool.ready():
            yield [self.prepare(n) for n in notices[done : done + GROUP]]
            done += GROUP
        if done < len(notices):
            yield from pool.prepare(notices[done:])

    def built(self, notice: Notice) -> Prepared:
        """Render and build in this process: what a worker does for each notice."""
        prepared = self.prepare(notice)
        if prepared.error is not None:
            return prepared
        try:
            return replace(prepared, data=self._build(prepared))
        except Exception as error:  # one notice's failure, recorded as such
            return _failed(prepared, "build", error)

    def _build(self, prepared: Prepared) -> bytes:
        return build_message(
            prepared.notice,
            prepared.rendered,
            message_id=prepared.message_id,
            sender=self.sender,
            sent_at=self.clock(),
        )

    def email(self, prepared: Prepared) -> OutgoingEmail:
        notice = prepared.notice
        data = prepared.data if prepared.data is not None else self._build(prepared)
        return OutgoingEmail(
            notice.key,
            prepared.message_id,
            self.sender,
            notice.recipients,
            prepared.rendered.subject,
            data,
        )

    def health_events(
        self, prepared: Prepared, at: datetime, plan: Schedule | None = None
    ) -> list[HealthEvent]:
        """One event per Region of the notice's functions as first written at the run's
        instant `at`, every function PENDING; dated by `plan` (the deprecation day in the
        configured zone without one)."""
        notice = prepared.notice
        plan = plan or Schedule(start_of(notice.runtime.deprecation, self.zone))
        return [
            new_event(self._event(prepared, region, arns), plan, at)
            for region, arns in notice.regions().items()
        ]

    def _event(self, prepared: Prepared, region: str, arns: tuple[str, ...]) -> HealthEvent:
        notice, unset = prepared.notice, datetime.min.replace(tzinfo=UTC)
        return HealthEvent(
            arn=event_arn(notice.account.account_id, region, notice.runtime.identifier),
            account_id=notice.account.account_id,
            region=region,
            runtime=notice.runtime.identifier,
            start_time=None,
            end_time=None,
            last_updated_time=unset,
            status_code=EventStatus.UPCOMING,
            description=prepared.rendered.health_description,
            metadata=event_metadata(notice),
            entities=tuple(AffectedEntity(a, EntityStatus.PENDING, unset) for a in arns),
        )


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
