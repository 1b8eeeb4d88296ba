"""Health events as AWS Health keeps them: one per (account, Region, runtime), with entities."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Engine, Row, select

from notifier.core.health import AffectedEntity, EntityStatus, EventStatus, HealthEvent
from notifier.store import state
from notifier.store.session import (
    AFFECTED_ENTITY,
    HEALTH_EVENT,
    chunks,
    id_chunks,
    reading,
    upsert,
    writing,
)


def _event_row(event: HealthEvent) -> dict[str, Any]:
    return {
        "arn": event.arn,
        "account_id": event.account_id,
        "region": event.region,
        "runtime": event.runtime,
        "service": event.service,
        "event_type_code": event.event_type_code,
        "event_type_category": event.event_type_category,
        "event_scope_code": event.event_scope_code,
        "start_time": event.start_time,
        "end_time": event.end_time,
        "last_updated_time": event.last_updated_time,
        "status_code": EventStatus(event.status_code).value,
        "actionability": event.actionability,
        "personas": json.dumps(list(event.personas)),
        "description": event.description,
        "metadata": json.dumps(dict(event.metadata), sort_keys=True),
    }


def _entity_rows(event: HealthEvent) -> dict[str, dict[str, Any]]:
    return {
        entity.entity_value: {
            "event_arn": event.arn,
            "entity_value": entity.entity_value,
            "status": EntityStatus(entity.status).value,
            "last_updated_time": entity.last_updated_time,
        }
        for entity in event.entities
    }


# The ARN is the key; the dates are the calendar's, kept up to date by the lifecycle refresh.
_KEPT_ON_UPDATE = ("arn", "start_time", "end_time")


def upsert_health_events(engine: Engine, events: Sequence[HealthEvent]) -> None:
    """Insert or update events by ARN and their entities by (event ARN, value); one transaction.
    An entity whose status is unchanged keeps its lastUpdatedTime."""
    latest = {event.arn: event for event in events}
    if not latest:
        return
    entities = [row for event in latest.values() for row in _entity_rows(event).values()]
    insert_event = upsert(engine, HEALTH_EVENT)
    events_statement = insert_event.on_conflict_do_update(
        index_elements=["arn"],
        set_={
            c.name: insert_event.excluded[c.name]
            for c in HEALTH_EVENT.c
            if c.name not in _KEPT_ON_UPDATE
        },
    )
    insert_entity = upsert(engine, AFFECTED_ENTITY)
    entities_statement = insert_entity.on_conflict_do_update(
        index_elements=["event_arn", "entity_value"],
        set_={name: insert_entity.excluded[name] for name in ("status", "last_updated_time")},
        where=AFFECTED_ENTITY.c.status != insert_entity.excluded.status,
    )
    with writing(engine) as session:
        connection = session.connection()
        connection.execute(events_statement, [_event_row(e) for e in latest.values()])
        if entities:
            connection.execute(entities_statement, entities)
        state.bump(connection)


def event_from_row(row: Row[Any], entities: Sequence[AffectedEntity]) -> HealthEvent:
    return HealthEvent(
        arn=row.arn,
        account_id=row.account_id,
        region=row.region,
        runtime=row.runtime,
        start_time=row.start_time,
        end_time=row.end_time,
        last_updated_time=row.last_updated_time,
        status_code=EventStatus(row.status_code),
        description=row.description,
        metadata=json.loads(row.metadata),
        entities=tuple(entities),
        service=row.service,
        event_type_code=row.event_type_code,
        event_type_category=row.event_type_category,
        event_scope_code=row.event_scope_code,
        actionability=row.actionability,
        personas=tuple(json.loads(row.personas)),
    )


def health_events(engine: Engine, account_ids: Collection[str] | None) -> list[HealthEvent]:
    """Stored events with their entities, by account, Region, runtime; entities by value."""
    rows: list[Row[Any]] = []
    entities: dict[str, list[AffectedEntity]] = {}
    e = AFFECTED_ENTITY.c
    with reading(engine) as session:
        connection = session.connection()
        for accounts in id_chunks(account_ids):
            query = select(HEALTH_EVENT)
            if accounts is not None:
                query = query.where(HEALTH_EVENT.c.account_id.in_(accounts))
            rows.extend(connection.execute(query))
        for arns in chunks([row.arn for row in rows]):
            query = select(e.event_arn, e.entity_value, e.status, e.last_updated_time)
            for arn, value, status, when in connection.execute(query.where(e.event_arn.in_(arns))):
                entities.setdefault(arn, []).append(
                    AffectedEntity(value, EntityStatus(status), when)
                )
    rows.sort(key=lambda row: (row.account_id, row.region, row.runtime, row.arn))
    return [
        event_from_row(row, sorted(entities.get(row.arn, []), key=lambda x: x.entity_value))
        for row in rows
    ]
