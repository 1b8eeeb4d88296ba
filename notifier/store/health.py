"""Health events as AWS Health keeps them: one per (account, Region, runtime), with entities;
read whole, or paged the way the AWS Health API pages them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select

from notifier.core.health import (
    AffectedEntity,
    EntityStatus,
    EventFilter,
    HealthEvent,
    StatusCounts,
)
from notifier.store import state
from notifier.store.guard import SqlRole, guarded
from notifier.store.health_rows import (
    entity_rows,
    event_from_row,
    event_row,
    filtered,
    status_column,
)
from notifier.store.session import (
    AFFECTED_ENTITY,
    HEALTH_EVENT,
    chunks,
    id_chunks,
    reading,
    upsert,
    writing,
)

_E = HEALTH_EVENT.c
_A = AFFECTED_ENTITY.c
# The ARN is the key; the dates are the calendar's, kept up to date by the lifecycle refresh.
_KEPT_ON_UPDATE = ("arn", "start_time", "end_time")


class SqlHealthEvents(SqlRole):
    """The HealthEvents port in SQL."""

    @guarded
    def upsert_health_events(self, events: Sequence[HealthEvent]) -> None:
        """Insert or update events by ARN and their entities by (event ARN, value); one
        transaction. An entity whose status is unchanged keeps its lastUpdatedTime."""
        latest = {event.arn: event for event in events}
        if not latest:
            return
        entities = [row for event in latest.values() for row in entity_rows(event).values()]
        with writing(self.engine) as session:
            connection = session.connection()
            connection.execute(self._events_upsert(), [event_row(e) for e in latest.values()])
            if entities:
                connection.execute(self._entities_upsert(), entities)
            state.bump(connection)

    def _events_upsert(self) -> Any:
        insert = upsert(self.engine, HEALTH_EVENT)
        kept = {c.name: insert.excluded[c.name] for c in _E if c.name not in _KEPT_ON_UPDATE}
        return insert.on_conflict_do_update(index_elements=["arn"], set_=kept)

    def _entities_upsert(self) -> Any:
        insert = upsert(self.engine, AFFECTED_ENTITY)
        return insert.on_conflict_do_update(
            index_elements=["event_arn", "entity_value"],
            set_={name: insert.excluded[name] for name in ("status", "last_updated_time")},
            where=_A.status != insert.excluded.status,
        )

    @guarded
    def health_events(self, account_ids: Collection[str] | None = None) -> list[HealthEvent]:
        """Stored events with their entities, by account, Region, runtime; entities by value."""
        rows: list[Row[Any]] = []
        with reading(self.engine) as session:
            connection = session.connection()
            for accounts in id_chunks(account_ids):
                query = select(HEALTH_EVENT)
                if accounts is not None:
                    query = query.where(_E.account_id.in_(accounts))
                rows.extend(connection.execute(query))
            rows.sort(key=lambda row: (row.account_id, row.region, row.runtime, row.arn))
            return _with_entities(connection, rows)

    @guarded
    def health_events_by_arn(self, arns: Collection[str]) -> list[HealthEvent]:
        """The stored events among `arns`, with their entities, in ARN order."""
        rows: list[Row[Any]] = []
        with reading(self.engine) as session:
            connection = session.connection()
            for chunk in chunks(sorted(set(arns))):
                rows.extend(connection.execute(select(HEALTH_EVENT).where(_E.arn.in_(chunk))))
            rows.sort(key=lambda row: row.arn)
            return _with_entities(connection, rows)

    @guarded
    def health_event_page(
        self, wanted: EventFilter, after: str | None, limit: int
    ) -> list[HealthEvent]:
        """At most `limit` matching events (without entities), by ARN, after the ARN `after`."""
        query = filtered(select(HEALTH_EVENT), wanted).order_by(_E.arn).limit(limit)
        if after is not None:
            query = query.where(_E.arn > after)
        with reading(self.engine) as session:
            return [event_from_row(row, ()) for row in session.connection().execute(query)]

    @guarded
    def health_entity_page(
        self, event_arn: str, statuses: Collection[EntityStatus], after: str | None, limit: int
    ) -> list[AffectedEntity]:
        """At most `limit` entities of one event, by value, after the value `after`."""
        query = select(_A.entity_value, _A.status, _A.last_updated_time).where(
            _A.event_arn == event_arn
        )
        if statuses:
            query = query.where(_A.status.in_(sorted(s.value for s in statuses)))
        if after is not None:
            query = query.where(_A.entity_value > after)
        query = query.order_by(_A.entity_value).limit(limit)
        with reading(self.engine) as session:
            rows = session.connection().execute(query)
            return [AffectedEntity(v, EntityStatus(s), when) for v, s, when in rows]

    @guarded
    def health_status_counts(
        self, after: str | None, limit: int, at: datetime | None = None
    ) -> list[StatusCounts]:
        """Per account, in id order after `after`, how many events are upcoming, open and
        closed (as stored, or as they stand at `at`)."""
        accounts = select(_E.account_id).distinct().order_by(_E.account_id).limit(limit)
        if after is not None:
            accounts = accounts.where(_E.account_id > after)
        status = status_column(at)
        counted: dict[str, dict[str, int]] = {}
        with reading(self.engine) as session:
            connection = session.connection()
            ids = list(connection.execute(accounts).scalars())
            for chunk in chunks(ids):
                query = (
                    select(_E.account_id, status, func.count())
                    .where(_E.account_id.in_(chunk))
                    .group_by(_E.account_id, status)
                )
                for account, name, n in connection.execute(query):
                    counted.setdefault(account, {})[name] = n
        return [StatusCounts(a, **counted.get(a, {})) for a in ids]


def _with_entities(connection: Connection, rows: Sequence[Row[Any]]) -> list[HealthEvent]:
    """The events of `rows`, in their order, each with its entities in value order."""
    found: dict[str, list[AffectedEntity]] = {}
    query = select(_A.event_arn, _A.entity_value, _A.status, _A.last_updated_time)
    for arns in chunks([row.arn for row in rows]):
        for arn, value, status, when in connection.execute(query.where(_A.event_arn.in_(arns))):
            found.setdefault(arn, []).append(AffectedEntity(value, EntityStatus(status), when))
    return [
        event_from_row(row, sorted(found.get(row.arn, []), key=lambda e: e.entity_value))
        for row in rows
    ]
