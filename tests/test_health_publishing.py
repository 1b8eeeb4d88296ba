"""Posting events: only a changed event is posted again; the [health] settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from notifier import bootstrap
from notifier.channels.base import DeliveryResult
from notifier.config import load_settings
from notifier.core.errors import ConfigError
from notifier.core.health import HealthEvent
from notifier.service.health import HealthPolicy, PublishingChannel, StoreHealthChannel
from notifier.service.lifecycle import refresh_health
from notifier.store.stores import SqlStores
from tests.store_builders import NOW, account, function
from tests.test_health_lifecycle import CALENDAR, day, inventory, notice_event

A = "111111111111"


class Posted:
    """A fake poster: remembers what it was handed and what was flushed."""

    name = "eventbridge"

    def __init__(self) -> None:
        self.buffer: list[HealthEvent] = []
        self.flushed: list[HealthEvent] = []

    def deliver(self, message: HealthEvent) -> DeliveryResult:
        self.buffer.append(message)
        return DeliveryResult(message.arn)

    def flush(self) -> None:
        self.flushed += self.buffer
        self.buffer = []

    def close(self) -> None:
        pass


def channels(store: SqlStores) -> tuple[StoreHealthChannel, PublishingChannel, Posted]:
    posted = Posted()
    policy = HealthPolicy()
    return (
        StoreHealthChannel(store.health, policy=policy),
        PublishingChannel(store.health, store.publications, posted, policy),
        posted,
    )


def test_an_event_is_posted_again_only_once_it_changed(store: SqlStores) -> None:
    store.accounts.upsert_accounts([account(A)], NOW)
    inventory(store, function(A, "one"), function(A, "two"))
    stored, publishing, posted = channels(store)
    event = notice_event(A, "one", "two", when=day(1))
    for channel in (stored, publishing):  # the order the run flushes them in
        channel.deliver(event)
        channel.flush()
    assert [e.arn for e in posted.flushed] == [event.arn]
    assert len(posted.flushed[0].entities) == 2

    publishing.deliver(event)
    publishing.flush()
    assert refresh_health(store, CALENDAR, day(2), [stored, publishing]).published == {
        "eventbridge": 0
    }
    assert len(posted.flushed) == 1

    inventory(store, function(A, "two"))
    summary = refresh_health(store, CALENDAR, day(3), [stored, publishing])
    assert summary.published == {"eventbridge": 1}
    assert posted.flushed[-1].last_updated_time == day(3)
    assert {e.status.value for e in posted.flushed[-1].entities} == {"PENDING", "RESOLVED"}


def test_the_configured_event_type_code_names_the_stored_events(store: SqlStores) -> None:
    code = "NOTIFIER_RUNTIME_LIFECYCLE_EVENT"
    channel = StoreHealthChannel(store.health, policy=HealthPolicy(event_type_code=code))
    channel.deliver(notice_event(A, "one", when=day(1)))
    channel.flush()

    [event] = store.health.health_events()
    assert event.event_type_code == code
    assert f"/LAMBDA/{code}/{code}_" in event.arn


def test_policy_dates_start_at_the_start_of_the_day_in_the_zone() -> None:
    from zoneinfo import ZoneInfo

    runtime = CALENDAR.runtimes["python3.9"]
    plan = HealthPolicy(ZoneInfo("America/Los_Angeles"), "block_update").schedule(runtime)
    start, end = plan.start_time, plan.planned_end
    assert start is not None
    assert start == datetime(2026, 4, 1, 7, tzinfo=UTC)
    assert end is not None and end - start == timedelta(days=61)
    assert HealthPolicy().schedule(runtime).planned_end is None


def write(folder: Path, text: str) -> Path:
    path = folder / "notifier.toml"
    path.write_text(text)
    return path


def test_health_settings_have_aws_like_defaults(tmp_path: Path) -> None:
    health = load_settings(write(tmp_path, ""), env={}).health
    assert health.event_type_code == "AWS_LAMBDA_PLANNED_LIFECYCLE_EVENT"
    assert health.end_time == "none"
    assert (health.eventbridge.enabled, health.eventbridge.source) == (False, "notifier.health")


def test_an_aws_source_and_a_bad_end_time_are_refused_together(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[health]\nend_time = "sometime"\n[health.eventbridge]\nsource = "aws.health"\n',
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    fields = sorted(p.field or "" for p in caught.value.problems)
    assert fields == ["health.end_time", "health.eventbridge.source"]


def test_eventbridge_enabled_adds_its_channel_after_the_store(
    tmp_path: Path, store: SqlStores
) -> None:
    path = write(
        tmp_path,
        '[health.eventbridge]\nenabled = true\nregion = "eu-west-1"\n'
        'endpoint_url = "http://127.0.0.1:9"\n',
    )
    settings = load_settings(path, env={})
    names = [c.name for c in bootstrap.event_channels(settings, store)]
    assert names == ["health", "eventbridge"]
