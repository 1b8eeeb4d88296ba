"""A scheduled run: plan, record, render, deliver, report. Outbox pattern throughout.

Each chunk of deliveries is claimed (`sending`, this run's name, a lease; committed) before any
is handed to a channel and settled afterwards; a delivery another process holds is never
claimed, so nothing is sent twice whatever happens to the run lock, which is checked before
each chunk. A delivery left `sending` by a run that is gone (killed on this host, or its lease
expired) was handed over without its outcome recorded: it is released, the lost outcome counted
and committed, then sent again with the same Message-ID (a duplicate, if any, is identifiable)
and counted as `resent_unknown`; after three lost outcomes it fails for good.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from notifier.channels.base import DeliveryError, EmailChannel, EventChannel
from notifier.core.domain import Calendar, Notice, NoticeKey
from notifier.core.instant import run_instant
from notifier.core.lifecycle import Schedule
from notifier.core.records import Outcome, PendingDelivery
from notifier.service.compose import Composer, Prepared, notice_from_ledger
from notifier.service.health import policy_of
from notifier.service.lifecycle import refresh_health
from notifier.service.planning import PlanInputs, due_batches
from notifier.service.ports import HeldLock, Store
from notifier.service.sending import EmailSender, Job, without_suppressed
from notifier.service.summary import ChannelStats, RunSummary, counts

PAGE = 1000
# How long a claim holds before another run may take the delivery over. A run on this host sees
# at once that a killed run is gone; a run on another host waits this long.
LEASE = timedelta(minutes=10)
UNKNOWN_GIVEN_UP = "outcome unknown: handed over three times without its outcome recorded"
Started = tuple[list[Notice], Callable[[], dict[NoticeKey, Prepared]]]  # a batch, its waiter
CHUNK = 100  # deliveries marked `sending` at once: at most this many resent after a kill


class Claimant(Protocol):
    """Names the claims of this run and tells whether another claimant's process is gone."""

    def sees_dead(self, other: str) -> bool: ...


class Progress(Protocol):
    def advance(self, count: int) -> None: ...


class _NoProgress:
    def advance(self, count: int) -> None:
        pass


class _NoLock:
    def check(self) -> None:
        pass


NO_LOCK: HeldLock = _NoLock()


