"""The SES channel against moto in server mode; throttling simulated at the HTTP layer."""

from __future__ import annotations

import json
from email.headerregistry import Address
from email.policy import default
from typing import Any, cast

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config

from notifier.channels.base import DeliveryError, OutgoingEmail
from notifier.channels.ses import RateLimiter, SesChannel
from notifier.config.delivery import SesSettings
from notifier.core.domain import NoticeKey, Phase
from tests.peers import SesPeer
from tests.rendering_helpers import built_email

NO_RETRIES = Config(retries={"total_max_attempts": 1})


def message(sender: str = "Notices <notices@example.com>") -> OutgoingEmail:
    key = NoticeKey("111122223333", "python3.9", Phase.DEPRECATION, 30)
    message_id = key.message_id("test.invalid")
    data = (
        f"From: {sender}\r\nTo: a@example.org, b@example.org\r\nMessage-ID: {message_id}\r\n"
        "Subject: notice\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
    ).encode()
    return OutgoingEmail(key, message_id, sender, ("a@example.org", "b@example.org"), "s", data)


def channel(peer: SesPeer, **settings: Any) -> SesChannel:
    options = {"region": "us-east-1", "endpoint_url": peer.url, "max_send_rate": 1000.0}
    return SesChannel(SesSettings(**{**options, **settings}), config=NO_RETRIES)


class Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Any:
        yield self.body


def throttle(times: int, status: int = 429, code: str = "TooManyRequestsException") -> Any:
    """A before-send hook answering the first `times` SendEmail calls with an error."""
    calls: list[int] = []

    def hook(request: Any, **_: Any) -> AWSResponse | None:
        calls.append(1)
        if len(calls) > times:
            return None
        body = json.dumps({"message": "Maximum sending rate exceeded."}).encode()
        headers = {"x-amzn-ErrorType": code, "Content-Type": "application/json"}
        return AWSResponse(request.url, status, cast(Any, headers), Raw(body))

    return hook


def test_the_exact_mime_message_is_sent_as_raw_content(ses_peer: SesPeer) -> None:
    ses_peer.verify("example.com")
    sent = message()
    result = channel(ses_peer).deliver(sent)
    [stored] = ses_peer.raw_messages()
    assert stored["raw_data"].encode() == sent.data
    assert set(stored["destinations"]) == {"a@example.org", "b@example.org"}  # moto adds To:
    assert result.provider_id == stored["id"]


def test_tags_and_the_configuration_set_go_with_each_message(ses_peer: SesPeer) -> None:
    ses_peer.verify("example.com")
    boto3.client("sesv2", endpoint_url=ses_peer.url).create_configuration_set(
        ConfigurationSetName="notices"
    )
    seen: list[dict[str, Any]] = []
    ses = channel(ses_peer, configuration_set="notices")
    ses.deliver(message())  # makes the client
    ses._client.meta.events.register(
        "before-send.sesv2.SendEmail", lambda request, **_: seen.append(json.loads(request.body))
    )
    ses.deliver(message())
    assert seen[0]["ConfigurationSetName"] == "notices"
    assert seen[0]["EmailTags"] == [
        {"Name": "account", "Value": "111122223333"},
        {"Name": "runtime", "Value": "python3_9"},
        {"Name": "milestone", "Value": "deprecation_30"},
    ]


def test_an_unverified_sender_fails_permanently_with_the_reason(ses_peer: SesPeer) -> None:
    with pytest.raises(DeliveryError) as failure:
        channel(ses_peer).deliver(message())
    assert not failure.value.retryable
    assert failure.value.reason.startswith("ses: MessageRejected: Did not have authority")


@pytest.mark.parametrize(
    ("status", "code"),
    [(429, "TooManyRequestsException"), (400, "Throttling"), (503, "ServiceUnavailable")],
)
def test_throttling_and_server_errors_are_transient(
    ses_peer: SesPeer, status: int, code: str
) -> None:
    ses_peer.verify("example.com")
    ses = channel(ses_peer)
    ses.deliver(message())
    ses._client.meta.events.register("before-send.sesv2.SendEmail", throttle(1, status, code))
    with pytest.raises(DeliveryError) as failure:
        ses.deliver(message())
    assert failure.value.retryable and code in failure.value.reason
    ses.deliver(message())
    assert len(ses_peer.raw_messages()) == 2


def test_an_unreachable_endpoint_is_transient() -> None:
    settings = SesSettings(region="us-east-1", endpoint_url="http://127.0.0.1:9", max_send_rate=5)
    with pytest.raises(DeliveryError) as failure:
        SesChannel(settings, config=NO_RETRIES).deliver(message())
    assert failure.value.retryable


def test_without_a_configured_rate_the_limiter_falls_back_when_get_account_fails(
    ses_peer: SesPeer,
) -> None:
    ses = SesChannel(SesSettings(region="us-east-1", endpoint_url=ses_peer.url), config=NO_RETRIES)
    ses_peer.verify("example.com")
    ses.deliver(message())
    assert ses._limiter is not None and ses._limiter.interval == 1.0


def test_the_rate_limiter_spaces_sends_evenly() -> None:
    now = [100.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(round(seconds, 6))
        now[0] += seconds

    limiter = RateLimiter(4.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        limiter.acquire()
    assert waits == [0.25, 0.25, 0.25, 0.25]
    now[0] += 10
    limiter.acquire()
    assert len(waits) == 4


def test_an_internationalised_domain_goes_in_idna_form_and_a_unicode_local_part_fails(
    ses_peer: SesPeer,
) -> None:
    ses_peer.verify("example.com")
    ses = channel(ses_peer)
    sent = built_email(("user@b\u00fccher.example", "user@ex\u0430mple.com"))
    ses.deliver(sent)
    [stored] = ses_peer.raw_messages()
    assert set(stored["destinations"]) == {"user@xn--bcher-kva.example", "user@xn--exmple-4nf.com"}
    assert stored["raw_data"].encode() == sent.data and sent.data.isascii()
    with pytest.raises(DeliveryError) as failure:
        ses.deliver(built_email(("j\u00fcrgen@example.com", "ops@example.com")))
    assert failure.value.retryable is False
    assert "j\u00fcrgen@example.com" in failure.value.reason
    assert len(ses_peer.raw_messages()) == 1


def test_a_sender_with_an_internationalised_domain_and_name_is_sent_as_ses_takes_it(
    ses_peer: SesPeer,
) -> None:
    ses_peer.verify("xn--bcher-kva.example")
    ses = channel(ses_peer)
    seen: list[dict[str, Any]] = []
    sent = built_email(("ops@example.com",), sender="B\u00fccherei <notices@b\u00fccher.example>")
    ses._ready()
    ses._client.meta.events.register(
        "before-send.sesv2.SendEmail", lambda request, **_: seen.append(json.loads(request.body))
    )
    ses.deliver(sent)
    written = seen[0]["FromEmailAddress"]
    [sender] = default.header_factory("From", written).addresses
    assert written.isascii()
    assert sender == Address("B\u00fccherei", addr_spec="notices@xn--bcher-kva.example")
    assert len(ses_peer.raw_messages()) == 1
