"""The delivery settings: [smtp], [ses] and [delivery] (retries). Credentials are never printed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from notifier.config.reader import Reader

SECURITY_MODES = ("starttls", "tls", "plain")

DELIVERY_KEYS: tuple[str, ...] = (
    *("smtp.host", "smtp.port", "smtp.security", "smtp.username", "smtp.password"),
    *("smtp.timeout", "smtp.connections", "smtp.ca_file"),
    *("ses.region", "ses.endpoint_url", "ses.configuration_set", "ses.max_send_rate", "ses.tags"),
    *("delivery.max_attempts", "delivery.backoff_base", "delivery.backoff_max"),
)
DELIVERY_ENV: dict[str, str] = {
    "NOTIFIER_SMTP_HOST": "smtp.host",
    "NOTIFIER_SMTP_PORT": "smtp.port",
    "NOTIFIER_SMTP_USERNAME": "smtp.username",
    "NOTIFIER_SMTP_PASSWORD": "smtp.password",
    "NOTIFIER_SES_REGION": "ses.region",
    "NOTIFIER_SES_ENDPOINT_URL": "ses.endpoint_url",
}
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "plain": 25}
MAX_PORT = 65535


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 587
    security: str = "starttls"  # starttls | tls | plain
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0  # seconds for each step: connect, greeting, each command, DATA
    connections: int = 1
    ca_file: Path | None = None  # CA certificates to trust instead of the system's


@dataclass(frozen=True)
class SesSettings:
    region: str | None = None
    endpoint_url: str | None = None
    configuration_set: str | None = None
    max_send_rate: float | None = None  # messages per second; None: ask SES (get_account)
    tags: bool = True  # account, runtime and milestone as message tags


@dataclass(frozen=True)
class RetrySettings:
    max_attempts: int = 3  # tries of a transient failure within one run
    backoff_base: float = 0.5  # seconds before the first retry, doubled each time
    backoff_max: float = 30.0


@dataclass(frozen=True)
class DeliverySettings:
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    ses: SesSettings = field(default_factory=SesSettings)
    retry: RetrySettings = field(default_factory=RetrySettings)


def read_delivery(r: Reader) -> DeliverySettings:
    return DeliverySettings(smtp=_smtp(r), ses=_ses(r), retry=_retry(r))


def _smtp(r: Reader) -> SmtpSettings:
    security = r.choice("smtp.security", "starttls", SECURITY_MODES)
    username = r.optional_text("smtp.username")
    password = _password(r)
    if password and not username:
        r.problem("smtp.password", "a password needs smtp.username")
    return SmtpSettings(
        host=r.text("smtp.host", "localhost"),
        port=r.number("smtp.port", DEFAULT_PORTS[security], 1, MAX_PORT),
        security=security,
        username=username,
        password=password,
        timeout=r.decimal("smtp.timeout", 30.0, 0.1),
        connections=r.number("smtp.connections", 1, 1),
        ca_file=r.path("smtp.ca_file", None),
    )


def _ses(r: Reader) -> SesSettings:
    rate = r.flat.get("ses.max_send_rate")
    return SesSettings(
        region=r.optional_text("ses.region"),
        endpoint_url=r.optional_text("ses.endpoint_url"),
        configuration_set=r.optional_text("ses.configuration_set"),
        max_send_rate=None if rate is None else r.decimal("ses.max_send_rate", 1.0, 0.01),
        tags=r.flag("ses.tags", True),
    )


def _retry(r: Reader) -> RetrySettings:
    return RetrySettings(
        max_attempts=r.number("delivery.max_attempts", 3, 1),
        backoff_base=r.decimal("delivery.backoff_base", 0.5, 0.0),
        backoff_max=r.decimal("delivery.backoff_max", 30.0, 0.0),
    )


def _password(r: Reader) -> str | None:
    """Like optional_text, but a bad value is never echoed back."""
    value = r.flat.get("smtp.password")
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        r.problem("smtp.password", "expected a string (value hidden)")
        return None
    return value
