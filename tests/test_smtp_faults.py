"""An SMTP relay set up wrong or stalling: the channel gives up once, names what to fix, and
fails the rest of the run's messages at once instead of trying again for each."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from notifier.channels.base import ChannelDown, ChannelStalled, DeliveryError
from notifier.channels.smtp import SmtpChannel
from notifier.config.delivery import SmtpSettings
from tests.peers import (
    PASSWORD,
    USER,
    Certificate,
    Logins,
    Recorder,
    SilentPeer,
    SmtpPeer,
    running,
)
from tests.rendering_helpers import built_email


@pytest.fixture
def logins() -> Logins:
    return Logins()


@pytest.fixture
def refusing_peer(logins: Logins) -> Iterator[SmtpPeer]:
    """An SMTP server that offers AUTH (without TLS) and refuses every login."""
    with running(SmtpPeer(Recorder(), logins=logins)) as peer:
        yield peer


def failures(channel: SmtpChannel, count: int, threads: int = 1) -> list[DeliveryError]:
    """Delivers `count` messages from `threads` threads; each must fail: their errors."""

    def attempt(number: int) -> DeliveryError:
        with pytest.raises(DeliveryError) as failure:
            channel.deliver(built_email((f"team{number}@example.com",)))
        return failure.value

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(attempt, range(count)))


def test_a_refused_login_is_tried_once_per_run_and_names_the_password_setting(
    refusing_peer: SmtpPeer, logins: Logins
) -> None:
    settings = SmtpSettings(
        host="127.0.0.1",
        port=refusing_peer.port,
        security="plain",
        username=USER,
        password=PASSWORD,
        timeout=5,
        connections=4,
    )
    channel = SmtpChannel(settings)
    errors = failures(channel, 20, threads=4)
    channel.close()
    assert logins.attempts == 1
    assert all(isinstance(e, ChannelDown) and e.setting == "smtp.password" for e in errors)
    assert all("535" in e.reason and PASSWORD not in e.reason for e in errors)
    assert refusing_peer.recorder.messages == []


def test_a_relay_without_starttls_is_down_naming_the_security_setting(
    smtp_peer: SmtpPeer,
) -> None:
    channel = SmtpChannel(SmtpSettings(host="127.0.0.1", port=smtp_peer.port, timeout=5))
    errors = failures(channel, 3)
    assert all(isinstance(e, ChannelDown) and e.setting == "smtp.security" for e in errors)
    assert "STARTTLS" in errors[0].reason


def test_a_certificate_the_client_does_not_trust_is_down_naming_the_ca_file_setting(
    tls_smtp_peer: SmtpPeer,
) -> None:
    settings = SmtpSettings(
        host="localhost", port=tls_smtp_peer.port, username=USER, password=PASSWORD, timeout=5
    )
    errors = failures(SmtpChannel(settings), 3)
    assert all(isinstance(e, ChannelDown) and e.setting == "smtp.ca_file" for e in errors)
    assert "CERTIFICATE_VERIFY_FAILED" in errors[0].reason


def test_implicit_tls_to_a_plain_relay_is_down_naming_the_security_setting(
    smtp_peer: SmtpPeer, certificate: Certificate
) -> None:
    settings = SmtpSettings(host="localhost", port=smtp_peer.port, security="tls", timeout=5)
    [error] = failures(SmtpChannel(settings, certificate.client_context()), 1)
    assert isinstance(error, ChannelDown) and error.setting == "smtp.security"


def timed(action: Callable[[], object]) -> float:
    start = time.monotonic()
    action()
    return time.monotonic() - start


def test_a_relay_that_accepts_and_never_answers_is_given_up_once_per_run(
    silent_peer: SilentPeer,
) -> None:
    settings = SmtpSettings(host="127.0.0.1", port=silent_peer.port, security="plain", timeout=1)
    channel = SmtpChannel(settings)
    errors: list[DeliveryError] = []
    elapsed = timed(lambda: errors.extend(failures(channel, 10)))
    assert elapsed < 6
    assert all(isinstance(e, ChannelStalled) and e.retryable for e in errors)
    assert "stopped answering" in errors[0].reason
    assert len(silent_peer.accepted) == 1


def test_a_relay_that_stalls_in_data_is_given_up_within_two_timeouts(
    smtp_peer: SmtpPeer,
) -> None:
    smtp_peer.recorder.data_stall = 30
    settings = SmtpSettings(host="127.0.0.1", port=smtp_peer.port, security="plain", timeout=1)
    channel = SmtpChannel(settings)
    errors: list[DeliveryError] = []
    assert timed(lambda: errors.extend(failures(channel, 1))) < 2.5
    assert timed(lambda: errors.extend(failures(channel, 5))) < 1  # no timeout waited out
    assert all(isinstance(e, ChannelStalled) and e.retryable for e in errors)
    assert not channel._open
