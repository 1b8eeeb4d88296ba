"""A scheduled run: plan, record, render, deliver, report. Outbox pattern throughout.

Each chunk of deliveries is claimed (`sending`, this run's name, a lease; committed) before any
is handed to a channel and settled afterwards; a delivery another process holds is never
claimed, so nothing is sent twice whatever happens to the run lock, which is checked before
each chunk. A delivery left `sending` by a run that is gone (killed on this host, or its lease
expired) was handed over without its outcome recorded: it is released, the lost outcome counted
and committed, then sent again with the same Message-ID (a duplicate, if any, is identifiable)
and counted as `resent_unknown`; after three lost outcomes it fails for good.

A run is a planning half (plan, record: `plan_only` stops there) and a delivering half (claim,
render from the ledger, deliver, settle: `work`, what a worker does on any host, without the
run lock, as many at once as wanted: the claims keep them apart).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from notifier.core.domain import Calendar, NoticeKey
from notifier.core.records import Outcome, PendingDelivery
from notifier.service.compose import Composer, Prepared, notice_from_ledger
from notifier.service.dispatch import EmailDispatcher, EventDispatcher
from notifier.service.lifecycle import refresh_health
from notifier.service.planning import PlanInputs, due_batches
from notifier.service.ports import HeldLock, Stores
from notifier.service.sending import Job
from notifier.service.summary import RunSummary, counts

PAGE = 1000
# How long a claim holds before another run may take the delivery over. A run on this host sees
# at once that a killed run is gone; a run on another host waits this long.
LEASE = timedelta(minutes=10)
UNKNOWN_GIVEN_UP = "outcome unknown: handed over three times without its outcome recorded"
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


def _never() -> bool:
    return False


NO_LOCK: HeldLock = _NoLock()
NO_PROGRESS: Progress = _NoProgress()


@dataclass
class Runner:
    """Everything a run needs, built by the composition root."""

    stores: Stores
    calendar: Calendar
    inputs: PlanInputs
    composer: Composer
    email: EmailDispatcher
    events: Sequence[EventDispatcher]
    claimant: Claimant
    at: datetime  # the run's one instant (core.instant.run_instant), chosen by the caller
    progress: Progress = field(default_factory=_NoProgress)
    lease: timedelta = LEASE
    lock: HeldLock = NO_LOCK
    deferred: frozenset[NoticeKey] = frozenset()  # left for the next run (service.quota)
    plan_only: bool = False  # record the day's notices and deliveries, deliver none
    only: Sequence[str] = ()  # work on these channels' deliveries alone (default: every one)
    stopping: Callable[[], bool] = _never  # asked before each chunk: True ends the work there
    summary: RunSummary = field(init=False)

    @property
    def channel_names(self) -> list[str]:
        return [self.email.name, *(c.name for c in self.events)]

    @property
    def owner(self) -> str:
        return str(self.claimant)

    @property
    def open_channels(self) -> list[str]:
        """The channels whose deliveries this runner takes on."""
        return list(self.only) or self.channel_names

    def run(self) -> RunSummary:
        """One run, under the run lock the caller holds (`lock`)."""
        started = time.perf_counter()
        self.summary = RunSummary(self.inputs.as_of, self.email.name, self.channel_names)
        with self.email.running():
            run_id = self.stores.ledger.start_run(self.inputs.as_of, self.at)
            if self.plan_only:
                self._send_due(run_id, 0)
            else:
                self._release_abandoned()
                self._send_due(run_id, self._retry_earlier())
            self.summary.halted = self.email.halted
            self._refresh_health()
            self.summary.seconds = time.perf_counter() - started
            self.stores.ledger.finish_run(run_id, self.at, counts(self.summary))
        return self.summary

    def work(self) -> RunSummary:
        """Deliver what is open (recorded by runs, plan-only or not), planning nothing and
        without the run lock: take back what gone owners left `sending`, then claim, render
        from the ledger, deliver and settle a chunk at a time, until none is left or
        `stopping` says so (the chunk under way is finished first)."""
        started = time.perf_counter()
        self.summary = RunSummary(self.inputs.as_of, self.email.name, self.channel_names)
        with self.email.running():
            self._release_abandoned()
            self._retry_earlier()
            self.summary.halted = self.email.halted
        self.summary.seconds = time.perf_counter() - started
        return self.summary

    def _refresh_health(self) -> None:
        if self.events:
            channels = [e.channel for e in self.events]
            burndown = refresh_health(self.stores, self.calendar, self.at, channels, self.composer)
            self.summary.health = burndown.as_dict()

    def _send_due(self, run_id: int, cursor: int) -> None:
        """Plan, record and deliver the due notices a batch at a time. Each batch is handed to
        the renderers before the one before it is delivered, and a batch is recorded and
        delivered a group at a time as its groups are rendered: the worker processes render
        while this process plans, records and delivers, with no wait for a whole batch."""
        ahead: Iterator[list[Prepared]] | None = None
        for batch in due_batches(self.stores, self.inputs):
            next_one = self.composer.start_all(batch)
            if ahead is not None:
                cursor = self._send_new(run_id, ahead, cursor)
            ahead = next_one
        if ahead is not None:
            self._send_new(run_id, ahead, cursor)

    def _release_abandoned(self) -> None:
        """Take back what runs that are gone left `sending` (outcome unknown), committed before
        anything is sent again; each is resent below, or failed for good after too many."""
        now = self.composer.clock()

        def gone(owner: str | None, lease_until: datetime | None) -> bool:
            expired = lease_until is None or lease_until <= now
            return owner is None or expired or self.claimant.sees_dead(owner)

        for released in self.stores.deliveries.release_abandoned(self.open_channels, now, gone):
            if released.given_up:
                lost = Outcome(released.delivery_id, "failed", UNKNOWN_GIVEN_UP, attempts=0)
                self.summary.count(released.channel, lost)
                continue
            self.summary.channels[released.channel].resent_unknown += 1
            self.summary.resent_unknown += released.channel == self.email.name

    def _retry_earlier(self) -> int:
        """Deliver what earlier runs recorded but did not deliver; returns the last id seen."""
        cursor = 0
        while not self.stopping() and (page := self._pending(cursor)):
            cursor = page[-1].delivery_id
            page = [d for d in page if d.status != "sending"]  # a live run holds the others
            for start in range(0, len(page), CHUNK):  # rendered a chunk at a time, as claimed
                part = page[start : start + CHUNK]
                self._deliver(part, self._from_ledger(part))
        return cursor

    def _from_ledger(self, page: list[PendingDelivery]) -> dict[NoticeKey, Prepared]:
        """The messages of `page`, rebuilt from the ledger with their recorded Message-IDs."""
        stored = self.stores.ledger.stored_notices({d.notice_id for d in page})
        prepared = {
            s.key: self.composer.prepare(notice_from_ledger(s, self.calendar), s.message_id)
            for s in stored.values()
        }
        self.summary.retried += len(prepared)
        return prepared

    def _pending(self, after_id: int) -> list[PendingDelivery]:
        return self.stores.deliveries.pending_deliveries(self.open_channels, after_id, PAGE)

    def _send_new(self, run_id: int, groups: Iterator[list[Prepared]], cursor: int) -> int:
        """Record each group of a batch in the ledger, then deliver it (the outbox pattern)."""
        for group in groups:
            prepared = {p.notice.key: p for p in group if p.notice.key not in self.deferred}
            group = list(prepared.values())
            rows = [(p.notice, p.message_id, p.rendered.subject) for p in group]
            self.lock.check()  # a run that lost its lock records nothing more
            ledger = self.stores.ledger
            self.summary.notices += ledger.record_notices(run_id, rows, self.channel_names, self.at)
            while not self.plan_only and (page := self._pending(cursor)):
                self._deliver(page, prepared)
                cursor = page[-1].delivery_id
            self.progress.advance(len(group))
        return cursor

    def _deliver(self, page: list[PendingDelivery], prepared: dict[NoticeKey, Prepared]) -> None:
        """Deliver a page in chunks. A delivery whose outcome was lost before goes alone: a
        kill then costs it a lost outcome only if it was really in flight, not merely claimed
        with a hundred others, so it is not given up after three unlucky kills."""
        page = [d for d in page if d.key in prepared]
        for doubtful in (d for d in page if d.unknown_outcomes):
            self._deliver_chunk([doubtful], prepared)
        sure = [d for d in page if not d.unknown_outcomes]
        for start in range(0, len(sure), CHUNK):
            if self.stopping():
                return
            self._deliver_chunk(sure[start : start + CHUNK], prepared)

    def _deliver_chunk(
        self, chunk: list[PendingDelivery], prepared: dict[NoticeKey, Prepared]
    ) -> None:
        """Claim, hand each channel its jobs, settle, count."""
        self.lock.check()
        deferred = [d for d in chunk if self.email.down and d.channel == self.email.name]
        held = self._claim([d for d in chunk if d not in deferred])
        outcomes: list[Outcome] = []
        dispatchers: list[EmailDispatcher | EventDispatcher] = [self.email, *self.events]
        for dispatcher in dispatchers:
            jobs = [(d, prepared[d.key]) for d in held if d.channel == dispatcher.name]
            if jobs:
                outcomes += self._timed(dispatcher, jobs)
        self.stores.deliveries.settle(outcomes, self.owner, self.at)
        self._suppress_refused(outcomes)
        self._count(held, outcomes)
        self._count(deferred, [_left(d, self.email.down) for d in deferred])  # unclaimed
        self._requeue_tripping()

    def _requeue_tripping(self) -> None:
        """The deliveries that tripped the email channel's breaker (settled failed, in this
        chunk or the ones before) go back to pending: their refusal was the set-up's fault."""
        tripping = self.email.take_tripping()
        if tripping:
            self.stores.deliveries.requeue([delivery_id for delivery_id, _ in tripping], self.at)
            for _, reason in tripping:
                self.summary.requeued(self.email.name, reason)

    def _count(self, rows: list[PendingDelivery], outcomes: list[Outcome]) -> None:
        by_id = {d.delivery_id: d for d in rows}
        for outcome in outcomes:
            row = by_id[outcome.delivery_id]
            self.summary.count(row.channel, outcome, row.key)

    def _timed(
        self, dispatcher: EmailDispatcher | EventDispatcher, jobs: list[Job]
    ) -> list[Outcome]:
        started = time.perf_counter()
        outcomes = dispatcher.dispatch(jobs)
        self.summary.channels[dispatcher.name].seconds += time.perf_counter() - started
        return outcomes

    def _claim(self, chunk: list[PendingDelivery]) -> list[PendingDelivery]:
        """The deliveries of `chunk` this run now holds; another process holds the rest."""
        now = self.composer.clock()
        ids = [d.delivery_id for d in chunk]
        taken = self.stores.deliveries.claim(ids, self.owner, now + self.lease, now)
        return [d for d in chunk if d.delivery_id in taken]

    def _suppress_refused(self, outcomes: list[Outcome]) -> None:
        """A recipient refused as unknown ("no such user") is never written to again."""
        for outcome in outcomes:
            for refusal in outcome.refused:
                if refusal.permanent:
                    reason = f"refused: {refusal.reason}"
                    self.stores.suppressions.add_suppression(refusal.address, reason, self.at)


def _left(delivery: PendingDelivery, why: str | None) -> Outcome:
    return Outcome(delivery.delivery_id, "pending", error=why, attempts=0)
