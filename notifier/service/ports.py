"""The ports the use cases need: adapters implement them, tests fake them.

The store is a handful of small roles; `Stores` holds one of each, for the run and the
composition root. A use case takes the roles it needs, or `Stores` when it needs several."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Protocol

from notifier.core.domain import Account, DatedMilestone, Function, Notice
from notifier.core.feedback import QueuedMessage
from notifier.core.health import (
    AffectedEntity,
    Burndown,
    EntityStatus,
    EventFilter,
    HealthEvent,
    StatusCounts,
)
from notifier.core.lifecycle import Schedule
from notifier.core.pace import Grant
from notifier.core.planner import PairKey
from notifier.core.records import (
    HistoryRow,
    InventorySummary,
    Outcome,
    PairCount,
    PendingDelivery,
    Released,
    StoredNotice,
    Suppression,
)


class HeldLock(Protocol):
    def check(self) -> None:
        """Raise RunLockLost when the lock was lost and another run holds it now."""


class RunLock(Protocol):
    def hold(self, wait: bool) -> AbstractContextManager[HeldLock]:
        """Held for a whole run; raises RunLockedError at once when not `wait`ing and taken."""


class Accounts(Protocol):
    def upsert_accounts(self, accounts: Sequence[Account], at: datetime) -> tuple[int, int]:
        """Insert or update accounts by id; returns (inserted, updated). One transaction."""

    def count_accounts(self) -> int: ...

    def holds_data(self, besides: Collection[str] = ()) -> bool:
        """Whether anything is stored: an account, a run, a notice, or a function of an
        account not in `besides`."""

    def accounts(self, account_ids: Collection[str]) -> dict[str, Account]: ...


class Inventory(Protocol):
    def replace_inventory(
        self, functions: Mapping[str, Sequence[Function]], known_runtimes: Collection[str]
    ) -> InventorySummary:
        """Replace the whole function list of every account in `functions`, in one transaction."""

    def affected_pairs(
        self, runtimes: Collection[str], account_ids: Collection[str] | None = None
    ) -> Iterator[PairCount]:
        """In-scope pairs on the given runtimes, ordered by account id then runtime."""

    def function_arns(self, pairs: Collection[PairKey]) -> dict[PairKey, tuple[str, ...]]:
        """The in-scope function ARNs of each pair, sorted."""


class Ledger(Protocol):
    """The runs, and the notices each recorded, with their channels' statuses."""

    def start_run(self, as_of: date, started_at: datetime) -> int: ...

    def finish_run(
        self, run_id: int, finished_at: datetime, summary: Mapping[str, int]
    ) -> None: ...

    def record_notices(
        self,
        run_id: int,
        notices: Sequence[tuple[Notice, str, str]],
        channels: Sequence[str],
        at: datetime,
    ) -> int:
        """Record (notice, message_id, subject) rows and a pending delivery per channel; one
        transaction; a notice whose key is already in the ledger is skipped. Returns how many."""

    def stored_notices(self, notice_ids: Collection[int]) -> dict[int, StoredNotice]: ...

    def sent_milestones(
        self, account_ids: Collection[str] | None = None
    ) -> dict[PairKey, list[DatedMilestone]]: ...

    def latest_notices(self, runtime: str, account_ids: Collection[str]) -> dict[str, StoredNotice]:
        """Each account's newest notice about `runtime`, by account id."""

    def history(
        self, account_ids: Collection[str] | None = None, status: str | None = None
    ) -> list[HistoryRow]:
        """The recorded notices (those with a delivery in `status`, when given), with their
        channels' statuses, by account, runtime and milestone date."""


class Deliveries(Protocol):
    """The deliveries of recorded notices: claimed before they are handed over, then settled."""

    def pending_deliveries(
        self, channels: Collection[str], after_id: int, limit: int
    ) -> list[PendingDelivery]:
        """Deliveries still pending or failed-retryable, by id, for resumable batches."""

    def claim(
        self, delivery_ids: Sequence[int], owner: str, lease_until: datetime, at: datetime
    ) -> set[int]:
        """Claim the open, unclaimed deliveries among `delivery_ids` for `owner` (`sending`,
        leased until `lease_until`) in one atomic statement; returns the ids taken. Committed
        before any is handed over: a delivery another process holds is never among them."""

    def release_abandoned(
        self,
        channels: Sequence[str],
        at: datetime,
        gone: Callable[[str | None, datetime | None], bool],
    ) -> list[Released]:
        """Take back the `sending` deliveries whose owner is `gone` (given its name and lease):
        pending again with the lost outcome counted, or failed for good after too many."""

    def settle(self, outcomes: Sequence[Outcome], owner: str, at: datetime) -> None:
        """Record outcomes of deliveries `owner` holds (attempts += tries), one transaction."""

    def requeue(self, delivery_ids: Collection[int], at: datetime) -> int:
        """Make these failed deliveries pending again, as never tried; returns how many."""

    def requeue_failed(
        self,
        channels: Collection[str],
        account_ids: Collection[str] | None,
        since: date | None,
        at: datetime,
    ) -> int:
        """Make the failed deliveries on `channels` (permanent ones included) of the notices of
        `account_ids` (None: all) recorded on or after `since` pending again, as never tried
        (attempts, lost outcomes and refused recipients cleared); returns how many."""

    def mark_feedback(
        self,
        channel: str,
        ids: tuple[Sequence[str], Sequence[str]],
        status: str,
        note: str,
        at: datetime,
    ) -> int:
        """Set the status (`bounced`, `complained`) and note of `channel`'s deliveries whose
        notice has one of the Message-IDs or whose provider id is one of the provider ids
        (`ids`); returns how many matched. Idempotent."""


