"""One send budget for every process on the database: slots that never overlap, a throttling
answer that slows everyone down and loses nothing."""

from __future__ import annotations

import smtplib
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from notifier.channels.base import DeliveryError, DeliveryResult, OutgoingEmail
from notifier.channels.ses import SesChannel
from notifier.channels.smtp_message import refused
from notifier.config.delivery import SesSettings
from notifier.core.pace import RECOVERY_S, fresh, slowed, take
from notifier.service.pacing import SharedPace, batch_size
from notifier.service.sending import EmailSender, RetryPolicy
from notifier.store.stores import SqlStores
from tests.cli_helpers import Cli
from tests.peers import SesPeer
from tests.ses_account import AccountEndpoint
from tests.test_delivery_retries import jobs
from tests.test_ses_channel import NO_RETRIES, message, throttle


def test_grants_taken_one_after_another_never_overlap() -> None:
    bucket, starts = fresh(10.0, 100.0), []
    for now in (100.0, 100.0, 100.1, 100.2):
        bucket, grant = take(bucket, 5, now)
        starts.append(grant.start)
    assert starts == [100.0, 100.5, 101.0, 101.5]


def test_a_throttle_halves_the_rate_once_and_it_recovers_a_tenth_at_a_time() -> None:
    bucket = slowed(slowed(fresh(20.0, 0.0), 1.0), 1.2)  # the second: the same slow-down
    assert bucket.rate == 10.0
    assert slowed(bucket, 2.5).rate == 5.0
    later, grant = take(bucket, 1, 1.0 + 2 * RECOVERY_S)
    assert grant.rate == 14.0 and later.rate == 14.0
    back, grant = take(later, 1, 1.0 + 20 * RECOVERY_S)
    assert grant.rate == 20.0 and not back.slowed


def test_the_rate_never_falls_below_a_sixty_fourth_of_its_base() -> None:
    bucket = fresh(64.0, 0.0)
    for second in range(20):
        bucket = slowed(bucket, float(second * 2))
    assert bucket.rate == 1.0


@pytest.fixture
def two_stores(db_url: str) -> Iterator[tuple[SqlStores, SqlStores]]:
    first = SqlStores.open(db_url)
    second = SqlStores.open(db_url, upgrade=False)
    try:
        yield first, second
    finally:
        first.close()
        second.close()


def test_two_processes_sharing_a_budget_send_at_most_its_rate(
    two_stores: tuple[SqlStores, SqlStores],
) -> None:
    rate, seconds = 40.0, 1.5
    start = time.time() + 0.2
    sent: list[float] = []
    lock = threading.Lock()

    def send(stores: SqlStores) -> None:
        pace = SharedPace(stores.pace, "ses", rate, time.time, time.sleep)
        while time.time() < start + seconds:
            pace.acquire()
            with lock:
                sent.append(time.time())

    workers = [threading.Thread(target=send, args=(s,)) for s in two_stores]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(10)
    within = [t for t in sent if start <= t <= start + seconds]
    assert rate * seconds * 0.6 <= len(within) <= rate * seconds + batch_size(rate)


class Throttling:
    """A channel answering `times` calls with a throttle (429), then accepting."""

    name = "ses"

    def __init__(self, times: int) -> None:
        self.times, self.calls = times, 0

    def deliver(self, message: OutgoingEmail) -> DeliveryResult:
        self.calls += 1
        if self.calls <= self.times:
            raise DeliveryError("ses: TooManyRequestsException", retryable=True, throttled=True)
        return DeliveryResult(f"id-{self.calls}")

    def close(self) -> None:
        pass


def paced(channel: object, stores: SqlStores, rate: float, attempts: int = 3) -> EmailSender:
    pace = SharedPace(stores.pace, "ses", rate, time.time, time.sleep)
    policy = RetryPolicy(max_attempts=attempts, backoff_base=0.01, backoff_max=0.02)
    return EmailSender(channel, lambda _: message(), policy, pace=pace)  # type: ignore[arg-type]


def test_a_message_throttled_on_every_try_is_left_pending_not_failed(store: SqlStores) -> None:
    outcomes = paced(Throttling(100), store, 100.0).send(jobs(2))
    assert [(o.status, o.attempts) for o in outcomes] == [("pending", 0)] * 2
    bucket = store.pace.bucket("ses")
    assert bucket is not None and bucket.rate < 100.0


