"""Reading health events the way the AWS Health API pages them, and what was published."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, and_, case, func, or_, select

from notifier.core.health import (
    AffectedEntity,
    EntityStatus,
    EventFilter,
    EventStatus,
    HealthEvent,
    StatusCounts,
)
from notifier.store.health import event_from_row
from notifier.store.session import (
    AFFECTED_ENTITY,
    HEALTH_EVENT,
    chunks,
    reading,
    table,
    upsert,
    writing,
)

PUBLICATION = table("health_publication")
_E = HEALTH_EVENT.c
_A = AFFECTED_ENTITY.c


def _status_at(status: EventStatus, at: datetime) -> ColumnElement[bool]:
    """core.lifecycle.seen_at's rule as a condition: a stored event's status at `at`."""
    closed = _E.status_code == EventStatus.CLOSED.value
    if status is EventStatus.CLOSED:
        return closed
    started = or_(_E.start_time.is_(None), _E.start_time <= at)
    return and_(~closed, started if status is EventStatus.OPEN else ~started)


def _filtered(query: Select[Any], wanted: EventFilter) -> Select[Any]:
    statuses = tuple(s.value for s in wanted.statuses)
    if wanted.at is not None and wanted.statuses:
        at = wanted.at
        query = query.where(or_(*(_status_at(s, at) for s in wanted.statuses)))
        statuses = ()
    for column, values in (
        (_E.account_id, wanted.account_ids),
        (_E.region, wanted.regions),
        (_E.status_code, statuses),
        (_E.runtime, wanted.runtimes),
        (_E.arn, wanted.arns),
    ):
        if values:
            query = query.where(column.in_(sorted(set(values))))
    return query


def event_page(
    engine: Engine, wanted: EventFilter, after: str | None, limit: int
) -> list[HealthEvent]:
    """At most `limit` matching events (without entities), by ARN, after the ARN `after`."""
    query = _filtered(select(HEALTH_EVENT), wanted).order_by(_E.arn).limit(limit)
    if after is not None:
        query = query.where(_E.arn > after)
    with reading(engine) as session:
        return [event_from_row(row, ()) for row in session.connection().execute(query)]


def entity_page(
    engine: Engine,
    event_arn: str,
    statuses: Collection[EntityStatus],
    after: str | None,
    limit: int,
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
    with reading(engine) as session:
        rows = session.connection().execute(query)
        return [AffectedEntity(v, EntityStatus(s), when) for v, s, when in rows]


def events_by_arn(engine: Engine, arns: Collection[str]) -> list[HealthEvent]:
    """The stored events among `arns`, with their entities, in ARN order."""
    found: list[HealthEvent] = []
    with reading(engine) as session:
        connection = session.connection()
        for chunk in chunks(sorted(set(arns))):
            rows = list(connection.execute(select(HEALTH_EVENT).where(_E.arn.in_(chunk))))
            entities: dict[str, list[AffectedEntity]] = {}
            query = select(_A.event_arn, _A.entity_value, _A.status, _A.last_updated_time)
            for arn, value, status, when in connection.execute(
                query.where(_A.event_arn.in_(chunk))
            ):
                entities.setdefault(arn, []).append(
                    AffectedEntity(value, EntityStatus(status), when)
                )
            found += [
                event_from_row(row, sorted(entities.get(row.arn, []), key=lambda e: e.entity_value))
                for row in rows
            ]
    return sorted(found, key=lambda e: e.arn)


def _status_column(at: datetime | None) -> ColumnElement[str]:
    if at is None:
        return _E.status_code
    closed = _E.status_code == EventStatus.CLOSED.value
    return case((closed, "closed"), (_E.start_time > at, "upcoming"), else_="open")


def status_counts(
    engine: Engine, after: str | None, limit: int, at: datetime | None = None
) -> list[StatusCounts]:
    """Per account, in id order after `after`, how many events are upcoming, open and closed
    (as stored, or as they stand at `at`)."""
    accounts = select(_E.account_id).distinct().order_by(_E.account_id).limit(limit)
    if after is not None:
        accounts = accounts.where(_E.account_id > after)
    counted: dict[str, dict[str, int]] = {}
    with reading(engine) as session:
        connection = session.connection()
        ids = list(connection.execute(accounts).scalars())
        for chunk in chunks(ids):
            status = _status_column(at)
            query = (
                select(_E.account_id, status, func.count())
                .where(_E.account_id.in_(chunk))
                .group_by(_E.account_id, status)
            )
            for account, status, n in connection.execute(query):
                counted.setdefault(account, {})[status] = n
    return [StatusCounts(a, **counted.get(a, {})) for a in ids]


def published(engine: Engine, channel: str, arns: Collection[str]) -> dict[str, datetime]:
    """The version (lastUpdatedTime) of each of `arns` that `channel` last posted."""
    found: dict[str, datetime] = {}
    p = PUBLICATION.c
    with reading(engine) as session:
        connection = session.connection()
        for chunk in chunks(sorted(set(arns))):
            query = select(p.event_arn, p.last_updated_time).where(
                p.channel == channel, p.event_arn.in_(chunk)
            )
            found.update({arn: when for arn, when in connection.execute(query)})
    return found


def mark_published(engine: Engine, channel: str, versions: Mapping[str, datetime]) -> None:
    """Remember which version of each event `channel` has posted; one transaction."""
    if not versions:
        return
    insert = upsert(engine, PUBLICATION)
    statement = insert.on_conflict_do_update(
        index_elements=["event_arn", "channel"],
        set_={"last_updated_time": insert.excluded.last_updated_time},
    )
    rows = [
        {"event_arn": arn, "channel": channel, "last_updated_time": when}
        for arn, when in versions.items()
    ]
    with writing(engine) as session:
        session.connection().execute(statement, rows)
