"""SqlStore: the Store port on SQLite or PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime

from sqlalchemy import Engine

from notifier.core.domain import Account, DatedMilestone, Function, Notice
from notifier.core.health import (
    AffectedEntity,
    Burndown,
    EntityStatus,
    EventFilter,
    HealthEvent,
    StatusCounts,
)
from notifier.core.lifecycle import Schedule
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
from notifier.store import accounts as accounts_table
from notifier.store import (
    attempts,
    health,
    health_queries,
    health_texts,
    inventory,
    ledger,
    lifecycle,
    schema,
)
from notifier.store import engine as engines
from notifier.store.guard import guarded
from notifier.store.lock import HeldLock, run_lock
from notifier.store.models import RunRow
from notifier.store.session import writing
from notifier.store.suppression import (
    add_suppression,
    remove_suppression,
    suppressed,
    suppressions,
)


class SqlStore:
    """Accounts, inventory, the notice ledger, deliveries, runs and health events in SQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # An in-memory SQLite database lives on one connection: never hold it across a yield.
        self._buffer = engines.is_sqlite(engine) and engines.sqlite_path(engine) is None

    @classmethod
    def open(cls, url: str, upgrade: bool = True) -> SqlStore:
        """A store on `url`, its schema brought up to date unless `upgrade` is False."""
        engine = engines.make_engine(url)
        if upgrade:
            schema.upgrade(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    @guarded
    def upsert_accounts(self, accounts: Sequence[Account], at: datetime) -> tuple[int, int]:
        """Insert or update accounts by id; returns (inserted, updated). One transaction."""
        return accounts_table.upsert_accounts(self.engine, accounts, at)

    @guarded
    def replace_inventory(
        self, functions: Mapping[str, Sequence[Function]], known_runtimes: Collection[str]
    ) -> InventorySummary:
        """Replace the whole function list of every account in `functions`, in one transaction."""
        return inventory.replace_inventory(self.engine, functions, known_runtimes)

    @guarded
    def count_accounts(self) -> int:
        return accounts_table.count_accounts(self.engine)

    @guarded
    def holds_data(self, besides: Collection[str] = ()) -> bool:
        return accounts_table.holds_data(self.engine, besides)

    @guarded
    def accounts(self, account_ids: Collection[str]) -> dict[str, Account]:
        return accounts_table.accounts(self.engine, account_ids)

    def affected_pairs(
        self, runtimes: Collection[str], account_ids: Collection[str] | None = None
    ) -> Iterator[PairCount]:
        """In-scope pairs on the given runtimes, ordered by account id then runtime."""
        return inventory.affected_pairs(self.engine, runtimes, account_ids, self._buffer)

    @guarded
    def function_arns(self, pairs: Collection[PairKey]) -> dict[PairKey, tuple[str, ...]]:
        """The in-scope function ARNs of each pair, sorted."""
        return inventory.function_arns(self.engine, pairs)

    @guarded
    def sent_milestones(
        self, account_ids: Collection[str] | None = None
    ) -> dict[PairKey, list[DatedMilestone]]:
        return ledger.sent_milestones(self.engine, account_ids)

    @guarded
    def start_run(self, as_of: date, started_at: datetime) -> int:
        with writing(self.engine) as session:
            run = RunRow(as_of=as_of, started_at=started_at)
            session.add(run)
            session.flush()
            assert run.id is not None
            return run.id

    @guarded
    def finish_run(self, run_id: int, finished_at: datetime, summary: Mapping[str, int]) -> None:
        with writing(self.engine) as session:
            run = session.get(RunRow, run_id)
            if run is None:
                raise LookupError(f"no run {run_id} in the store")
            run.finished_at = finished_at
            run.summary = json.dumps(dict(summary), sort_keys=True)

    @guarded
    def record_notices(
        self,
        run_id: int,
        notices: Sequence[tuple[Notice, str, str]],
        channels: Sequence[str],
        at: datetime,
    ) -> int:
        """Record (notice, message_id, subject) rows and a pending delivery per channel; one
        transaction; a notice whose key is already in the ledger is skipped. Returns how many."""
        return ledger.record_notices(self.engine, run_id, notices, channels, at)

    @guarded
    def pending_deliveries(
        self, channels: Collection[str], after_id: int, limit: int
    ) -> list[PendingDelivery]:
        """Deliveries still pending or failed-retryable, by id, for resumable batches."""
        return ledger.pending_deliveries(self.engine, channels, after_id, limit)

    @guarded
    def stored_notices(self, notice_ids: Collection[int]) -> dict[int, StoredNotice]:
        return ledger.stored_notices(self.engine, notice_ids)

    @guarded
    def claim(
        self, delivery_ids: Sequence[int], owner: str, lease_until: datetime, at: datetime
    ) -> set[int]:
        """Claim open, unclaimed deliveries for `owner`; the ids taken, committed."""
        return attempts.claim(self.engine, delivery_ids, owner, lease_until, at)

    @guarded
    def release_abandoned(
        self,
        channels: Sequence[str],
        at: datetime,
        gone: Callable[[str | None, datetime | None], bool],
    ) -> list[Released]:
        """Take back `sending` deliveries whose owner is gone; committed before any resend."""
        return attempts.release_abandoned(self.engine, channels, at, gone)

    @guarded
    def settle(self, outcomes: Sequence[Outcome], owner: str, at: datetime) -> None:
        """Record outcomes of deliveries `owner` holds (attempts += tries), one transaction."""
        attempts.settle(self.engine, outcomes, owner, at)

    @guarded
    def suppressed(self, addresses: Collection[str]) -> set[str]:
        return suppressed(self.engine, addresses)

    @guarded
    def add_suppression(self, address: str, reason: str, at: datetime) -> bool:
        return add_suppression(self.engine, address, reason, at)

    @guarded
    def remove_suppression(self, address: str) -> bool:
        return remove_suppression(self.engine, address)

    @guarded
    def suppressions(self) -> list[Suppression]:
        return suppressions(self.engine)

    @guarded
    def history(self, account_ids: Collection[str] | None = None) -> list[HistoryRow]:
        return ledger.history(self.engine, account_ids)

    @guarded
    def upsert_health_events(self, events: Sequence[HealthEvent]) -> None:
        health.upsert_health_events(self.engine, events)

    @guarded
    def health_events(self, account_ids: Collection[str] | None = None) -> list[HealthEvent]:
        return health.health_events(self.engine, account_ids)

    @guarded
    def refresh_health(self, now: datetime, dates: Mapping[str, Schedule]) -> Burndown:
        return lifecycle.refresh(self.engine, now, dates)

    @guarded
    def health_metadata_versions(self) -> list[tuple[str, str]]:
        return health_texts.metadata_versions(self.engine)

    @guarded
    def health_events_with_metadata(self, runtime: str, metadata: str) -> list[tuple[str, str]]:
        return health_texts.events_with_metadata(self.engine, runtime, metadata)

    @guarded
    def rewrite_health_texts(
        self, texts: Sequence[tuple[str, str | None, Mapping[str, str]]], at: datetime
    ) -> None:
        health_texts.rewrite(self.engine, texts, at)

    @guarded
    def latest_notices(self, runtime: str, account_ids: Collection[str]) -> dict[str, StoredNotice]:
        return ledger.latest_notices(self.engine, runtime, account_ids)

    @guarded
    def health_event_page(
        self, wanted: EventFilter, after: str | None, limit: int
    ) -> list[HealthEvent]:
        return health_queries.event_page(self.engine, wanted, after, limit)

    @guarded
    def health_entity_page(
        self, event_arn: str, statuses: Collection[EntityStatus], after: str | None, limit: int
    ) -> list[AffectedEntity]:
        return health_queries.entity_page(self.engine, event_arn, statuses, after, limit)

    @guarded
    def health_events_by_arn(self, arns: Collection[str]) -> list[HealthEvent]:
        return health_queries.events_by_arn(self.engine, arns)

    @guarded
    def health_status_counts(
        self, after: str | None, limit: int, at: datetime | None = None
    ) -> list[StatusCounts]:
        return health_queries.status_counts(self.engine, after, limit, at)

    @guarded
    def published_versions(self, channel: str, arns: Collection[str]) -> dict[str, datetime]:
        return health_queries.published(self.engine, channel, arns)

    @guarded
    def mark_published(self, channel: str, versions: Mapping[str, datetime]) -> None:
        health_queries.mark_published(self.engine, channel, versions)

    def run_lock(self, wait: bool) -> AbstractContextManager[HeldLock]:
        """Held for a whole run; raises RunLockedError at once when not `wait`ing and taken."""
        return run_lock(self.engine, wait=wait)
