"""Internationalised addresses over SMTP, against aiosmtpd with and without SMTPUTF8: what the
recipient's server gets in the envelope and in the headers."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator

import pytest

from notifier.channels.base import DeliveryError
from notifier.channels.smtp import SmtpChannel
from notifier.config.delivery import SmtpSettings
from tests.peers import Recorder, SmtpPeer, running
from tests.rendering_helpers import built_email

CYRILLIC = "user@ex\u0430mple.com"  # the "a" is Cyrillic
UMLAUT_DOMAIN = "user@b\u00fccher.example"
UMLAUT_LOCAL = "j\u00fcrgen@example.com"


@pytest.fixture
def utf8_peer() -> Iterator[SmtpPeer]:
    """An SMTP server that offers SMTPUTF8."""
    with running(SmtpPeer(Recorder(), smtputf8=True)) as peer:
        yield peer


def plain(peer: SmtpPeer) -> SmtpChannel:
    return SmtpChannel(SmtpSettings(host="127.0.0.1", port=peer.port, security="plain", timeout=5))


def headers(data: bytes) -> email.message.EmailMessage:
    """The message as an RFC 6532 reader sees it: UTF-8 (an error if it is not)."""
    parsed = email.message_from_string(data.decode("utf-8"), policy=email.policy.SMTPUTF8)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def test_without_smtputf8_an_internationalised_domain_goes_in_its_idna_form(
    smtp_peer: SmtpPeer,
) -> None:
    channel = plain(smtp_peer)
    channel.deliver(built_email((CYRILLIC, UMLAUT_DOMAIN)))
    channel.close()
    [received] = smtp_peer.recorder.messages
    expected = ["user@xn--exmple-4nf.com", "user@xn--bcher-kva.example"]
    assert received.recipients == expected
    assert "SMTPUTF8" not in received.mail_options
    assert received.data.isascii()
    assert headers(received.data)["To"] == ", ".join(expected)


def test_without_smtputf8_a_unicode_local_part_fails_that_message_for_good(
    smtp_peer: SmtpPeer,
) -> None:
    channel = plain(smtp_peer)
    with pytest.raises(DeliveryError) as failure:
        channel.deliver(built_email((UMLAUT_LOCAL, "ops@example.com")))
    assert failure.value.retryable is False
    assert UMLAUT_LOCAL in failure.value.reason and "SMTPUTF8" in failure.value.reason
    channel.deliver(built_email(("ops@example.com",)))  # the connection still serves
    channel.close()
    assert [m.recipients for m in smtp_peer.recorder.messages] == [["ops@example.com"]]


def test_with_smtputf8_unicode_addresses_go_as_they_are_in_utf8_headers(
    utf8_peer: SmtpPeer,
) -> None:
    channel = plain(utf8_peer)
    sender = "J\u00fcrgen's notices <n\u00f6tices@example.com>"
    channel.deliver(built_email((UMLAUT_LOCAL, UMLAUT_DOMAIN), sender=sender))
    channel.close()
    [received] = utf8_peer.recorder.messages
    assert "SMTPUTF8" in received.mail_options
    assert received.sender == "n\u00f6tices@example.com"
    assert received.recipients == [UMLAUT_LOCAL, UMLAUT_DOMAIN]
    parsed = headers(received.data)
    assert [a.addr_spec for a in parsed["To"].addresses] == [
        UMLAUT_LOCAL,
        "user@xn--bcher-kva.example",
    ]
    [author] = parsed["From"].addresses
    assert (author.display_name, author.addr_spec) == (
        "J\u00fcrgen's notices",
        "n\u00f6tices@example.com",
    )
