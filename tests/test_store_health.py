"""Health events and their affected entities."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from notifier.core.health import EntityStatus, EventStatus
from notifier.store.stores import SqlStores
from tests.store_builders import health_event

A, B = "111111111111", "222222222222"
F1 = f"arn:aws:lambda:us-east-1:{A}:function:one"
F2 = f"arn:aws:lambda:us-east-1:{A}:function:two"


def test_a_health_event_is_stored_as_given(store: SqlStores) -> None:
    event = health_event(A, (F2, EntityStatus.PENDING), (F1, EntityStatus.PENDING))

    store.health.upsert_health_events([event])

    assert store.health.health_events() == [
        dataclasses.replace(
            event, entities=tuple(sorted(event.entities, key=lambda e: e.entity_value))
        )
    ]


def test_a_health_event_upsert_updates_the_event_and_its_entities(store: SqlStores) -> None:
    store.health.upsert_health_events(
        [health_event(A, (F1, EntityStatus.PENDING), (F2, EntityStatus.PENDING))]
    )
    later = datetime(2026, 5, 1, 12, tzinfo=UTC)
    update = dataclasses.replace(
        health_event(A, (F1, EntityStatus.RESOLVED)),
        status_code=EventStatus.OPEN,
        last_updated_time=later,
    )

    store.health.upsert_health_events([update])

    [stored] = store.health.health_events()
    assert (stored.status_code, stored.last_updated_time) == (EventStatus.OPEN, later)
    assert [(e.entity_value, e.status) for e in stored.entities] == [
        (F1, EntityStatus.RESOLVED),
        (F2, EntityStatus.PENDING),
    ]


def test_health_events_can_be_read_for_some_accounts(store: SqlStores) -> None:
    store.health.upsert_health_events([health_event(A), health_event(B)])

    assert [e.account_id for e in store.health.health_events([B])] == [B]
    assert [e.account_id for e in store.health.health_events()] == [A, B]


def test_stored_times_come_back_timezone_aware_in_utc(store: SqlStores) -> None:
    store.health.upsert_health_events([health_event(A, (F1, EntityStatus.PENDING))])

    [event] = store.health.health_events()

    assert event.last_updated_time.tzinfo is not None
    assert event.start_time == datetime(2026, 4, 1, 7, tzinfo=UTC)
    assert event.entities[0].last_updated_time.utcoffset() is not None