@dataclass
class Runner:
    """Everything a run needs, built by the composition root."""

    store: Store
    calendar: Calendar
    inputs: PlanInputs
    composer: Composer
    email: EmailChannel
    events: Sequence[EventChannel]
    claimant: Claimant
    progress: Progress = field(default_factory=_NoProgress)
    sender: EmailSender | None = None
    lease: timedelta = LEASE
    lock: HeldLock = NO_LOCK
    at: datetime | None = None  # the run's instant; by default from the composer's clock

    def __post_init__(self) -> None:
        if self.at is None:
            now = self.composer.clock()
            self.at = run_instant(self.inputs.as_of, self.composer.zone, now)
        if self.sender is None:
            self.sender = EmailSender(self.email, self.composer.email)

    @property
    def channel_names(self) -> list[str]:
        return [self.email.name, *(c.name for c in self.events)]

    @property
    def instant(self) -> datetime:
        """The one instant this run acts at (see core.instant.run_instant)."""
        assert self.at is not None
        return self.at

    @property
    def owner(self) -> str:
        return str(self.claimant)

    def run(self) -> RunSummary:
        """One run, under the run lock the caller holds (`lock`)."""
        started = time.perf_counter()
        summary = RunSummary(self.inputs.as_of)
        summary.channels = {name: ChannelStats() for name in self.channel_names}
        assert self.sender is not None
        with self.sender.running():
            run_id = self.store.start_run(self.inputs.as_of, self.instant)
            self._release_abandoned(summary)
            self._send_due(run_id, self._retry_earlier(summary), summary)
            summary.halted = self.sender.halted.reason if self.sender.halted else None
            if self.events:
                burndown = refresh_health(
                    self.store, self.calendar, self.instant, self.events, self.composer
                )
                summary.health = burndown.as_dict()
            summary.seconds = time.perf_counter() - started
            self.store.finish_run(run_id, self.instant, counts(summary))
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

    def _release_abandoned(self, summary: RunSummary) -> None:
        """Take back what runs that are gone left `sending` (outcome unknown), committed before
        anything is sent again; each is resent below, or failed for good after too many."""
        now = self.composer.clock()

        def gone(owner: str | None, lease_until: datetime | None) -> bool:
            expired = lease_until is None or lease_until <= now
            return owner is None or expired or self.claimant.sees_dead(owner)

        for released in self.store.release_abandoned(self.channel_names, now, gone):
            stats = summary.channels[released.channel]
            if released.given_up:
                stats.fail(UNKNOWN_GIVEN_UP)
                continue
            stats.resent_unknown += 1
            summary.resent_unknown += released.channel == self.email.name

    def _retry_earlier(self, summary: RunSummary) -> int:
        """Deliver what earlier runs recorded but did not deliver; returns the last id seen."""
        cursor = 0
        while page := self.store.pending_deliveries(self.channel_names, cursor, PAGE):
            cursor = page[-1].delivery_id
            page = [d for d in page if d.status != "sending"]  # a live run holds the others
            stored = self.store.stored_notices({d.notice_id for d in page})
            prepared = {
                s.key: self.composer.prepare(notice_from_ledger(s, self.calendar))
                for s in stored.values()
            }
            summary.retried += len(prepared)
            self._deliver(page, prepared, summary)
        return cursor

    def _send_new(self, run_id: int, started: Started, cursor: int, summary: RunSummary) -> int:
        """Record a batch in the ledger, then deliver it (the outbox pattern)."""
        batch, collect = started
        prepared = collect()
        rows = [(p.notice, p.message_id, p.rendered.subject) for p in prepared.values()]
        summary.notices += self.store.record_notices(run_id, rows, self.channel_names, self.instant)
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
        """Deliver a page in chunks. A delivery whose outcome was lost before goes alone: a
        kill then costs it a lost outcome only if it was really in flight, not merely claimed
        with a hundred others, so it is not given up after three unlucky kills."""
        page = [d for d in page if d.key in prepared]
        for doubtful in (d for d in page if d.unknown_outcomes):
            self._deliver_chunk([doubtful], prepared, summary)
        sure = [d for d in page if not d.unknown_outcomes]
        for start in range(0, len(sure), CHUNK):
            self._deliver_chunk(sure[start : start + CHUNK], prepared, summary)

    def _deliver_chunk(
        self, chunk: list[PendingDelivery], prepared: dict[NoticeKey, Prepared], summary: RunSummary
    ) -> None:
        assert self.sender is not None
        self.lock.check()
        if self.sender.down:
            deferred = [d for d in chunk if d.channel == self.email.name]
            summary.channels[self.email.name].deferred += len(deferred)
            chunk = [d for d in chunk if d.channel != self.email.name]
        chunk = self._claim(chunk)
        mail = [(d, prepared[d.key]) for d in chunk if d.channel == self.email.name]
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
        self.store.settle(outcomes, self.owner, self.instant)
        self._suppress_refused(outcomes)

    def _plan(self, item: Prepared) -> Schedule:
        return policy_of(self.events).schedule(item.notice.runtime)

    def _claim(self, chunk: list[PendingDelivery]) -> list[PendingDelivery]:
        """The deliveries of `chunk` this run now holds; another process holds the rest."""
        now = self.composer.clock()
        ids = [d.delivery_id for d in chunk]
        taken = self.store.claim(ids, self.owner, now + self.lease, now)
        return [d for d in chunk if d.delivery_id in taken]

    def _suppress_refused(self, outcomes: list[Outcome]) -> None:
        """A recipient refused as unknown ("no such user") is never written to again."""
        for outcome in outcomes:
            for refusal in outcome.refused:
                if refusal.permanent:
                    self.store.add_suppression(
                        refusal.address, f"refused: {refusal.reason}", self.instant
                    )

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
        if item.error is not None:
            stats.fail(item.error)
            return Outcome(delivery.delivery_id, "failed", error=item.error, permanent=True)
        try:
            events = self.composer.health_events(item, self.instant, self._plan(item))
            ids = [target.deliver(e).provider_id for e in events]
        except DeliveryError as exc:
            stats.fail(exc.reason)
            return Outcome(
                delivery.delivery_id, "failed", error=exc.reason, permanent=not exc.retryable
            )
        stats.delivered += 1
        return Outcome(
            delivery.delivery_id, "delivered", provider_id=ids[0] if len(ids) == 1 else None
        )
