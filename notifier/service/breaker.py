"""The breaker: the same permanent rejection of `limit` messages in a row on one channel (a
sender SES has not verified, a relay refusing the sender or every recipient the same way) is the
set-up's fault, not the messages'. It stops the channel for the rest of the run: nothing more is
handed to it, and the deliveries that tripped it go back to pending with the rest, so that the
next run, once the set-up is fixed, sends everything.

A success, or any other answer, starts the count again. A rejection that is a message's own
(an address that cannot be written, every mailbox unknown) neither counts nor trips it."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from notifier.core.errors import ChannelDown, DeliveryError

Rejected = tuple[int, str]  # a delivery id, the reason it was refused


@dataclass
class Breaker:
    """Watches one channel's answers, in the order they come (from any worker thread)."""

    channel: str
    limit: int  # 0: never trips
    tripped: ChannelDown | None = None
    _kind: str | None = None
    _streak: list[Rejected] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def observe(self, delivery_id: int, answer: object) -> ChannelDown | None:
        """Count one answer of the channel (a result or a DeliveryError); returns the ChannelDown
        when this answer trips the breaker."""
        with self._lock:
            if self.limit <= 0:
                return None
            if not isinstance(answer, DeliveryError) or not _set_up_rejection(answer):
                if self.tripped is None:
                    self._kind, self._streak = None, []
                return None
            if self.tripped is not None:  # one in flight on another connection when it tripped
                if answer.kind == self._kind:
                    self._streak.append((delivery_id, answer.reason))
                return None
            if answer.kind != self._kind:
                self._kind, self._streak = answer.kind, []
            self._streak.append((delivery_id, answer.reason))
            if len(self._streak) < self.limit:
                return None
            self.tripped = ChannelDown(self._why(answer), setting="delivery.breaker")
            return self.tripped

    def take_tripping(self) -> list[Rejected]:
        """After it tripped: the deliveries that tripped it (and any refused the same way on
        another connection meanwhile) not taken yet, to go back to pending."""
        with self._lock:
            if self.tripped is None:
                return []
            taken, self._streak = self._streak, []
            return taken

    def _why(self, last: DeliveryError) -> str:
        same = len({reason for _, reason in self._streak}) == 1
        return (
            f"{self.channel}: stopped after {len(self._streak)} messages in a row were refused "
            f"the same way: {last.reason if same else last.kind}; nothing more was sent, they "
            "and the rest wait for the next run: fix the set-up and run again"
        )


def _set_up_rejection(answer: DeliveryError) -> bool:
    """A final refusal that may be the set-up's: not a message's own, not a channel down."""
    return not (isinstance(answer, ChannelDown) or answer.retryable or answer.of_message)
