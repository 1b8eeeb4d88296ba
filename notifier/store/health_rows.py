"""Health event rows: to and from the tables, and the filters the API-style pages use."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, case, or_

from notifier.core.health import (
    AffectedEntity,
    EntityStatus,
    EventFilter,
    EventStatus,
    HealthEvent,
)
from notifier.store.session import HEALTH_EVENT

_E = HEALTH_EVENT.c


def event_row(event: HealthEvent) -> dict[str, Any]:
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


def entity_rows(event: HealthEvent) -> dict[str, dict[str, Any]]:
    return {
        entity.entity_value: {
            "event_arn": event.arn,
            "entity_value": entity.entity_value,
            "status": EntityStatus(entity.status).value,
            "last_updated_time": entity.last_updated_time,
        }
        for entity in event.entities
    }


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


def status_at(status: EventStatus, at: datetime) -> ColumnElement[bool]:
    """core.lifecycle.seen_at's rule as a condition: a stored event's status at `at`."""
    closed = _E.status_code == EventStatus.CLOSED.value
    if status is EventStatus.CLOSED:
        return closed
    started = or_(_E.start_time.is_(None), _E.start_time <= at)
    return and_(~closed, started if status is EventStatus.OPEN else ~started)


def filtered(query: Select[Any], wanted: EventFilter) -> Select[Any]:
    statuses = tuple(s.value for s in wanted.statuses)
    if wanted.at is not None and wanted.statuses:
        at = wanted.at
        query = query.where(or_(*(status_at(s, at) for s in wanted.statuses)))
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


def status_column(at: datetime | None) -> ColumnElement[str]:
    if at is None:
        return _E.status_code
    closed = _E.status_code == EventStatus.CLOSED.value
    return case((closed, "closed"), (_E.start_time > at, "upcoming"), else_="open")
