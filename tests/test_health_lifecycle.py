"""The burndown over several days: notice, partial migration, full migration, reappearance."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event as sql_event

from notifier.core.domain import Calendar, Function, Runtime
from notifier.core.health import (
    AffectedEntity,
    EntityStatus,
    EventStatus,
    HealthEvent,
    event_arn,
    status_at,
)
from notifier.core.lifecycle import Schedule, event_at
from notifier.service.health import HealthPolicy, StoreHealthChannel
from notifier.service.lifecycle import refresh_health
from notifier.store.stores import SqlStores
from tests.store_builders import NOW, account, function

A, B = "111111111111", "222222222222"
KNOWN = ("python3.9", "python3.12")
CALENDAR = Calendar(
    {
        "python3.9": Runtime(
            "python3.9", "Python 3.9", "python", "AL2",
            date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1),
        ),
        "python3.12": Runtime("python3.12", "Python 3.12", "python", "AL2023"),
    }
)  # fmt: skip
START = datetime(2026, 4, 1, tzinfo=UTC)


def day(n: int) -> datetime:
    return (
        datetime(2026, 3, n, 12, tzinfo=UTC)
        if n < 32
        else datetime(2026, 4, n - 31, 12, tzinfo=UTC)
    )


def arn(account_id: str, name: str) -> str:
    return f"arn:aws:lambda:us-east-1:{account_id}:function:{name}"


def inventory(store: SqlStores, *functions: Function) -> None:
    listed: dict[str, list[Function]] = {A: [], B: []}
    for f in functions:
        listed[f.account_id].append(f)
    store.inventory.replace_inventory(listed, KNOWN)


def notice_event(account_id: str, *names: str, when: datetime) -> HealthEvent:
    """What the composer hands the health channel for a notice: every function PENDING."""
    return HealthEvent(
        arn=event_arn(account_id, "us-east-1", "python3.9"),
        account_id=account_id,
        region="us-east-1",
        runtime="python3.9",
        start_time=START,
        end_time=None,
        last_updated_time=when,
        status_code=status_at(START, when, all_resolved=False),
        description="Python 3.9 reaches end of support",
        metadata={"runtime": "python3.9"},
        entities=tuple(
            AffectedEntity(arn(account_id, n), EntityStatus.PENDING, when) for n in names
        ),
    )


def post_notice(store: SqlStores, event: HealthEvent) -> None:
    channel = StoreHealthChannel(store.health)
    channel.deliver(event)
    channel.flush()


def event_of(store: SqlStores, account_id: str = A) -> HealthEvent:
    [event] = store.health.health_events([account_id])
    return event


def entities(event: HealthEvent) -> dict[str, tuple[EntityStatus, datetime]]:
    return {
        e.entity_value.rsplit(":", 1)[1]: (e.status, e.last_updated_time) for e in event.entities
    }


def test_an_event_burns_down_closes_and_reopens_over_the_days(store: SqlStores) -> None:
    store.accounts.upsert_accounts([account(A), account(B)], NOW)
    inventory(store, function(A, "one"), function(A, "two"), function(B, "other"))
    post_notice(store, notice_event(A, "one", "two", when=day(1)))
    post_notice(store, notice_event(B, "other", when=day(1)))
    assert refresh_health(store, CALENDAR, day(1)).changed == 0

    # day 2: "one" is deleted; "two" is still on python3.9
    inventory(store, function(A, "two"), function(B, "other"))
    summary = refresh_health(store, CALENDAR, day(2))
    event = event_of(store)
    assert (summary.resolved, summary.changed) == (1, 1)
    assert entities(event) == {
        "one": (EntityStatus.RESOLVED, day(2)),
        "two": (EntityStatus.PENDING, day(1)),
    }
    assert (event.status_code, event.last_updated_time) == (EventStatus.UPCOMING, day(2))
    assert event_of(store, B).last_updated_time == day(1)

    # day 3: nothing moved: nothing changes, no time moves
    assert refresh_health(store, CALENDAR, day(3)).changed == 0
    assert event_of(store).last_updated_time == day(2)

    # April 2nd: past the start, the event opens
    refresh_health(store, CALENDAR, day(33))
    assert (event_of(store).status_code, event_of(store).last_updated_time) == (
        EventStatus.OPEN,
        day(33),
    )

    # April 3rd: "two" moved to python3.12: every entity resolved, the event closes
    inventory(store, function(A, "two", "python3.12"), function(B, "other"))
    refresh_health(store, CALENDAR, day(34))
    event = event_of(store)
    assert event.status_code is EventStatus.CLOSED
    assert entities(event)["two"] == (EntityStatus.RESOLVED, day(34))
    assert event_of(store, B).status_code is EventStatus.OPEN

    # April 4th: a new function on python3.9 reopens it; "one" coming back is PENDING again
    inventory(store, function(A, "one"), function(A, "three"), function(B, "other"))
    summary = refresh_health(store, CALENDAR, day(35))
    event = event_of(store)
    assert (summary.added, summary.reopened) == (1, 1)
    assert (event.status_code, event.last_updated_time) == (EventStatus.OPEN, day(35))
    assert entities(event) == {
        "one": (EntityStatus.PENDING, day(35)),
        "three": (EntityStatus.PENDING, day(35)),
        "two": (EntityStatus.RESOLVED, day(34)),
    }


def test_a_function_in_another_region_or_package_type_is_not_the_events(store: SqlStores) -> None:
    store.accounts.upsert_accounts([account(A)], NOW)
    inventory(
        store,
        function(A, "one"),
        function(A, "west", region="eu-west-1"),
        function(A, "image", package_type="Image"),
    )
    post_notice(store, notice_event(A, "one", when=day(1)))

    assert refresh_health(store, CALENDAR, day(2)).added == 0
    assert list(entities(event_of(store))) == ["one"]


def test_a_new_notice_keeps_the_time_of_entities_whose_status_is_unchanged(
    store: SqlStores,
) -> None:
    store.accounts.upsert_accounts([account(A)], NOW)
    inventory(store, function(A, "one"))
    post_notice(store, notice_event(A, "one", when=day(1)))

    post_notice(store, notice_event(A, "one", when=day(5)))

    assert entities(event_of(store)) == {"one": (EntityStatus.PENDING, day(1))}


def test_the_end_time_policy_ends_events_when_updates_are_blocked(store: SqlStores) -> None:
    store.accounts.upsert_accounts([account(A)], NOW)
    inventory(store, function(A, "one"))
    policy = HealthPolicy(end_time="block_update")
    post_notice(store, notice_event(A, "one", when=day(1)))

    refresh_health(store, CALENDAR, day(2), [StoreHealthChannel(store.health, policy=policy)])

    event = event_of(store)
    assert (event.start_time, event.end_time) == (START, datetime(2026, 6, 1, tzinfo=UTC))
    assert event.last_updated_time == day(2)


def statements_of(store: SqlStores, work: Callable[[], object]) -> list[str]:
    """The SQL statements `work` sends to the store's database."""
    sent: list[str] = []

    def note(*args: object) -> None:
        sent.append(str(args[2]))

    sql_event.listen(store.engine, "before_cursor_execute", note)
    try:
        work()
    finally:
        sql_event.remove(store.engine, "before_cursor_execute", note)
    return sent


