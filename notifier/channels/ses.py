"""The Amazon SES channel: sesv2 `send_email` with the exact MIME message as Raw content.

A client-side limiter keeps to the account's maximum send rate (from config, else from
`get_account`, else one a second). botocore does not retry (the runner does, with backoff):
throttling and 5xx are transient; rejected messages, unverified senders and other 4xx are
permanent. The boto3 client is made on first use, never at import. `check` asks GetAccount and
GetEmailIdentity once before a run, and its account rate paces the run.

SES takes no SMTPUTF8: an internationalised domain goes in its IDNA form, a display name in
Unicode as an RFC 2047 encoded word, and a local part in Unicode fails the message permanently.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from email.utils import formataddr, parseaddr
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from notifier.channels.aws import AWS_ERRORS, delivery_error, setup_error
from notifier.channels.base import (
    ChannelDown,
    DeliveryError,
    DeliveryResult,
    OutgoingEmail,
    ascii_address,
)
from notifier.config.delivery import SesSettings

log = logging.getLogger(__name__)

FALLBACK_RATE = 1.0  # the sandbox rate, when neither config nor get_account tells
# SES's own transient answers, besides every AWS service's (channels/aws.py).
_ADDRESS = re.compile(r"[^\s,;:<>()\[\]\"']+@[^\s,;:<>()\[\]\"']+")
SES_TRANSIENT_CODES = frozenset(
    {
        "LimitExceededException",
        "SendingPausedException",
        "AccountSuspendedException",  # the account's state, not the message's: fix and rerun
    }
)
_TAG_CHARACTERS = re.compile(r"[^A-Za-z0-9_\-]")


class RateLimiter:
    """At most `rate` acquisitions a second, spaced evenly; thread-safe; clock injectable."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1.0 / rate
        self.clock, self.sleep = clock, sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            now = self.clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self.sleep(start - now)


class SesChannel:
    name = "ses"

    def __init__(
        self,
        settings: SesSettings,
        client: Any = None,
        config: Config | None = None,
        sender: str | None = None,
    ):
        self.settings = settings
        self.sender = sender  # the address `check` looks up (email.sender)
        self.sandbox = False  # what `check` found: only verified recipients get mail
        self._client = client
        self._config = config or Config(
            retries={"total_max_attempts": 1}, connect_timeout=10, read_timeout=30
        )
        self._limiter: RateLimiter | None = None
        self.quota: dict[str, Any] = {}  # SendQuota, as the check found it
        self._lock = threading.Lock()

    def deliver(self, message: OutgoingEmail) -> DeliveryResult:
        params = self.request(message)
        client, limiter = self._ready()
        limiter.acquire()
        try:
            reply = client.send_email(**params)
        except AWS_ERRORS as exc:
            raise _same_kind(delivery_error("ses", exc, SES_TRANSIENT_CODES)) from exc
        return DeliveryResult(provider_id=str(reply.get("MessageId") or "") or None)

    def request(self, message: OutgoingEmail) -> dict[str, Any]:
        """The send_email parameters: the envelope and the raw message, tags, config set.
        Raises DeliveryError (permanent) for an address SES cannot take."""
        params: dict[str, Any] = {
            "FromEmailAddress": _sender(message.sender),
            "Destination": {"ToAddresses": [_ascii(r) for r in message.recipients]},
            "Content": {"Raw": {"Data": message.data}},
        }
        if self.settings.configuration_set:
            params["ConfigurationSetName"] = self.settings.configuration_set
        if self.settings.tags:
            key = message.key
            tags = {
                "account": key.account_id,
                "runtime": key.runtime,
                "milestone": f"{key.phase.value}_{key.days_before}",
            }
            params["EmailTags"] = [{"Name": k, "Value": _tag(v)} for k, v in tags.items()]
        return params

    @property
    def send_rate(self) -> float | None:
        """Messages a second: ses.max_send_rate, else the account's (as the check found)."""
        rate = self.settings.max_send_rate or float(self.quota.get("MaxSendRate") or 0)
        return rate or None

    @property
    def quota_left(self) -> int | None:
        """Messages SES still takes in its 24 hours (as the check found); None: no limit known."""
        most = float(self.quota.get("Max24HourSend") or 0)
        if most <= 0:
            return None
        return max(0, int(most - float(self.quota.get("SentLast24Hours") or 0)))

    def check(self) -> str:
        """GetAccount (sending enabled? production access or sandbox? quota) and GetEmailIdentity
        for the sender's address, else its domain (verified? DKIM). The account's rate then
        paces the run: no second GetAccount."""
        client = self._checked_client()
        account = _ask("GetAccount", client.get_account)
        quota = self.quota = account.get("SendQuota", {})
        rate = float(quota.get("MaxSendRate") or 0)
        with self._lock:
            if self._limiter is None:
                self._limiter = RateLimiter(self.settings.max_send_rate or rate or FALLBACK_RATE)
        self.sandbox = not account.get("ProductionAccessEnabled")
        found = [_sending(account, self._region(client)), _quota(rate, quota)]
        if self.sender:
            found.append(self._identity(client, parseaddr(self.sender)[1] or self.sender))
        return ", ".join(found)

    def _checked_client(self) -> Any:
        with self._lock:
            if self._client is None:
                try:
                    self._client = self._make_client()
                except DeliveryError as exc:
                    reason = f"{exc.reason}; check ses.region (or AWS_DEFAULT_REGION)"
                    raise ChannelDown(reason, setting="ses.region") from exc
            return self._client

    def _identity(self, client: Any, address: str) -> str:
        """`sender <name> verified (DKIM <status>)`, else the line saying what to verify."""
        region, domain = self._region(client), address.rpartition("@")[2]
        for name in dict.fromkeys((_sender_address(address), _ascii_domain(domain))):
            found = self._lookup(client, name)
            if found is not None and _verified(found):
                dkim = (found.get("DkimAttributes") or {}).get("Status") or "NOT_STARTED"
                return f"sender {name} verified (DKIM {dkim})"
        raise ChannelDown(
            f"email.sender: {address} is not verified in SES ({region}); verify it or the "
            f"domain {domain}",
            setting="email.sender",
        )

    def unverified(self, addresses: Iterable[str]) -> list[str]:
        """The addresses that are not verified identities, nor in a verified domain: in the
        sandbox SES refuses them. One GetEmailIdentity per distinct address and domain."""
        client, known = self._checked_client(), dict[str, bool]()

        def verified(name: str) -> bool:
            if name not in known:
                found = self._lookup(client, name)
                known[name] = found is not None and _verified(found)
            return known[name]

        wanted = sorted(dict.fromkeys(a.lower() for a in addresses))
        return [
            a
            for a in wanted
            if not verified(_ascii_domain(a.rpartition("@")[2])) and not verified(a)
        ]

    def _lookup(self, client: Any, identity: str) -> dict[str, Any] | None:
        try:
            found: dict[str, Any] = client.get_email_identity(EmailIdentity=identity)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "NotFoundException":
                return None
            raise setup_error("ses", "GetEmailIdentity", exc, "ses.region") from exc
        except BotoCoreError as exc:
            raise setup_error("ses", "GetEmailIdentity", exc, "ses.region") from exc
        return found

    def _region(self, client: Any) -> str:
        return str(client.meta.region_name or self.settings.region)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def _ready(self) -> tuple[Any, RateLimiter]:
        with self._lock:
            if self._client is None:
                self._client = self._make_client()
            if self._limiter is None:
                self._limiter = RateLimiter(self.settings.max_send_rate or self._account_rate())
            return self._client, self._limiter

    def _make_client(self) -> Any:
        try:
            return boto3.client(
                "sesv2",
                region_name=self.settings.region,
                endpoint_url=self.settings.endpoint_url,
                config=self._config,
            )
        except BotoCoreError as exc:
            raise DeliveryError(f"ses: cannot make a client: {exc}", retryable=True) from exc

    def _account_rate(self) -> float:
        try:
            quota = self._client.get_account().get("SendQuota", {})
            rate = float(quota.get("MaxSendRate") or 0)
        except (ClientError, BotoCoreError) as exc:
            log.warning("ses: get_account failed (%s); sending %s a second", exc, FALLBACK_RATE)
            return FALLBACK_RATE
        return rate if rate > 0 else FALLBACK_RATE


