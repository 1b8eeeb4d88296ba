"""The channel seam: one small interface; foreign errors become DeliveryError(retryable=...).

Two kinds of DeliveryError say more than "this message failed": ChannelDown (the set-up is
wrong, `setting` names the key to fix) and ChannelStalled (the peer stopped answering). A channel
that raised either raises it again at once for every later message on the same object, without
trying: the run stops handing it messages and leaves them for the next run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from notifier.core.addresses import has_ascii_local_part, with_ascii_domain
from notifier.core.domain import NoticeKey
from notifier.core.errors import ChannelDown, ChannelStalled, DeliveryError
from notifier.core.health import HealthEvent
from notifier.core.records import Refusal

__all__ = [
    "ChannelDown",
    "ChannelStalled",
    "Checkable",
    "DeliveryError",
    "DeliveryResult",
    "EmailChannel",
    "EventChannel",
    "OutgoingEmail",
    "Refusal",
    "ascii_address",
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


class Checkable(Protocol):
    """A channel that can try its set-up once before a run: `check` connects (or calls its
    service) as the first message would and returns what it found in a few words, or raises
    ChannelDown (naming the setting to fix) or ConfigError. It sends and records nothing."""

    name: str

    def check(self) -> str: ...


class EventChannel(Protocol):
    """Posts health events. A channel may buffer in `deliver`; `flush` makes the buffer durable
    and raises DeliveryError if it could not, in which case every event since the last flush
    counts as failed."""

    name: str

    def deliver(self, message: HealthEvent) -> DeliveryResult: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


def ascii_address(address: str, channel: str, no_utf8: str) -> str:
    """The address as a peer without SMTPUTF8 takes it: the domain in IDNA form. A local part
    in Unicode (`no_utf8` says why it cannot go) or a domain that is no valid internationalised
    name fails that message for good."""
    if not has_ascii_local_part(address):
        raise DeliveryError(f"{channel}: {address}: {no_utf8}", retryable=False, of_message=True)
    try:
        return with_ascii_domain(address)
    except ValueError as exc:
        raise DeliveryError(
            f"{channel}: {address}: the domain is not a valid internationalised name: {exc}",
            retryable=False,
            of_message=True,
        ) from exc
