"""Records the store hands to the use cases: plain values, no behaviour."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from notifier.core.domain import DatedMilestone, NoticeKey


@dataclass(frozen=True)
class PairCount:
    """How many in-scope (Zip) functions an account has on a runtime."""

    account_id: str
    runtime: str
    functions: int


@dataclass(frozen=True)
class InventorySummary:
    accounts: int
    functions: int
    in_scope: int
    container_images: int
    no_runtime: int
    unknown_runtime: int

    def to_json(self) -> dict[str, int]:
        """Exactly what `notifier inventory import --json` prints."""
        return asdict(self)


@dataclass(frozen=True)
class PendingDelivery:
    """A delivery not yet delivered, with the notice it carries rebuilt from the ledger."""

    delivery_id: int
    channel: str
    notice_id: int
    key: NoticeKey
    attempts: int
    status: str
    unknown_outcomes: int = 0  # times it was handed over by a run that died before recording it


@dataclass(frozen=True)
class StoredNotice:
    """A notice as the ledger keeps it: enough to render the same message again."""

    notice_id: int
    key: NoticeKey
    account_name: str
    milestone: DatedMilestone
    as_of: date
    recipients: tuple[str, ...]
    functions: tuple[str, ...]
    successor: str | None
    message_id: str
    subject: str


@dataclass(frozen=True)
class Refusal:
    """One recipient a provider refused while it accepted the message for others."""

    address: str
    reason: str
    permanent: bool  # a "no such user" kind of refusal: the address goes on the suppression list


@dataclass(frozen=True)
class Outcome:
    """What happened to one delivery attempt."""

    delivery_id: int
    status: str  # delivered | failed | pending (left for the next run) | undeliverable
    error: str | None = None
    provider_id: str | None = None
    permanent: bool = False  # a failure no later run retries
    attempts: int = 1  # how many tries this outcome took (in-run retries included)
    refused: tuple[Refusal, ...] = ()  # recipients refused while the message went to others
    skipped: tuple[str, ...] = ()  # recipients left out: on the suppression list


@dataclass(frozen=True)
class Released:
    """A delivery taken back from an owner that is gone: to be sent again, or given up for good
    after its outcome was lost too often."""

    delivery_id: int
    channel: str
    given_up: bool


@dataclass(frozen=True)
class Suppression:
    """An address notices are never sent to, and why."""

    address: str
    reason: str
    created_at: datetime


@dataclass(frozen=True)
class HistoryRow:
    notice: StoredNotice
    sent_on: date
    channels: Mapping[str, str] = field(default_factory=dict)
    refused: Mapping[str, tuple[Refusal, ...]] = field(default_factory=dict)  # by channel