def _same_kind(error: DeliveryError) -> DeliveryError:
    """SES refuses a message for its account's set-up (an identity not verified, the sandbox),
    never for a mailbox it cannot know yet: the addresses it names are left out of the kind."""
    kind = _ADDRESS.sub("<address>", error.reason)
    return DeliveryError(
        error.reason, retryable=error.retryable, kind=kind, throttled=error.throttled
    )


def _ask(call: str, method: Callable[[], Any]) -> Any:
    try:
        return method()
    except AWS_ERRORS as exc:
        raise setup_error("ses", call, exc, "ses.region and ses.endpoint_url") from exc


def _sender_address(address: str) -> str:
    try:
        return _ascii(address)
    except DeliveryError as exc:
        raise ChannelDown(f"email.sender: {exc.reason}", setting="email.sender") from exc


def _sending(account: dict[str, Any], region: str) -> str:
    if not account.get("SendingEnabled", True):
        raise ChannelDown(
            f"ses: sending is paused for this account in {region} (SendingEnabled is false); "
            "resume it in SES, or check ses.region",
            setting="ses.region",
        )
    access = account.get("ProductionAccessEnabled")
    return "sending enabled, " + (
        "production access" if access else "sandbox (only verified recipients get mail)"
    )


def _verified(identity: dict[str, Any]) -> bool:
    """VerifiedForSendingStatus, or a VerificationStatus of SUCCESS (moto reports only that)."""
    return bool(identity.get("VerifiedForSendingStatus")) or (
        identity.get("VerificationStatus") == "SUCCESS"
    )


def _quota(rate: float, quota: dict[str, Any]) -> str:
    daily = float(quota.get("Max24HourSend") or 0)
    return f"quota {rate:g}/s and {daily:,.0f}/day"


def _ascii_domain(domain: str) -> str:
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def _sender(sender: str) -> str:
    """The From address as SES takes it: ASCII, a Unicode display name as an encoded word."""
    if sender.isascii():
        return sender
    name, address = parseaddr(sender)
    return formataddr((name, _ascii(address or sender)), charset="utf-8")


def _ascii(address: str) -> str:
    return ascii_address(address, "ses", "SES takes no local part in Unicode (no SMTPUTF8)")


def _tag(value: str) -> str:
    return _TAG_CHARACTERS.sub("_", value)[:256] or "_"