def test_a_second_refresh_with_nothing_new_only_reads_its_markers(store: SqlStores) -> None:
    store.accounts.upsert_accounts([account(A)], NOW)
    inventory(store, function(A, "one"), function(A, "two"))
    post_notice(store, notice_event(A, "one", "two", when=day(1)))
    first = statements_of(store, lambda: refresh_health(store, CALENDAR, day(2)))

    again = statements_of(store, lambda: refresh_health(store, CALENDAR, day(3)))

    assert len(first) > 10
    assert not any(s.lstrip().upper().startswith(("UPDATE", "INSERT", "CREATE")) for s in again)
    assert len(again) <= 5  # the markers, and the distinct (runtime, metadata) pairs


def test_an_import_later_the_same_day_is_burnt_down_by_the_next_refresh(store: SqlStores) -> None:
    store.accounts.upsert_accounts([account(A)], NOW)
    inventory(store, function(A, "one"), function(A, "two"))
    post_notice(store, notice_event(A, "one", "two", when=day(1)))
    refresh_health(store, CALENDAR, day(2))

    inventory(store, function(A, "two"))
    summary = refresh_health(store, CALENDAR, day(2))

    assert summary.resolved == 1
    assert entities(event_of(store))["one"] == (EntityStatus.RESOLVED, day(2))


def test_a_new_notice_event_is_burnt_down_by_the_next_refresh(store: SqlStores) -> None:
    store.accounts.upsert_accounts([account(A), account(B)], NOW)
    inventory(store, function(A, "one"), function(B, "other"), function(B, "more"))
    post_notice(store, notice_event(A, "one", when=day(1)))
    refresh_health(store, CALENDAR, day(2))

    post_notice(store, notice_event(B, "other", when=day(2)))
    summary = refresh_health(store, CALENDAR, day(2))

    assert summary.added == 1
    assert set(entities(event_of(store, B))) == {"other", "more"}