def test_a_throttled_ses_slows_the_shared_budget_and_loses_nothing(
    ses_peer: SesPeer, store: SqlStores
) -> None:
    ses_peer.verify("example.com")
    settings = SesSettings(region="us-east-1", endpoint_url=ses_peer.url, max_send_rate=1000)
    channel = SesChannel(settings, config=NO_RETRIES)
    channel.deliver(message())
    channel._client.meta.events.register("before-send.sesv2.SendEmail", throttle(3))
    outcomes = paced(channel, store, 200.0, attempts=4).send(jobs(5))
    assert [o.status for o in outcomes] == ["delivered"] * 5
    assert len(ses_peer.raw_messages()) == 1 + 5
    bucket = store.pace.bucket("ses")
    assert bucket is not None and bucket.base == 200.0 and bucket.rate < 200.0


@pytest.mark.parametrize("code", [421, 454])
def test_a_relay_asking_to_slow_down_is_a_throttle(code: int) -> None:
    error = refused(smtplib.SMTPResponseException(code, b"4.7.0 too many messages, slow down"))
    assert error.throttled and error.retryable


def test_a_refused_message_is_no_throttle() -> None:
    error = refused(smtplib.SMTPResponseException(550, b"5.1.1 no such user"))
    assert not error.throttled and not error.retryable


def test_a_run_through_ses_is_paced_by_the_account_rate_in_the_store(
    ses_peer: SesPeer,
    ses_account: AccountEndpoint,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ses_peer.verify("example.com")
    ses_account.account["SendQuota"]["MaxSendRate"] = 500.0
    (tmp_path / "notifier.toml").write_text(
        '[email]\nchannel = "ses"\n[ses]\nregion = "us-east-1"\n'
        f'endpoint_url = "{ses_account.url}"\n'
    )
    result = Cli(tmp_path, capsys, {})("run", "--as-of", "2026-11-27", "--json")
    assert result.code == 0, result.err
    assert result.json()["channels"]["ses"]["delivered"] == len(ses_peer.raw_messages()) > 100
    stores = SqlStores.open(f"sqlite:///{tmp_path / 'notifier.db'}", upgrade=False)
    bucket = stores.pace.bucket("ses")
    stores.close()
    assert bucket is not None and (bucket.base, bucket.rate) == (500.0, 500.0)


def test_a_day_beyond_the_ses_quota_sends_the_most_urgent_and_leaves_the_rest_pending(
    ses_peer: SesPeer,
    ses_account: AccountEndpoint,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ses_peer.verify("example.com")
    ses_account.account["SendQuota"] = {
        "Max24HourSend": 50.0,
        "MaxSendRate": 500.0,
        "SentLast24Hours": 20.0,
    }
    (tmp_path / "notifier.toml").write_text(
        '[email]\nchannel = "ses"\n[ses]\nregion = "us-east-1"\n'
        f'endpoint_url = "{ses_account.url}"\n'
    )
    cli = Cli(tmp_path, capsys, {})
    first = cli("run", "--as-of", "2026-11-27", "--json")
    assert first.code == 0, first.err
    summary = first.json()
    assert summary["quota_left"] == 30 and summary["deferred_for_quota"] > 0
    assert summary["notices"] == summary["channels"]["ses"]["delivered"] == 30
    assert "30 messages left in the 24-hour quota" in first.err
    sent_first = phase_dates(tmp_path)
    ses_account.account["SendQuota"] = {"Max24HourSend": 50000.0, "MaxSendRate": 500.0}
    second = cli("run", "--as-of", "2026-11-27", "--json").json()
    assert second["deferred_for_quota"] == 0
    assert second["notices"] == summary["deferred_for_quota"]
    sent_later = phase_dates(tmp_path) - sent_first
    assert len(ses_peer.raw_messages()) == 30 + second["notices"]
    assert max(d for d, _ in sent_first) <= min(d for d, _ in sent_later)


def phase_dates(folder: Path) -> set[tuple[date, int]]:
    """(phase date, notice id) of each notice the ledger holds."""
    stores = SqlStores.open(f"sqlite:///{folder / 'notifier.db'}", upgrade=False)
    rows = stores.ledger.history()
    stores.close()
    return {
        (
            r.notice.milestone.date + timedelta(days=r.notice.milestone.days_before),
            r.notice.notice_id,
        )
        for r in rows
    }
