"""The library's checks of what a caller passes in, the same for Python and the CLI."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from email_validator import EmailNotValidError, validate_email

from notifier.core.errors import InputError, Problem
from notifier.core.names import is_account_id


def account_ids(values: Sequence[str] | None) -> list[str] | None:
    """The ids asked for, sorted and unique; None for all. Each must be 12 ASCII digits (other
    scripts' digits pass `str.isdigit`)."""
    if not values:
        return None
    if isinstance(values, str):
        values = [values]
    bad = [value for value in values if not is_account_id(value)]
    if bad:
        raise InputError(
            Problem("accounts", f"expected a 12-digit account id, got {value!r}") for value in bad
        )
    return sorted(set(values))


def checked_address(address: str) -> str:
    """An email address as the suppression list keeps it: checked, trimmed, lower-cased."""
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InputError([Problem("address", f"expected an email address: {exc}")]) from exc
    return address.strip().lower()


STATUSES = ("pending", "sending", "delivered", "failed", "undeliverable")


def checked_status(status: str | None) -> str | None:
    """A delivery status to filter on, one of STATUSES; None for any."""
    if status is None or status in STATUSES:
        return status
    listed = ", ".join(STATUSES)
    raise InputError([Problem("status", f"expected one of {listed}, got {status!r}")])


def checked_channel(channel: str | None, configured: Collection[str]) -> list[str]:
    """The channels to act on: `channel` (one of those configured) or every configured one."""
    if channel is None:
        return list(configured)
    if channel not in configured:
        listed = ", ".join(configured)
        problem = f"no channel {channel!r} is configured; the channels are: {listed}"
        raise InputError([Problem("channel", problem)])
    return [channel]
