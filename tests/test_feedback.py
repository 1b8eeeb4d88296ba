"""Bounces and complaints read from a real (moto) SQS queue: the suppression list, the
deliveries' statuses in history, and when a message leaves the queue."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from notifier.channels.feedback import SqsFeedbackQueue, region_of
from notifier.core.domain import NoticeKey, Phase
from notifier.core.errors import StoreError
from notifier.core.feedback import QueuedMessage
from notifier.service.feedback import FeedbackRecorder, drain
from notifier.store.stores import SqlStores
from tests.cli_helpers import Cli
from tests.feedback_samples import bounce, complaint, eventbridge, raw, sns
from tests.peers import SesPeer
from tests.ses_account import AccountEndpoint

DAY = "2026-11-27"


class Queue:
    """A moto SQS queue whose messages are visible again at once when not deleted."""

    def __init__(self, url: str) -> None:
        self.sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=url)
        made = self.sqs.create_queue(
            QueueName="ses-feedback", Attributes={"VisibilityTimeout": "0"}
        )
        self.url = str(made["QueueUrl"])

    def send(self, *bodies: str) -> None:
        for body in bodies:
            self.sqs.send_message(QueueUrl=self.url, MessageBody=body)

    def waiting(self) -> int:
        found = self.sqs.get_queue_attributes(
            QueueUrl=self.url, AttributeNames=["ApproximateNumberOfMessages"]
        )
        return int(found["Attributes"]["ApproximateNumberOfMessages"])


@pytest.fixture
def queue(ses_peer: SesPeer) -> Queue:
    return Queue(ses_peer.url)


@pytest.fixture
def sent(
    ses_peer: SesPeer, ses_account: AccountEndpoint, queue: Queue, cli: Cli
) -> list[dict[str, Any]]:
    """A run through moto's SES with the feedback queue set; the messages SES took."""
    ses_peer.verify("example.com")
    (cli.folder / "notifier.toml").write_text(
        '[email]\nchannel = "ses"\n[ses]\nregion = "us-east-1"\n'
        f'endpoint_url = "{ses_account.url}"\nmax_send_rate = 1000\n'
        f'feedback_queue_url = "{queue.url}"\n'
    )
    assert cli("run", "--as-of", DAY).code == 0
    return ses_peer.raw_messages()


def header(message: dict[str, Any], name: str) -> str:
    for line in str(message["raw_data"]).splitlines():
        if line.lower().startswith(f"{name.lower()}:"):
            return line.split(":", 1)[1].strip()
    raise LookupError(name)


def status_of(cli: Cli, message_id: str) -> dict[str, str]:
    """The channels' statuses of the notice carrying `message_id`, from `history --json`."""
    for row in cli("history", "--json").json()["notices"]:
        m = row["milestone"]
        key = NoticeKey(row["account_id"], row["runtime"], Phase(m["phase"]), m["days_before"])
        if key.message_id("notifier.invalid") == message_id:
            return dict(row["channels"])
    raise LookupError(message_id)


def suppressed(cli: Cli) -> dict[str, tuple[str, str]]:
    listed = cli("suppress", "list", "--json").json()["suppressed"]
    return {s["address"]: (s["reason"], s["since"]) for s in listed}


def test_a_permanent_bounce_suppresses_the_address_and_marks_its_delivery_bounced(
    cli: Cli, queue: Queue, sent: list[dict[str, Any]]
) -> None:
    first = sent[0]
    ours, to = header(first, "Message-ID"), first["destinations"][0]
    queue.send(sns(bounce(to=to, message_id=ours, ses_id="not-the-ses-id")))
    result = cli("feedback", "--json")
    assert result.code == 0, result.err
    assert result.json() | {"error": None} == {
        "read": 1, "permanent_bounces": 1, "soft_bounces": 0, "complaints": 0,
        "suppressed": 1, "deliveries_marked": 1, "ignored": 0, "malformed": 0, "error": None,
    }  # fmt: skip
    assert suppressed(cli)[to.lower()] == (
        "bounce: smtp; 550 5.1.1 user unknown",
        "2027-01-15T09:00:05.456000+00:00",
    )
    assert status_of(cli, ours)["ses"] == "bounced"
    assert queue.waiting() == 0


def test_a_complaint_via_eventbridge_is_matched_by_the_ses_message_id(
    cli: Cli, queue: Queue, sent: list[dict[str, Any]]
) -> None:
    first = sent[0]
    to = first["destinations"][0]
    queue.send(eventbridge(complaint(to=to, ses_id=first["id"], event=True)))
    result = cli("feedback")
    assert result.code == 0, result.err
    assert "1 complaints, 1 addresses suppressed, 1 deliveries marked" in result.out
    assert suppressed(cli)[to.lower()][0] == "complaint: abuse"
    assert status_of(cli, header(first, "Message-ID"))["ses"] == "complained"


