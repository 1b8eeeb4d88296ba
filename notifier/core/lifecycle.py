"""The health events' lifecycle rule, for one event at one instant.

An entity is PENDING while its function is on the event's runtime, RESOLVED otherwise; a
function newly on the runtime joins as PENDING. An event is closed once no entity is PENDING,
upcoming before its start, open from it. A closed event ends at the instant it closed; any other
ends when the calendar says (or never). A time moves to the instant only when something about
its thing changed. The store applies the same rule in bulk SQL (store/lifecycle.py); a
table-driven test holds the two equal.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from notifier.core.health import (
    AffectedEntity,
    EntityStatus,
    EventStatus,
    HealthEvent,
    changed_time,
    entity_status,
    status_at,
)


@dataclass(frozen=True)
class Schedule:
    """An event's dates as the calendar sets them: its start and its planned end."""

    start_time: datetime | None
    planned_end: datetime | None = None


def entity_at(
    value: str, before: AffectedEntity | None, on_runtime: bool, at: datetime
) -> AffectedEntity | None:
    """The entity after a refresh at `at`; None for a function never listed and not on it."""
    if before is None:
        return AffectedEntity(value, EntityStatus.PENDING, at) if on_runtime else None
    status = entity_status(on_runtime)
    when = changed_time(before.last_updated_time, at, status is not before.status)
    return AffectedEntity(value, status, when)


def end_time(
    before: EventStatus | None,
    ended: datetime | None,
    status: EventStatus,
    plan: Schedule,
    at: datetime,
) -> datetime | None:
    """The closing instant for a closed event (kept while it stays closed), else the plan's."""
    if status is not EventStatus.CLOSED:
        return plan.planned_end
    return ended if before is EventStatus.CLOSED else at


def event_at(
    event: HealthEvent, on_runtime: Collection[str], plan: Schedule, at: datetime
) -> HealthEvent:
    """The whole event after a refresh at `at`, given the functions now on its runtime."""
    entities = _entities_at(event, on_runtime, at)
    pending = any(e.status is EntityStatus.PENDING for e in entities)
    status = status_at(plan.start_time, at, all_resolved=not pending)
    end = end_time(event.status_code, event.end_time, status, plan, at)
    dates = (status, plan.start_time, end)
    changed = entities != event.entities or dates != _dates_of(event)
    return dataclasses.replace(
        event,
        status_code=status,
        start_time=plan.start_time,
        end_time=end,
        entities=entities,
        last_updated_time=changed_time(event.last_updated_time, at, changed),
    )


def _dates_of(event: HealthEvent) -> tuple[object, ...]:
    return (event.status_code, event.start_time, event.end_time)


def _entities_at(
    event: HealthEvent, on_runtime: Collection[str], at: datetime
) -> tuple[AffectedEntity, ...]:
    known = {e.entity_value: e for e in event.entities}
    values = sorted({*known, *on_runtime})
    found = (entity_at(v, known.get(v), v in on_runtime, at) for v in values)
    return tuple(e for e in found if e is not None)


def new_event(event: HealthEvent, plan: Schedule, at: datetime) -> HealthEvent:
    """A notice's event as first written at `at`: its listed functions PENDING."""
    values = [e.entity_value for e in event.entities]
    fresh = dataclasses.replace(event, entities=(), last_updated_time=at)
    return dataclasses.replace(event_at(fresh, values, plan, at), last_updated_time=at)


def seen_at(event: HealthEvent, at: datetime) -> HealthEvent:
    """A stored event as it stands at `at`: an event whose start has come is open."""
    closed = event.status_code is EventStatus.CLOSED
    return dataclasses.replace(event, status_code=status_at(event.start_time, at, closed))
