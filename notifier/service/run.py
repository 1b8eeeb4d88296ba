"""A scheduled run: plan, record, render, deliver, report. Outbox pattern throughout.

Each chunk of deliveries is marked `sending` (committed) before any is handed to a channel and
settled afterwards. A delivery found `sending` when a run starts was handed over by a run that
was killed before recording the outcome: it is sent again with the same Message-ID (a duplicate,
if any, is identifiable) and counted as `resent_unknown`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from notifier.channels.base import DeliveryError, EmailChannel, EventChannel
from notifier.core.domain import Calendar, Notice, NoticeKey
from notifier.core.records import Outcome, PendingDelivery
from notifier.service.compose import Composer, Prepared, notice_from_ledger
from notifier.service.lifecycle import refresh_health
from notifier.service.planning import PlanInputs, due_batches
from notifier.service.ports import Store
from notifier.service.sending import EmailSender, EmailStats, Job, without_suppressed

PAGE = 1000
Started = tuple[list[Notice], Callable[[], dict[NoticeKey, Prepared]]]  # a batch, its waiter
CHUNK = 100  # deliveries marked `sending` at once: at most this many resent after a kill


class Progress(Protocol):
    def advance(self, count: int) -> None: ...


class _NoProgress:
    def advance(self, count: int) -> None:
        pass


@dataclass
class ChannelStats(EmailStats):
    resent_unknown: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "delivered": self.delivered,
            "failed": self.failed,
            "reasons": dict(self.reasons),
            "retried": self.retried,
            "suppressed": self.suppressed,
            "undeliverable": self.undeliverable,
            "deferred": self.deferred,
            "resent_unknown": self.resent_unknown,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class RunSummary:
    as_of: date
    notices: int = 0
    retried: int = 0
    resent_unknown: int = 0
    seconds: float = 0.0
    channels: dict[str, ChannelStats] = field(default_factory=dict)
    emailed: Counter[str] = field(default_factory=Counter)
    health: dict[str, object] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return sum(s.failed for s in self.channels.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "notices": self.notices,
            "retried_from_earlier_runs": self.retried,
            "resent_unknown": self.resent_unknown,
            "seconds": round(self.seconds, 3),
            "channels": {name: s.as_dict() for name, s in self.channels.items()},
            "emailed": dict(sorted(self.emailed.items())),
            "health_events": self.health,
        }


@dataclass
class Runner:
    """Everything a run needs, built by the composition root."""

    store: Store
    calendar: Calendar
    inputs: PlanInputs
    composer: Composer
    email: EmailChannel
    events: Sequence[EventChannel]
    progress: Progress = field(default_factory=_NoProgress)
    sender: EmailSender | None = None

    def __post_init__(self) -> None:
        if self.sender is None:
            self.sender = EmailSender(self.email, self.composer.email)

    @property
    def channel_names(self) -> list[str]:
        return [self.email.name, *(c.name for c in self.events)]

    def run(self, wait: bool = False) -> RunSummary:
        started = time.perf_counter()
        summary = RunSummary(self.inputs.as_of)
        summary.channels = {name: ChannelStats() for name in self.channel_names}
        assert self.sender is not None
        with self.store.run_lock(wait), self.sender.running():
            run_id = self.store.start_run(self.inputs.as_of, self.composer.clock())
            self._send_due(run_id, self._retry_earlier(summary), summary)
            if self.events:
                burndown = refresh_health(
                    self.store, self.calendar, self.composer.clock(), self.events
                )
                summary.health = burndown.as_dict()
            summary.seconds = time.perf_counter() - started
            self.store.finish_run(run_id, self.composer.clock(), _counts(summary))
        return summary

    def _send_due(self, run_id: int, cursor: int, summary: RunSummary) -> None:
        """Plan, record and deliver the due notices a batch at a time. Each batch is handed to
        the renderers before the one before it is delivered: the worker processes render while
        this process plans, records and delivers."""
        ahead: Started | None = None
        for batch in due_batches(self.store, self.inputs):
            next_one = (batch, self.composer.start_all(batch))
            if ahead is not None:
                cursor = self._send_new(run_id, ahead, cursor, summary)
            ahead = next_one
        if ahead is not None:
            self._send_new(run_id, ahead, cursor, summary)

    def _retry_earlier(self, summary: RunSummary) -> int:
        """Deliver what earlier runs recorded but did not deliver; returns the last id seen."""
        cursor = 0
        while page := self.store.pending_deliveries(self.channel_names, cursor, PAGE):
            stored = self.store.stored_notices({d.notice_id for d in page})
            prepared = {
                s.key: self.composer.prepare(notice_from_ledger(s, self.calendar))
                for s in stored.values()
            }
            summary.retried += len(prepared)
            for d in page:
                if d.status == "sending":  # handed over by a run killed before recording it
                    summary.channels[d.channel].resent_unknown += 1
                    summary.resent_unknown += d.channel == self.email.name
            self._deliver(page, prepared, summary)
            cursor = page[-1].delivery_id
        return cursor

    def _send_new(self, run_id: int, started: Started, cursor: int, summary: RunSummary) -> int:
        """Record a batch in the ledger, then deliver it (the outbox pattern)."""
        batch, collect = started
        prepared = collect()
        rows = [(p.notice, p.message_id, p.rendered.subject) for p in prepared.values()]
        summary.notices += self.store.record_notices(run_id, rows, self.channel_names)
        while page := self.store.pending_deliveries(self.channel_names, cursor, PAGE):
            self._deliver(page, prepared, summary)
            cursor = page[-1].delivery_id
        self.progress.advance(len(batch))
        return cursor

    def _deliver(
        self,
        page: list[PendingDelivery],
        prepared: dict[NoticeKey, Prepared],
        summary: RunSummary,
    ) -> None:
        for start in range(0, len(page), CHUNK):
            chunk = [d for d in page[start : start + CHUNK] if d.key in prepared]
            self._deliver_chunk(chunk, prepared, summary)

    def _deliver_chunk(
        self, chunk: list[PendingDelivery], prepared: dict[NoticeKey, Prepared], summary: RunSummary
    ) -> None:
        assert self.sender is not None
        mail = [(d, prepared[d.key]) for d in chunk if d.channel == self.email.name]
        if self.sender.down and mail:
            summary.channels[self.email.name].deferred += len(mail)
            chunk, mail = [d for d in chunk if d.channel != self.email.name], []
        self.store.mark_sending([d.delivery_id for d in chunk], self.composer.clock())
        outcomes = self._send_mail(mail, summary)
        started = time.perf_counter()
        for d in chunk:
            if d.channel != self.email.name:
                outcomes.append(self._attempt(d, prepared[d.key], summary))
        for channel in self.events:
            outcomes = self._flush(channel, chunk, outcomes, summary)
        for channel in self.events:
            summary.channels[channel.name].seconds += (time.perf_counter() - started) / len(
                self.events
            )
        self.store.settle(outcomes, self.composer.clock())

    def _send_mail(self, jobs: list[Job], summary: RunSummary) -> list[Outcome]:
        assert self.sender is not None
        if not jobs:
            return []
        started = time.perf_counter()
        stats = summary.channels[self.email.name]
        addresses = {r for _, item in jobs for r in item.notice.recipients}
        blocked = self.store.suppressed(addresses) if addresses else set()
        kept, outcomes, notes = without_suppressed(jobs, blocked, stats)
        keys = {d.delivery_id: d.key for d, _ in kept}
        for o in self.sender.send(kept, stats):
            if o.status == "delivered":
                key = keys[o.delivery_id]
                summary.emailed[f"{key.runtime} {key.phase.value}:{key.days_before}"] += 1
            note = notes.get(o.delivery_id)
            outcomes.append(Outcome(**{**o.__dict__, "error": o.error or note}))
        stats.seconds += time.perf_counter() - started
        return outcomes

    def _flush(
        self,
        channel: EventChannel,
        page: list[PendingDelivery],
        outcomes: list[Outcome],
        summary: RunSummary,
    ) -> list[Outcome]:
        """Make a buffering channel durable; if it cannot be, its deliveries here failed."""
        try:
            channel.flush()
        except DeliveryError as exc:
            ids = {d.delivery_id for d in page if d.channel == channel.name}
            stats = summary.channels[channel.name]
            lost = [o for o in outcomes if o.delivery_id in ids and o.status == "delivered"]
            stats.delivered -= len(lost)
            for _ in lost:
                stats.fail(exc.reason)
            return [
                Outcome(o.delivery_id, "failed", error=exc.reason) if o in lost else o
                for o in outcomes
            ]
        return outcomes

    def _attempt(self, delivery: PendingDelivery, item: Prepared, summary: RunSummary) -> Outcome:
        stats = summary.channels.setdefault(delivery.channel, ChannelStats())
        target = next(c for c in self.events if c.name == delivery.channel)
        try:
            ids = [target.deliver(e).provider_id for e in self.composer.health_events(item)]
        except DeliveryError as exc:
            stats.fail(exc.reason)
            return Outcome(
                delivery.delivery_id, "failed", error=exc.reason, permanent=not exc.retryable
            )
        stats.delivered += 1
        return Outcome(
            delivery.delivery_id, "delivered", provider_id=ids[0] if len(ids) == 1 else None
        )


def _counts(summary: RunSummary) -> dict[str, int]:
    counts = {
        "notices": summary.notices,
        "retried": summary.retried,
        "resent_unknown": summary.resent_unknown,
    }
    for name, stats in summary.channels.items():
        for what in ("delivered", "failed", "retried", "suppressed", "undeliverable", "deferred"):
            counts[f"{name}.{what}"] = getattr(stats, what)
    return counts
