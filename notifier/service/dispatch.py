"""Dispatchers: one per channel kind. Each takes a chunk's jobs for its channel and returns one
outcome per job; counting is left to the run, which counts outcomes in one place."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

from notifier.channels.base import DeliveryError, EventChannel
from notifier.core.health import HealthEvent
from notifier.core.records import Outcome
from notifier.service.breaker import Rejected
from notifier.service.compose import Prepared
from notifier.service.sending import EmailSender, Job


@dataclass
class EmailDispatcher:
    """Suppression, then the sender (pool, in-run retries, a channel that is down)."""

    sender: EmailSender
    suppressed: Callable[[Collection[str]], set[str]]

    @property
    def name(self) -> str:
        return self.sender.channel.name

    @property
    def down(self) -> str | None:
        """Why the channel takes no more messages this run, if it does not."""
        return self.sender.down

    @property
    def halted(self) -> str | None:
        """Why the channel was stopped for the run: its set-up is wrong (a setting to fix)."""
        return self.sender.halted.reason if self.sender.halted else None

    def take_tripping(self) -> list[Rejected]:
        """The deliveries that tripped the channel's breaker (once): back to pending."""
        return self.sender.take_tripping()

    @contextmanager
    def running(self) -> Iterator[EmailDispatcher]:
        with self.sender.running():
            yield self

    def dispatch(self, jobs: Sequence[Job]) -> list[Outcome]:
        addresses = {r for _, item in jobs for r in item.notice.recipients}
        blocked = self.suppressed(addresses) if addresses else set()
        kept, outcomes, skipped = without_suppressed(jobs, blocked)
        for outcome in self.sender.send(kept):
            left_out = skipped.get(outcome.delivery_id, ())
            note = "skipped suppressed: " + ", ".join(left_out) if left_out else None
            outcomes.append(replace(outcome, skipped=left_out, error=outcome.error or note))
        return outcomes


def without_suppressed(
    jobs: Sequence[Job], blocked: set[str]
) -> tuple[list[Job], list[Outcome], dict[int, tuple[str, ...]]]:
    """Jobs with suppressed recipients left out; a job left with none is settled undeliverable
    (final, never retried). Also returns, by delivery id, who was left out."""
    kept: list[Job] = []
    settled: list[Outcome] = []
    skipped: dict[int, tuple[str, ...]] = {}
    for delivery, item in jobs:
        recipients = item.notice.recipients
        left_out = tuple(r for r in recipients if r.strip().lower() in blocked)
        if len(left_out) == len(recipients):
            why = "suppressed: " + ", ".join(left_out) if left_out else "no recipient"
            outcome = Outcome(delivery.delivery_id, "undeliverable", why, permanent=True)
            settled.append(replace(outcome, skipped=left_out))
            continue
        if left_out:
            skipped[delivery.delivery_id] = left_out
            rest = tuple(r for r in recipients if r not in left_out)
            item = replace(item, notice=replace(item.notice, recipients=rest))
        kept.append((delivery, item))
    return kept, settled, skipped


@dataclass
class EventDispatcher:
    """Posts each job's health events to one channel, then makes them durable (flush)."""

    channel: EventChannel
    events: Callable[[Prepared], list[HealthEvent]]

    @property
    def name(self) -> str:
        return self.channel.name

    def dispatch(self, jobs: Sequence[Job]) -> list[Outcome]:
        outcomes = [self._attempt(delivery.delivery_id, item) for delivery, item in jobs]
        try:
            self.channel.flush()
        except DeliveryError as exc:  # not durable: what was posted since the last flush failed
            failed = Outcome(0, "failed", error=exc.reason)
            return [
                replace(failed, delivery_id=o.delivery_id) if o.status == "delivered" else o
                for o in outcomes
            ]
        return outcomes

    def _attempt(self, delivery_id: int, item: Prepared) -> Outcome:
        if item.error is not None:
            return Outcome(delivery_id, "failed", error=item.error, permanent=True)
        try:
            ids = [self.channel.deliver(e).provider_id for e in self.events(item)]
        except DeliveryError as exc:
            return Outcome(delivery_id, "failed", error=exc.reason, permanent=not exc.retryable)
        return Outcome(delivery_id, "delivered", provider_id=ids[0] if len(ids) == 1 else None)