class FeedbackQueue(Protocol):
    """Where bounce and complaint notifications wait; raises DeliveryError when unreachable."""

    def receive(self) -> list[QueuedMessage]:
        """The next few messages (hidden from other readers for a while), or none."""

    def delete(self, message: QueuedMessage) -> None:
        """Remove a message for good: only once what it says is recorded."""


class Suppressions(Protocol):
    def suppressed(self, addresses: Collection[str]) -> set[str]:
        """Those of `addresses` on the suppression list, lower-cased."""

    def add_suppression(self, address: str, reason: str, at: datetime) -> bool: ...

    def remove_suppression(self, address: str) -> bool: ...

    def suppressions(self) -> list[Suppression]: ...


class HealthEvents(Protocol):
    """The stored health events: written by a run, read whole or paged as AWS Health does."""

    def upsert_health_events(self, events: Sequence[HealthEvent]) -> None: ...

    def health_events(self, account_ids: Collection[str] | None = None) -> list[HealthEvent]: ...

    def health_events_by_arn(self, arns: Collection[str]) -> list[HealthEvent]:
        """The stored events among `arns`, with their entities, in ARN order."""

    def health_event_page(
        self, wanted: EventFilter, after: str | None, limit: int
    ) -> list[HealthEvent]:
        """At most `limit` matching events (no entities), in ARN order, after the ARN `after`."""

    def health_entity_page(
        self, event_arn: str, statuses: Collection[EntityStatus], after: str | None, limit: int
    ) -> list[AffectedEntity]:
        """At most `limit` entities of an event, in value order, after the value `after`."""

    def health_status_counts(
        self, after: str | None, limit: int, at: datetime | None = None
    ) -> list[StatusCounts]:
        """Per account with events, in id order after `after`: upcoming, open, closed counts."""


class HealthUpkeep(Protocol):
    """Keeping the stored events up to date with the inventory and the calendar."""

    def refresh_health(self, now: datetime, dates: Mapping[str, Schedule]) -> Burndown:
        """The burndown in bulk: entities, statuses and dates of every event brought up to date
        with the inventory and the calendar (runtime -> start, end); one transaction."""

    def health_metadata_versions(self) -> list[tuple[str, str]]:
        """Each distinct (runtime, metadata JSON) the stored events hold."""

    def health_events_with_metadata(self, runtime: str, metadata: str) -> list[tuple[str, str]]:
        """(ARN, account id) of the events of `runtime` holding exactly `metadata`."""

    def rewrite_health_texts(
        self, texts: Sequence[tuple[str, str | None, Mapping[str, str]]], at: datetime
    ) -> None:
        """Set (ARN, description or None to keep it, metadata); lastUpdatedTime moves to `at`."""


class Publications(Protocol):
    """Which version of each health event a publishing channel last posted."""

    def published_versions(self, channel: str, arns: Collection[str]) -> dict[str, datetime]:
        """The lastUpdatedTime of each event that `channel` last posted."""

    def mark_published(self, channel: str, versions: Mapping[str, datetime]) -> None: ...


class Pace(Protocol):
    """Each channel's send budget, shared by every process on the database (core.pace)."""

    def take(self, channel: str, base: float, count: int, now: float) -> Grant:
        """`count` send slots of `channel`'s budget (base rate `base`), from the first free;
        `now` in wall seconds (the same clock in every process)."""

    def slow(self, channel: str, base: float, now: float) -> float:
        """Halve the budget after a throttling answer (recovering gradually); the rate now."""


class Stores(Protocol):
    """One of each role, on one database."""

    @property
    def accounts(self) -> Accounts: ...
    @property
    def inventory(self) -> Inventory: ...
    @property
    def ledger(self) -> Ledger: ...
    @property
    def deliveries(self) -> Deliveries: ...
    @property
    def suppressions(self) -> Suppressions: ...
    @property
    def health(self) -> HealthEvents: ...
    @property
    def upkeep(self) -> HealthUpkeep: ...
    @property
    def publications(self) -> Publications: ...
    @property
    def lock(self) -> RunLock: ...
    @property
    def pace(self) -> Pace: ...