def test_a_transient_bounce_is_recorded_but_does_not_suppress(
    cli: Cli, queue: Queue, sent: list[dict[str, Any]]
) -> None:
    first = sent[0]
    ours = header(first, "Message-ID")
    queue.send(raw(bounce("Transient", to=first["destinations"][0], message_id=ours)))
    result = cli("feedback", "--json").json()
    assert (result["soft_bounces"], result["suppressed"], result["deliveries_marked"]) == (1, 0, 1)
    assert suppressed(cli) == {}
    assert status_of(cli, ours)["ses"] == "bounced"
    assert queue.waiting() == 0


def test_feedback_about_an_unknown_message_still_suppresses(cli: Cli, queue: Queue) -> None:
    (cli.folder / "notifier.toml").write_text(f'[ses]\nfeedback_queue_url = "{queue.url}"\n')
    queue.send(sns(bounce(to="gone@example.org")))
    result = cli("feedback", "--json").json()
    assert (result["suppressed"], result["deliveries_marked"]) == (1, 0)
    assert "gone@example.org" in suppressed(cli)


def test_a_malformed_message_is_counted_and_left_in_the_queue(cli: Cli, queue: Queue) -> None:
    (cli.folder / "notifier.toml").write_text(f'[ses]\nfeedback_queue_url = "{queue.url}"\n')
    queue.send("{not json", sns(complaint(to="a@example.org")))
    result = cli("feedback", "--json")
    assert result.code == 1
    assert (result.json()["malformed"], result.json()["complaints"]) == (1, 1)
    assert "left in the queue" in result.err
    assert queue.waiting() == 1


def test_a_run_drains_the_queue_before_it_sends(
    cli: Cli, queue: Queue, ses_peer: SesPeer, sent: list[dict[str, Any]]
) -> None:
    to = sent[0]["destinations"][0]
    queue.send(sns(bounce(to=to)))
    result = cli("run", "--as-of", "2027-06-01", "--json")
    assert result.code == 0, result.err
    summary = result.json()
    assert summary["feedback"]["permanent_bounces"] == 1
    assert summary["channels"]["ses"]["suppressed"] > 0
    later = ses_peer.raw_messages()[len(sent) :]
    assert later and all(to not in m["destinations"] for m in later)
    assert queue.waiting() == 0


def test_a_queue_url_without_a_region_names_the_setting(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    url = "http://127.0.0.1:9/123456789012/ses-feedback"
    (cli.folder / "notifier.toml").write_text(f'[ses]\nfeedback_queue_url = "{url}"\n')
    result = cli("feedback")
    assert result.code == 1 and "ses.region" in result.err


def test_feedback_without_a_queue_set_is_a_config_error(cli: Cli) -> None:
    result = cli("feedback")
    assert result.code == 2
    assert "ses.feedback_queue_url: not set" in result.err


def test_an_unreachable_queue_is_reported_not_raised(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    url = "http://127.0.0.1:9/123456789012/ses-feedback"
    (cli.folder / "notifier.toml").write_text(f'[ses]\nfeedback_queue_url = "{url}"\n')
    result = cli("feedback")
    assert result.code == 1 and "error: sqs: cannot reach it" in result.err


class CrashingStore:
    """Suppressions whose writes fail, as a database gone away mid-drain."""

    def add_suppression(self, address: str, reason: str, at: datetime) -> bool:
        raise StoreError("the database went away")


class LosingDeletes(SqsFeedbackQueue):
    """A queue whose deletes fail: a crash between recording and deleting."""

    def delete(self, message: QueuedMessage) -> None:
        from notifier.core.errors import DeliveryError

        raise DeliveryError("sqs: cannot reach it: gone", retryable=True)


def test_a_message_is_deleted_only_after_it_is_recorded(store: SqlStores, queue: Queue) -> None:
    queue.send(sns(bounce(to="ops@example.com")))
    failing = FeedbackRecorder(CrashingStore(), store.deliveries)  # type: ignore[arg-type]
    with pytest.raises(StoreError):
        drain(SqsFeedbackQueue(queue.url, "us-east-1"), failing)
    assert queue.waiting() == 1 and store.suppressions.suppressions() == []


def test_recording_again_after_a_lost_delete_changes_nothing(
    store: SqlStores, queue: Queue
) -> None:
    queue.send(sns(bounce(to="ops@example.com")))
    recorder = FeedbackRecorder(store.suppressions, store.deliveries)
    first = drain(LosingDeletes(queue.url, "us-east-1"), recorder)
    assert first.suppressed == 1 and first.error and queue.waiting() == 1
    again = drain(SqsFeedbackQueue(queue.url, "us-east-1"), recorder)
    assert (again.permanent_bounces, again.suppressed, again.error) == (1, 0, None)
    [row] = store.suppressions.suppressions()
    assert row.created_at == datetime(2027, 1, 15, 9, 0, 5, 456000, tzinfo=UTC)
    assert queue.waiting() == 0


def test_the_region_comes_from_an_aws_queue_url() -> None:
    assert region_of("https://sqs.eu-west-2.amazonaws.com/123456789012/q") == "eu-west-2"
    assert region_of("http://127.0.0.1:5000/123456789012/q") is None


def test_the_queue_reads_what_sqs_holds(queue: Queue) -> None:
    queue.send("hello")
    [message] = SqsFeedbackQueue(queue.url, "us-east-1").receive()
    assert message.body == "hello" and message.receipt
