"""The delivery settings of the email channels (SMTP, SES): none yet beyond [email]."""

from __future__ import annotations

from dataclasses import dataclass

from notifier.config.reader import Reader

DELIVERY_KEYS: tuple[str, ...] = ()
DELIVERY_ENV: dict[str, str] = {}


@dataclass(frozen=True)
class DeliverySettings:
    """Filled in by the SMTP and SES channels' settings."""


def read_delivery(r: Reader) -> DeliverySettings:
    return DeliverySettings()
