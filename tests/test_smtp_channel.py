"""The SMTP channel against a real aiosmtpd server: plain, STARTTLS with AUTH, refusals, outages."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from notifier.channels.base import DeliveryError, OutgoingEmail, Refusal
from notifier.channels.smtp import SmtpChannel
from notifier.config.delivery import SmtpSettings
from notifier.core.domain import NoticeKey, Phase
from tests.peers import PASSWORD, USER, Certificate, SmtpPeer


def message(number: int, *recipients: str) -> OutgoingEmail:
    key = NoticeKey(f"{number:012d}", "python3.9", Phase.DEPRECATION, 30)
    message_id = key.message_id("test.invalid")
    data = (
        f"From: Notices <notices@example.com>\nTo: {', '.join(recipients)}\n"
        f"Message-ID: {message_id}\nSubject: notice {number}\n\n.leading dot\nbody\n"
    ).encode()  # LF line ends, as notifier builds messages: the channel sends CRLF
    return OutgoingEmail(
        key, message_id, "Notices <notices@example.com>", recipients, f"notice {number}", data
    )


def plain(peer: SmtpPeer) -> SmtpChannel:
    return SmtpChannel(SmtpSettings(host="127.0.0.1", port=peer.port, security="plain", timeout=5))


def test_messages_reach_the_server_with_crlf_lines_over_one_reused_connection(
    smtp_peer: SmtpPeer,
) -> None:
    channel = plain(smtp_peer)
    results = [channel.deliver(message(i, f"team{i}@example.com")) for i in range(5)]
    assert len(channel._open) == 1
    channel.close()
    received = smtp_peer.recorder.messages
    assert [m.recipients for m in received] == [[f"team{i}@example.com"] for i in range(5)]
    assert {m.sender for m in received} == {"notices@example.com"}
    assert received[0].data.endswith(b"\r\n.leading dot\r\nbody\r\n")
    assert results[0].provider_id == "2.0.0 Ok: queued as Q1"


def test_parallel_workers_each_hold_their_own_connection(smtp_peer: SmtpPeer) -> None:
    channel = plain(smtp_peer)
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(channel.deliver, [message(i, f"t{i}@example.com") for i in range(30)]))
    assert 1 <= len(channel._open) <= 3
    channel.close()
    assert len(smtp_peer.recorder.messages) == 30


def test_starttls_with_login_delivers_and_never_shows_the_password(
    tls_smtp_peer: SmtpPeer, certificate: Certificate, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = SmtpSettings(
        host="localhost", port=tls_smtp_peer.port, username=USER, password=PASSWORD, timeout=5
    )
    channel = SmtpChannel(settings, certificate.client_context())
    channel.deliver(message(1, "a@example.com"))
    channel.close()
    assert len(tls_smtp_peer.recorder.messages) == 1
    assert PASSWORD not in repr(settings) and PASSWORD not in caplog.text


def test_a_wrong_password_is_a_transient_failure_without_the_password(
    tls_smtp_peer: SmtpPeer, certificate: Certificate
) -> None:
    settings = SmtpSettings(
        host="localhost", port=tls_smtp_peer.port, username=USER, password="wrong", timeout=5
    )
    with pytest.raises(DeliveryError) as failure:
        SmtpChannel(settings, certificate.client_context()).deliver(message(1, "a@example.com"))
    assert failure.value.retryable
    assert "535" in failure.value.reason and "wrong" not in failure.value.reason


def test_the_ca_file_setting_trusts_a_private_relay(
    tls_smtp_peer: SmtpPeer, certificate: Certificate
) -> None:
    settings = SmtpSettings(
        host="localhost",
        port=tls_smtp_peer.port,
        username=USER,
        password=PASSWORD,
        ca_file=certificate.cert,
    )
    SmtpChannel(settings).deliver(message(1, "a@example.com"))
    assert len(tls_smtp_peer.recorder.messages) == 1


@pytest.mark.parametrize(
    ("reply", "retryable"),
    [("550 5.1.1 no such user", False), ("451 4.3.0 try again later", True)],
)
def test_a_refused_recipient_fails_permanently_or_transiently_by_its_code(
    smtp_peer: SmtpPeer, reply: str, retryable: bool
) -> None:
    smtp_peer.recorder.rcpt_rule = lambda address: reply if address.startswith("bad") else None
    channel = plain(smtp_peer)
    with pytest.raises(DeliveryError) as failure:
        channel.deliver(message(1, "bad@example.com"))
    assert failure.value.retryable is retryable
    assert reply.split()[0] in failure.value.reason and "bad@example.com" in failure.value.reason
    channel.deliver(message(2, "bad2@example.com", "good@example.com"))
    assert [m.recipients for m in smtp_peer.recorder.messages] == [["good@example.com"]]


def test_recipients_refused_while_others_accepted_the_message_are_reported(
    smtp_peer: SmtpPeer,
) -> None:
    replies = {
        "gone@example.com": "550 5.1.1 <gone@example.com>: Recipient address rejected",
        "policy@example.com": "550 5.7.1 Relaying denied",
        "full@example.com": "452 4.2.2 Mailbox full",
        "nobody@example.com": "553 sorry, no such user here",
    }
    smtp_peer.recorder.rcpt_rule = replies.get
    channel = plain(smtp_peer)
    result = channel.deliver(message(1, "gone@example.com", "ok@example.com"))
    assert result.refused == (Refusal("gone@example.com", replies["gone@example.com"], True),)
    result = channel.deliver(message(2, *replies, "ok@example.com"))
    assert {(r.address, r.permanent) for r in result.refused} == {
        ("gone@example.com", True),
        ("policy@example.com", False),
        ("full@example.com", False),
        ("nobody@example.com", True),
    }
    assert result.provider_id == "2.0.0 Ok: queued as Q2"
    assert [m.recipients for m in smtp_peer.recorder.messages] == [["ok@example.com"]] * 2


def test_a_server_that_is_down_is_a_transient_failure(smtp_peer: SmtpPeer) -> None:
    channel = plain(smtp_peer)
    channel.deliver(message(1, "a@example.com"))
    smtp_peer.stop()
    with pytest.raises(DeliveryError) as failure:
        channel.deliver(message(2, "a@example.com"))
        channel.deliver(message(3, "a@example.com"))
    assert failure.value.retryable
    smtp_peer.start()
    channel.deliver(message(4, "a@example.com"))
    assert len(smtp_peer.recorder.messages) == 2


def test_a_missing_ca_file_is_a_config_error(tmp_path: Path) -> None:
    from notifier.core.errors import ConfigError

    with pytest.raises(ConfigError, match="cannot load CA certificates"):
        SmtpChannel(SmtpSettings(ca_file=tmp_path / "missing.pem"))