def test_a_date_moved_in_the_calendar_moves_the_event_the_same_day(store: SqlStores) -> None:
    store.accounts.upsert_accounts([account(A)], NOW)
    inventory(store, function(A, "one"))
    post_notice(store, notice_event(A, "one", when=day(1)))
    refresh_health(store, CALENDAR, day(2))
    later = datetime(2026, 7, 1, tzinfo=UTC)
    old = CALENDAR.runtimes["python3.9"]
    moved = Calendar({**CALENDAR.runtimes, "python3.9": replace(old, deprecation=later.date())})

    summary = refresh_health(store, moved, day(2))

    assert summary.changed == 1
    assert event_of(store).start_time == later


def test_an_event_opens_when_its_start_passes_even_with_nothing_else_new(store: SqlStores) -> None:
    store.accounts.upsert_accounts([account(A)], NOW)
    inventory(store, function(A, "one"))
    post_notice(store, notice_event(A, "one", when=day(1)))
    refresh_health(store, CALENDAR, day(31))
    assert event_of(store).status_code is EventStatus.UPCOMING

    summary = refresh_health(store, CALENDAR, START)

    assert summary.changed == 1
    assert event_of(store).status_code is EventStatus.OPEN


LATER = datetime(2026, 7, 1, tzinfo=UTC)
RULES = [  # (listed before, on the runtime now, refreshed at, start) -> the core rule's event
    ((), ("one",), day(2), START),  # reopened before its start: upcoming
    (("one",), ("one",), day(40), START),  # open from its start
    (("one",), (), day(3), START),  # closed once every function moved, ending then
    ((), (), day(3), START),  # stays closed, keeping its end
    ((), ("one",), day(40), START),  # reopened: open again, its end the planned one
    (("one",), ("one", "two"), day(3), START),  # a function newly on the runtime joins
    (("one", "two"), ("two",), day(3), START),  # half moved: still pending
    (("one",), ("one",), day(3), LATER),  # a moved start moves the event
    (("one",), ("one",), day(2), START),  # nothing new: its time is kept
    (("one",), ("one",), day(2), None),  # a start no longer announced: open
]


@pytest.mark.parametrize(("before", "now", "at", "start"), RULES)
def test_the_bulk_sql_burndown_applies_the_core_rule(
    store: SqlStores,
    before: tuple[str, ...],
    now: tuple[str, ...],
    at: datetime,
    start: datetime | None,
) -> None:
    store.accounts.upsert_accounts([account(A)], NOW)
    inventory(store, *(function(A, n) for n in before))
    post_notice(store, notice_event(A, "one", "two", when=day(1)))
    refresh_health(store, CALENDAR, day(2))
    stored = event_of(store)
    inventory(store, *(function(A, n) for n in now))
    old = CALENDAR.runtimes["python3.9"]
    runtime = replace(old, deprecation=start.date() if start else None)
    calendar = Calendar({**CALENDAR.runtimes, "python3.9": runtime})

    refresh_health(store, calendar, at)

    expected = event_at(stored, [arn(A, n) for n in now], Schedule(start), at)
    assert event_of(store) == expected


def test_an_event_that_closes_ends_at_that_instant_and_a_reopened_one_ends_as_planned(
    store: SqlStores,
) -> None:
    store.accounts.upsert_accounts([account(A)], NOW)
    inventory(store, function(A, "one"))
    post_notice(store, notice_event(A, "one", when=day(1)))
    refresh_health(store, CALENDAR, day(2))
    inventory(store)

    refresh_health(store, CALENDAR, day(3))

    closed = event_of(store)
    assert (closed.status_code, closed.end_time) == (EventStatus.CLOSED, day(3))
    refresh_health(store, CALENDAR, day(4))
    assert event_of(store).end_time == day(3)
    inventory(store, function(A, "one"))
    refresh_health(store, CALENDAR, day(5))
    assert (event_of(store).status_code, event_of(store).end_time) == (EventStatus.UPCOMING, None)


def test_a_refresh_at_an_earlier_instant_is_not_skipped(store: SqlStores) -> None:
    store.accounts.upsert_accounts([account(A)], NOW)
    inventory(store, function(A, "one"))
    post_notice(store, notice_event(A, "one", when=day(1)))
    refresh_health(store, CALENDAR, day(40))
    assert event_of(store).status_code is EventStatus.OPEN

    refresh_health(store, CALENDAR, day(2))

    assert event_of(store).status_code is EventStatus.UPCOMING
