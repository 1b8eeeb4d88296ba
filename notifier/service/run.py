"""A scheduled notice run: plan, record, render, deliver, report. Outbox pattern throughout."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from notifier.channels.base import DeliveryError, EmailChannel, EventChannel
from notifier.core.domain import Calendar, NoticeKey
from notifier.core.records import Outcome, PendingDelivery
from notifier.service.compose import Composer, Prepared, notice_from_ledger
from notifier.service.planning import PlanInputs, due_batches
from notifier.service.ports import Store

PAGE = 1000


class Progress(Protocol):
    def advance(self, count: int) -> None: ...


class _NoProgress:
    def advance(self, count: int) -> None:
        pass


@dataclass
class ChannelStats:
    delivered: int = 0
    failed: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {"delivered": self.delivered, "failed": self.failed, "reasons": dict(self.reasons)}


@dataclass
class RunSummary:
    as_of: date
    notices: int = 0
    retried: int = 0
    seconds: float = 0.0
    channels: dict[str, ChannelStats] = field(default_factory=dict)
    emailed: Counter[str] = field(default_factory=Counter)

    @property
    def failed(self) -> int:
        return sum(s.failed for s in self.channels.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "notices": self.notices,
            "retried_from_earlier_runs": self.retried,
            "seconds": round(self.seconds, 3),
            "channels": {name: s.as_dict() for name, s in self.channels.items()},
            "emailed": dict(sorted(self.emailed.items())),
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

    @property
    def channel_names(self) -> list[str]:
        return [self.email.name, *(c.name for c in self.events)]

    def run(self, wait: bool = False) -> RunSummary:
        started = time.perf_counter()
        summary = RunSummary(self.inputs.as_of)
        summary.channels = {name: ChannelStats() for name in self.channel_names}
        with self.store.run_lock(wait):
            run_id = self.store.start_run(self.inputs.as_of, self.composer.clock())
            cursor = self._retry_earlier(summary)
            for batch in due_batches(self.store, self.inputs):
                cursor = self._send_new(run_id, batch, cursor, summary)
            summary.seconds = time.perf_counter() - started
            self.store.finish_run(run_id, self.composer.clock(), _counts(summary))
        return summary

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
            self._deliver(page, prepared, summary)
            cursor = page[-1].delivery_id
        return cursor

    def _send_new(self, run_id: int, batch: list[Any], cursor: int, summary: RunSummary) -> int:
        prepared = {n.key: self.composer.prepare(n) for n in batch}
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
        outcomes = [self._attempt(d, prepared[d.key], summary) for d in page if d.key in prepared]
        for channel in self.events:
            outcomes = self._flush(channel, page, outcomes, summary)
        self.store.mark(outcomes, self.composer.clock())

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
            stats.failed += len(lost)
            stats.reasons[exc.reason] += len(lost)
            return [
                Outcome(o.delivery_id, "failed", error=exc.reason) if o in lost else o
                for o in outcomes
            ]
        return outcomes

    def _attempt(self, delivery: PendingDelivery, item: Prepared, summary: RunSummary) -> Outcome:
        stats = summary.channels.setdefault(delivery.channel, ChannelStats())
        try:
            provider_id = self._hand_over(delivery.channel, item)
        except DeliveryError as exc:
            stats.failed += 1
            stats.reasons[exc.reason] += 1
            return Outcome(delivery.delivery_id, "failed", error=exc.reason)
        stats.delivered += 1
        if delivery.channel == self.email.name:
            key = delivery.key
            summary.emailed[f"{key.runtime} {key.phase.value}:{key.days_before}"] += 1
        return Outcome(delivery.delivery_id, "delivered", provider_id=provider_id)

    def _hand_over(self, channel: str, item: Prepared) -> str | None:
        if channel == self.email.name:
            return self.email.deliver(self.composer.email(item)).provider_id
        target = next(c for c in self.events if c.name == channel)
        ids = [target.deliver(e).provider_id for e in self.composer.health_events(item)]
        return ids[0] if len(ids) == 1 else None


def _counts(summary: RunSummary) -> dict[str, int]:
    counts = {"notices": summary.notices, "retried": summary.retried}
    for name, stats in summary.channels.items():
        counts[f"{name}.delivered"] = stats.delivered
        counts[f"{name}.failed"] = stats.failed
    return counts
