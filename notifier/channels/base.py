"""The channel seam: one small interface; foreign errors become DeliveryError(retryable=...)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from notifier.core.domain import NoticeKey
from notifier.core.errors import ChannelDown, DeliveryError
from notifier.core.health import HealthEvent
from notifier.core.records import Refusal

__all__ = [
    "ChannelDown",
    "DeliveryError",
    "DeliveryResult",
    "EmailChannel",
    "EventChannel",
    "OutgoingEmail",
    "Refusal",
]


@dataclass(frozen=True)
class OutgoingEmail:
    """A fully built RFC 5322 message and its envelope."""

    key: NoticeKey
    message_id: str
    sender: str
    recipients: tuple[str, ...]
    subject: str
    data: bytes


@dataclass(frozen=True)
class DeliveryResult:
    provider_id: str | None = None
    refused: tuple[Refusal, ...] = ()  # recipients refused while others accepted the message


class EmailChannel(Protocol):
    name: str

    def deliver(self, message: OutgoingEmail) -> DeliveryResult: ...

    def close(self) -> None: ...


class EventChannel(Protocol):
    """Posts health events. A channel may buffer in `deliver`; `flush` makes the buffer durable
    and raises DeliveryError if it could not, in which case every event since the last flush
    counts as failed."""

    name: str

    def deliver(self, message: HealthEvent) -> DeliveryResult: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...
