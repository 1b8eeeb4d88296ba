"""In-run retries: exponential backoff with jitter, throttled SES, a channel that is down, and a
scheduled run through SES against moto."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from notifier.channels.base import DeliveryError, DeliveryResult, OutgoingEmail
from notifier.channels.ses import SesChannel
from notifier.config.delivery import SesSettings
from notifier.core.domain import Phase
from notifier.core.records import PendingDelivery
from notifier.service.compose import NOT_RENDERED, Prepared
from notifier.service.sending import EmailSender, Job, RetryPolicy
from notifier.service.summary import ChannelStats
from tests.cli_helpers import Cli
from tests.peers import SesPeer
from tests.ses_account import AccountEndpoint
from tests.store_builders import notice
from tests.test_ses_channel import NO_RETRIES, message, throttle

NOTICE = notice("111122223333", "python3.9", Phase.DEPRECATION, 30)
KEY = NOTICE.key


def jobs(count: int) -> list[Job]:
    return [
        (PendingDelivery(i, "ses", i, KEY, 0, "pending"), Prepared(NOTICE, NOT_RENDERED, "<id>"))
        for i in range(1, count + 1)
    ]


@pytest.mark.parametrize(
    ("retry", "low", "high"),
    [(1, 0.25, 0.5), (2, 0.5, 1.0), (3, 1.0, 2.0), (4, 1.5, 3.0), (9, 1.5, 3.0)],
)
def test_the_backoff_doubles_with_half_of_it_jittered_up_to_the_cap(
    retry: int, low: float, high: float
) -> None:
    policy = RetryPolicy(max_attempts=10, backoff_base=0.5, backoff_max=3.0)
    rng = random.Random(1)
    delays = [policy.delay(retry, rng) for _ in range(200)]
    assert low <= min(delays) and max(delays) <= high
    assert len(set(delays)) > 100


class Flaky:
    """A channel failing the first `failures` calls with the given error."""

    name = "flaky"

    def __init__(self, failures: int, retryable: bool = True) -> None:
        self.failures, self.retryable, self.calls = failures, retryable, 0

    def deliver(self, message: OutgoingEmail) -> DeliveryResult:
        self.calls += 1
        if self.calls <= self.failures:
            raise DeliveryError("relay busy", retryable=self.retryable)
        return DeliveryResult(f"id-{self.calls}")

    def close(self) -> None:
        pass


def sender(channel: Any, sleeps: list[float], attempts: int = 3) -> EmailSender:
    policy = RetryPolicy(max_attempts=attempts, backoff_base=1.0, backoff_max=10.0)
    return EmailSender(channel, lambda _: message(), policy, sleep=sleeps.append)


def test_a_transient_failure_is_retried_after_a_backoff_and_counted() -> None:
    sleeps: list[float] = []
    [outcome] = sender(Flaky(2), sleeps).send(jobs(1))
    stats = ChannelStats.of([outcome])
    assert (outcome.status, outcome.attempts, outcome.provider_id) == ("delivered", 3, "id-3")
    assert stats.retried == 2 and stats.delivered == 1 and stats.failed == 0
    assert len(sleeps) == 2 and 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0


def test_after_max_attempts_a_transient_failure_is_left_open_for_the_next_run() -> None:
    [outcome] = sender(Flaky(5), []).send(jobs(1))
    stats = ChannelStats.of([outcome])
    assert (outcome.status, outcome.permanent, outcome.attempts) == ("failed", False, 3)
    assert stats.reasons == {"relay busy": 1}


def test_a_permanent_failure_is_not_retried() -> None:
    sleeps: list[float] = []
    channel = Flaky(1, retryable=False)
    [outcome] = sender(channel, sleeps).send(jobs(1))
    assert (outcome.status, outcome.permanent, channel.calls, sleeps) == ("failed", True, 1, [])


def test_a_chunk_where_nothing_got_through_marks_the_channel_down() -> None:
    down = sender(Flaky(100), [])
    down.send(jobs(3))
    assert down.down == "relay busy"
    up = sender(Flaky(2), [])
    up.send(jobs(3))
    assert up.down is None


def test_throttled_ses_sends_are_retried_until_they_get_through(ses_peer: SesPeer) -> None:
    ses_peer.verify("example.com")
    settings = SesSettings(region="us-east-1", endpoint_url=ses_peer.url, max_send_rate=500)
    channel = SesChannel(settings, config=NO_RETRIES)
    channel.deliver(message())
    channel._client.meta.events.register("before-send.sesv2.SendEmail", throttle(4))
    sleeps: list[float] = []
    outcomes = sender(channel, sleeps, attempts=4).send(jobs(3))
    stats = ChannelStats.of(outcomes)
    assert [o.status for o in outcomes] == ["delivered"] * 3
    assert stats.retried == 4 and len(sleeps) == 2
    assert len(ses_peer.raw_messages()) == 4


def test_a_run_through_ses_delivers_the_sample_with_message_ids_intact(
    ses_peer: SesPeer,
    ses_account: AccountEndpoint,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ses_peer.verify("example.com")
    (tmp_path / "notifier.toml").write_text(
        '[email]\nchannel = "ses"\n[ses]\nregion = "us-east-1"\n'
        f'endpoint_url = "{ses_account.url}"\nmax_send_rate = 1000\n'
    )
    cli = Cli(tmp_path, capsys, {})
    result = cli("run", "--as-of", "2026-11-27", "--json")
    assert result.code == 0, result.err
    sent = ses_peer.raw_messages()
    summary = result.json()
    assert len(sent) == summary["notices"] == summary["channels"]["ses"]["delivered"] > 100
    assert ses_account.asked == 1  # the set-up check's GetAccount, once per run
    ids = {
        line.split(":", 1)[1].strip()
        for m in sent
        for line in m["raw_data"].splitlines()
        if line.startswith("Message-ID:")
    }
    assert len(ids) == len(sent)
