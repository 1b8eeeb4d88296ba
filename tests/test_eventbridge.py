"""The EventBridge channel against moto in server mode: a rule on source and detail.service
routes our events to an SQS queue, and the test reads back exactly what was posted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from notifier import bootstrap
from notifier.channels.eventbridge import ENTRY_LIMIT, EventBridgeChannel, bus_entries
from notifier.config import load_settings
from notifier.core.errors import DeliveryError
from notifier.core.health import (
    AffectedEntity,
    EntityStatus,
    EventStatus,
    HealthEvent,
    event_arn,
)
from notifier.service.lifecycle import refresh_health
from notifier.store.stores import SqlStores
from tests.peers import free_port, moto_server
from tests.store_builders import NOW, account, function
from tests.test_health_lifecycle import CALENDAR, day, inventory, notice_event

SOURCE = "notifier.health"
WHEN = datetime(2026, 8, 27, 13, 19, 3, tzinfo=UTC)
A = "111111111111"


def health_event(account_id: str = A, functions: int = 2, name_length: int = 10) -> HealthEvent:
    prefix = f"arn:aws:lambda:us-east-1:{account_id}:function:"
    return HealthEvent(
        arn=event_arn(account_id, "us-east-1", "python3.9"),
        account_id=account_id,
        region="us-east-1",
        runtime="python3.9",
        start_time=datetime(2026, 12, 15, tzinfo=UTC),
        end_time=None,
        last_updated_time=WHEN,
        status_code=EventStatus.UPCOMING,
        description="Python 3.9 reaches end of support",
        metadata={"runtime": "python3.9", "successor": "python3.13"},
        entities=tuple(
            AffectedEntity(f"{prefix}{i:0{name_length}d}", EntityStatus.PENDING, WHEN)
            for i in range(functions)
        ),
    )


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture
def aws(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Fresh moto state, a rule on our source and detail.service, and its SQS target."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    import requests

    requests.post(f"{endpoint}/moto-api/reset", timeout=10)
    events = boto3.client("events", region_name="us-east-1", endpoint_url=endpoint)
    sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=endpoint)
    queue = sqs.create_queue(QueueName="health")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    pattern = {"source": [SOURCE], "detail": {"service": ["LAMBDA"]}}
    events.put_rule(Name="health", EventPattern=json.dumps(pattern))
    target = {"Id": "q", "Arn": queue_arn["Attributes"]["QueueArn"]}
    events.put_targets(Rule="health", Targets=[target])
    return {"events": events, "sqs": sqs, "queue": queue}


def received(aws: dict[str, Any]) -> list[dict[str, Any]]:
    sqs, found = aws["sqs"], list[dict[str, Any]]()
    while True:
        answer = sqs.receive_message(QueueUrl=aws["queue"], MaxNumberOfMessages=10)
        messages = answer.get("Messages", [])
        if not messages:
            return found
        for message in messages:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=aws["queue"], ReceiptHandle=message["ReceiptHandle"])


class Recording:
    """The real client, remembering how many entries each put_events call carried."""

    def __init__(self, client: Any) -> None:
        self.client, self.calls = client, list[int]()

    def put_events(self, Entries: list[dict[str, Any]]) -> Any:
        self.calls.append(len(Entries))
        return self.client.put_events(Entries=Entries)


def test_an_event_arrives_in_aws_healths_eventbridge_form(aws: dict[str, Any]) -> None:
    event = health_event()
    channel = EventBridgeChannel(aws["events"], SOURCE)
    channel.deliver(event)
    channel.flush()

    [message] = received(aws)
    assert (message["source"], message["detail-type"]) == (SOURCE, "AWS Health Event")
    assert message["resources"] == [e.entity_value for e in event.entities]
    detail = message["detail"]
    assert detail == json.loads(bus_entries(event, SOURCE)[0].detail)
    assert detail["eventArn"] == event.arn
    assert detail["lastUpdatedTime"] == "Thu, 27 Aug 2026 13:19:03 GMT"
    assert detail["startTime"] == "Tue, 15 Dec 2026 00:00:00 GMT"
    assert (detail["page"], detail["totalPages"]) == ("1", "1")
    assert detail["communicationId"].endswith("-1")
    assert detail["affectedAccount"] == A
    assert detail["eventDescription"] == [
        {"language": "en_US", "latestDescription": "Python 3.9 reaches end of support"}
    ]
    assert detail["affectedEntities"][0] == {
        "entityValue": event.entities[0].entity_value,
        "lastUpdatedTime": "Thu, 27 Aug 2026 13:19:03 GMT",
        "status": "PENDING",
    }


def test_an_event_over_256_kb_arrives_in_pages_sharing_arn_and_communication_id(
    aws: dict[str, Any],
) -> None:
    event = health_event(functions=3000, name_length=40)
    assert len(json.dumps([e.entity_value for e in event.entities])) > ENTRY_LIMIT
    channel = EventBridgeChannel(aws["events"], SOURCE)
    channel.deliver(event)
    channel.flush()

    pages = sorted(received(aws), key=lambda m: int(m["detail"]["page"]))
    assert len(pages) > 1
    details = [p["detail"] for p in pages]
    assert [d["page"] for d in details] == [str(n) for n in range(1, len(pages) + 1)]
    assert {d["totalPages"] for d in details} == {str(len(pages))}
    assert {d["eventArn"] for d in details} == {event.arn}
    ids = [d["communicationId"] for d in details]
    assert {i.rsplit("-", 1)[0] for i in ids} == {ids[0].rsplit("-", 1)[0]}
    assert [i.rsplit("-", 1)[1] for i in ids] == [d["page"] for d in details]
    posted = [e["entityValue"] for d in details for e in d["affectedEntities"]]
    assert posted == [e.entity_value for e in event.entities]
    assert [r for p in pages for r in p["resources"]] == posted
    assert all(len(json.dumps(p, separators=(",", ":")).encode()) <= ENTRY_LIMIT for p in pages)


def test_at_most_ten_entries_go_in_one_call(aws: dict[str, Any]) -> None:
    client = Recording(aws["events"])
    channel = EventBridgeChannel(client, SOURCE)
    for n in range(23):
        channel.deliver(health_event(f"{n:012d}"))
    channel.flush()

    assert client.calls == [10, 10, 3]
    assert len(received(aws)) == 23


def test_an_event_not_matching_the_rule_is_not_routed(aws: dict[str, Any]) -> None:
    channel = EventBridgeChannel(aws["events"], "someone.else")
    channel.deliver(health_event())
    channel.flush()

    assert received(aws) == []


class Flaky:
    """put_events answering with per-entry errors first, then success."""

    def __init__(self, *codes: str) -> None:
        self.codes, self.calls = list(codes), list[list[str]]()

    def put_events(self, Entries: list[dict[str, Any]]) -> Any:
        self.calls.append([json.loads(e["Detail"])["affectedAccount"] for e in Entries])
        code = self.codes.pop(0) if self.codes else None
        results = [{"EventId": "x"} for _ in Entries]
        if code:
            results[0] = {"ErrorCode": code, "ErrorMessage": "no"}
        return {"FailedEntryCount": int(bool(code)), "Entries": results}


def test_failed_entries_alone_are_tried_again() -> None:
    client = Flaky("ThrottlingException")
    channel = EventBridgeChannel(client, SOURCE, sleep=lambda _: None)
    channel.deliver(health_event("000000000001"))
    channel.deliver(health_event("000000000002"))
    channel.flush()

    assert client.calls == [["000000000001", "000000000002"], ["000000000001"]]
    assert channel.posted == 2


def test_an_entry_refused_for_good_is_a_delivery_error_not_worth_retrying() -> None:
    channel = EventBridgeChannel(Flaky("ValidationException"), SOURCE, sleep=lambda _: None)
    channel.deliver(health_event())
    with pytest.raises(DeliveryError) as caught:
        channel.flush()
    assert not caught.value.retryable
    assert "ValidationException" in caught.value.reason


def test_an_unreachable_endpoint_is_a_retryable_delivery_error_chained(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    from botocore.config import Config

    client = boto3.client(
        "events",
        region_name="us-east-1",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        config=Config(retries={"max_attempts": 1}, connect_timeout=1),
    )
    channel = EventBridgeChannel(client, SOURCE)
    channel.deliver(health_event())
    with pytest.raises(DeliveryError) as caught:
        channel.flush()
    assert caught.value.retryable
    assert caught.value.__cause__ is not None


class Broken:
    """A client with a bug: it raises what no AWS call raises."""

    def put_events(self, Entries: list[dict[str, Any]]) -> Any:
        raise TypeError("put_events() got an unexpected keyword argument")


def test_a_bug_behind_the_channel_surfaces_instead_of_becoming_a_retry() -> None:
    channel = EventBridgeChannel(Broken(), SOURCE, sleep=lambda _: None)
    channel.deliver(health_event())
    with pytest.raises(TypeError, match="unexpected keyword"):
        channel.flush()


def test_configured_channels_post_each_stored_event_once_and_again_only_when_changed(
    aws: dict[str, Any], endpoint: str, tmp_path: Path, store: SqlStores
) -> None:
    (tmp_path / "notifier.toml").write_text(
        f'[health.eventbridge]\nenabled = true\nsource = "{SOURCE}"\nendpoint_url = "{endpoint}"\n'
    )
    settings = load_settings(tmp_path / "notifier.toml", env={})
    channels = bootstrap.event_channels(settings, store)
    store.accounts.upsert_accounts([account(A)], NOW)
    inventory(store, function(A, "one"), function(A, "two"))
    for channel in channels:  # as a run does: deliver, then flush in order
        channel.deliver(notice_event(A, "one", "two", when=day(1)))
        channel.flush()
    [message] = received(aws)
    assert message["detail"]["eventArn"] == event_arn(A, "us-east-1", "python3.9")

    assert refresh_health(store, CALENDAR, day(2), channels).published == {"eventbridge": 0}
    assert received(aws) == []

    inventory(store, function(A, "two"))
    assert refresh_health(store, CALENDAR, day(3), channels).published == {"eventbridge": 1}
    [message] = received(aws)
    statuses = {e["entityValue"][-3:]: e["status"] for e in message["detail"]["affectedEntities"]}
    assert statuses == {"one": "RESOLVED", "two": "PENDING"}
