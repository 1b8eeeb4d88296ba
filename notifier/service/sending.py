"""Handing emails to a channel: suppression, a pool of workers, in-run retries with backoff.

A transient failure is tried again after an exponential delay with jitter, up to `max_attempts`
tries in one run, then left for the next run; a permanent one is settled at once. When a whole
chunk failed transiently and nothing got through, the channel is taken as down: the run stops
handing it messages (they stay open for the next run) instead of waiting out every backoff.
With a pace, each message waits for its slot of the shared send budget; a throttling answer
slows that budget for every process, and a message still throttled after its tries is left
pending, never failed.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from notifier.channels.base import (
    ChannelDown,
    DeliveryError,
    DeliveryResult,
    EmailChannel,
    OutgoingEmail,
)
from notifier.core.records import Outcome, PendingDelivery
from notifier.service.breaker import Breaker, Rejected
from notifier.service.compose import Prepared

Job = tuple[PendingDelivery, Prepared]
log = logging.getLogger("notifier")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 30.0

    def delay(self, retry: int, rng: random.Random) -> float:
        """Before the `retry`-th retry (1, 2, ...): base * 2^(retry-1), capped, half of it
        jittered so that parallel workers do not come back at the same instant."""
        ceiling = min(self.backoff_max, self.backoff_base * 2.0 ** (retry - 1))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


class Pacer(Protocol):
    """The send budget: a slot before each message, slower after a throttling answer."""

    def acquire(self) -> None: ...

    def throttled(self) -> None: ...


@dataclass
class EmailSender:
    channel: EmailChannel
    build: Callable[[Prepared], OutgoingEmail]
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    parallel: int = 1
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    down: str | None = None
    halted: ChannelDown | None = None
    breaker: Breaker | None = None
    pace: Pacer | None = None
    _pool: ThreadPoolExecutor | None = None

    @contextmanager
    def running(self) -> Iterator[EmailSender]:
        """Workers for the length of a run; the channel's connections closed at the end."""
        if self.parallel > 1:
            self._pool = ThreadPoolExecutor(self.parallel, thread_name_prefix="deliver")
        try:
            yield self
        finally:
            if self._pool is not None:
                self._pool.shutdown()
                self._pool = None
            self.channel.close()

    def send(self, jobs: Sequence[Job]) -> list[Outcome]:
        """Deliver every job, retrying transient failures; one outcome per job."""
        outcomes: list[Outcome] = []
        todo, tries, succeeded = list(jobs), 0, False
        while todo:
            tries += 1
            if tries > 1:
                self.sleep(self.retry.delay(tries - 1, self.rng))
            again: list[Job] = []
            for job, result in self._map(todo):
                if isinstance(result, DeliveryResult):
                    succeeded = True
                    outcomes.append(_delivered(job, result, tries))
                elif self._keeps(result):
                    outcomes.append(_kept(job, result))
                elif result.retryable and tries < self.retry.max_attempts:
                    again.append(job)
                elif result.throttled:  # never failed for it: left for the next run
                    outcomes.append(_kept(job, result))
                else:
                    outcomes.append(_failed(job, result, tries))
            todo = again
        if jobs and not succeeded and all(not o.permanent for o in outcomes):
            self.down = self.down or outcomes[-1].error
        return outcomes

    def _keeps(self, error: DeliveryError) -> bool:
        """Whether a job goes back to pending untouched: the channel stopped (its set-up is
        wrong), so the fault is not the message's."""
        if isinstance(error, ChannelDown) and self.halted is None:
            self.halted, self.down = error, error.reason
        return self.halted is not None and error.retryable

    def _map(self, jobs: Sequence[Job]) -> Iterator[tuple[Job, DeliveryResult | DeliveryError]]:
        if self._pool is None:
            return map(self._one, jobs)
        return self._pool.map(self._one, jobs)

    def _one(self, job: Job) -> tuple[Job, DeliveryResult | DeliveryError]:
        if job[1].error is not None:
            return job, DeliveryError(job[1].error, retryable=False)
        if self.halted is not None:
            return job, self.halted
        try:
            answer: DeliveryResult | DeliveryError = self._paced(self.build(job[1]))
        except DeliveryError as error:
            answer = error
        except Exception as error:  # one notice's failure (say, an address no step can carry)
            log.debug("cannot send %s", job[0].key, exc_info=error)
            reason = f"cannot send this notice: {type(error).__name__}: {error}"
            return job, DeliveryError(reason, retryable=False, of_message=True)
        self._observe(job, answer)
        return job, answer

    def _paced(self, message: OutgoingEmail) -> DeliveryResult:
        """The message handed over in its send slot; a throttling answer slows the budget."""
        if self.pace is None:
            return self.channel.deliver(message)
        self.pace.acquire()
        try:
            return self.channel.deliver(message)
        except DeliveryError as error:
            if error.throttled:
                self.pace.throttled()
            raise

    def _observe(self, job: Job, answer: DeliveryResult | DeliveryError) -> None:
        """The breaker sees every answer: the same rejection too many times in a row stops
        the channel (later jobs are kept pending without being tried)."""
        if self.breaker is not None and (
            tripped := self.breaker.observe(job[0].delivery_id, answer)
        ):
            self.halted, self.down = tripped, tripped.reason

    def take_tripping(self) -> list[Rejected]:
        """The deliveries that tripped the breaker (once): they go back to pending."""
        return self.breaker.take_tripping() if self.breaker is not None else []


def _delivered(job: Job, result: DeliveryResult, tries: int) -> Outcome:
    return Outcome(
        job[0].delivery_id,
        "delivered",
        provider_id=result.provider_id,
        attempts=tries,
        refused=result.refused,
    )


def _kept(job: Job, error: DeliveryError) -> Outcome:
    return Outcome(job[0].delivery_id, "pending", error=error.reason, attempts=0)


def _failed(job: Job, error: DeliveryError, tries: int) -> Outcome:
    permanent = not error.retryable
    return Outcome(
        job[0].delivery_id, "failed", error=error.reason, permanent=permanent, attempts=tries
    )
