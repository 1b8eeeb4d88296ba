"""The delivery settings: [smtp], [ses] and [delivery] (retries). Credentials are never printed.
Their keys, defaults and checks are in the table (keys.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from notifier.config.keys import SMTP_PORTS, default, pick
from notifier.config.reader import Reader


@dataclass(frozen=True)
class SmtpSettings:
    host: str = default("smtp.host")
    port: int = default("smtp.port")
    security: str = default("smtp.security")  # starttls | tls | plain
    username: str | None = default("smtp.username")
    password: str | None = field(default=default("smtp.password"), repr=False)
    timeout: float = default("smtp.timeout")  # seconds for each step
    connections: int = default("smtp.connections")
    ca_file: Path | None = default("smtp.ca_file")  # CA certificates to trust instead
    max_send_rate: float | None = default("smtp.max_send_rate")  # None: no limit


@dataclass(frozen=True)
class SesSettings:
    region: str | None = default("ses.region")
    endpoint_url: str | None = default("ses.endpoint_url")
    configuration_set: str | None = default("ses.configuration_set")
    max_send_rate: float | None = default("ses.max_send_rate")  # None: ask SES (get_account)
    tags: bool = default("ses.tags")
    feedback_queue_url: str | None = default("ses.feedback_queue_url")  # bounces, complaints


@dataclass(frozen=True)
class RetrySettings:
    max_attempts: int = default("delivery.max_attempts")  # tries within one run
    backoff_base: float = default("delivery.backoff_base")  # doubled each time
    backoff_max: float = default("delivery.backoff_max")
    breaker: int = default("delivery.breaker")  # the same refusal this many times in a row
    poll_seconds: float = default("delivery.poll_seconds")  # a worker's wait between polls


@dataclass(frozen=True)
class DeliverySettings:
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    ses: SesSettings = field(default_factory=SesSettings)
    retry: RetrySettings = field(default_factory=RetrySettings)


def smtp_rules(r: Reader, values: dict[str, Any]) -> None:
    """What one key cannot say alone: an unset port follows the security mode, and a password
    needs a username."""
    if "smtp.port" not in r.flat:
        values["smtp.port"] = SMTP_PORTS[values["smtp.security"]]
    if values["smtp.password"] and not values["smtp.username"]:
        r.problem("smtp.password", "a password needs smtp.username")


def delivery_from(values: Mapping[str, Any]) -> DeliverySettings:
    return DeliverySettings(
        smtp=SmtpSettings(**pick(values, "smtp")),
        ses=SesSettings(**pick(values, "ses")),
        retry=RetrySettings(**pick(values, "delivery")),
    )
