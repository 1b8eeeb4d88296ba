"""Pacing a run's sends by the budget it shares with every process on the database.

SharedPace hands this process's workers send slots from small batches granted by the store
(a quarter of a second's worth, so the database is asked a few times a second at most), and
sleeps each worker until its slot. A throttling answer halves the shared budget for everyone.
The clock (wall seconds, the same in every process) and the sleep are injected.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from notifier.service.ports import Pace

BATCH_S = 0.25  # a grant covers this many seconds of sending at the base rate


def batch_size(rate: float) -> int:
    return max(1, int(rate * BATCH_S))


@dataclass
class SharedPace:
    store: Pace
    channel: str
    base: float  # messages a second when nothing throttles
    clock: Callable[[], float]  # wall seconds
    sleep: Callable[[float], None]
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _next: float = field(default=0.0, init=False)
    _left: int = field(default=0, init=False)
    _interval: float = field(default=0.0, init=False)

    def acquire(self) -> None:
        """Wait for this process's next send slot."""
        with self._lock:
            if self._left == 0:
                self._refill()
            at = self._next
            self._next += self._interval
            self._left -= 1
        wait = at - self.clock()
        if wait > 0:
            self.sleep(wait)

    def throttled(self) -> None:
        """A throttling answer: the shared budget slows down; this process's slots left are
        given up, so the next ones come at the slower rate."""
        with self._lock:
            self.store.slow(self.channel, self.base, self.clock())
            self._left = 0

    def _refill(self) -> None:
        grant = self.store.take(self.channel, self.base, batch_size(self.base), self.clock())
        self._next, self._left, self._interval = grant.start, grant.count, 1 / grant.rate
