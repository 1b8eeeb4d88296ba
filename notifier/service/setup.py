"""Checking the delivery set-up before a run: each configured channel tried once.

A channel's `check` raises ChannelDown (one line naming the setting to fix) or ConfigError;
nothing is sent and nothing is recorded."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from notifier.channels.base import Checkable, EmailChannel
from notifier.service.planning import PlanInputs, due_batches
from notifier.service.ports import Stores

SHOWN = 10  # unverified recipients named in the note; the rest counted


@dataclass(frozen=True)
class ChannelCheck:
    """What one channel's check found, in a few words."""

    channel: str
    detail: str

    def __str__(self) -> str:
        return f"{self.channel}: {self.detail}"

    def to_json(self) -> dict[str, Any]:
        return {"channel": self.channel, "ok": True, "detail": self.detail}


def check_channels(channels: Iterable[Checkable]) -> tuple[ChannelCheck, ...]:
    """Each channel checked once, in order; the first failure raises."""
    return tuple(ChannelCheck(channel.name, channel.check()) for channel in channels)


@dataclass(frozen=True)
class CheckedSetup:
    """The delivery set-up, each channel checked once; `email` is the checked channel, for the
    run to use (SES keeps the account's rate from its check)."""

    email: EmailChannel
    checks: tuple[ChannelCheck, ...]


def day_recipients(stores: Stores, inputs: PlanInputs) -> set[str]:
    """Every recipient of the notices due on the day (planned only: nothing rendered)."""
    return {r for batch in due_batches(stores, inputs) for n in batch for r in n.recipients}


def sandbox_note(unverified: Callable[[Iterable[str]], list[str]], recipients: set[str]) -> str:
    """What a run in the SES sandbox says about the day's recipients SES will refuse."""
    missing = unverified(recipients)
    if not missing:
        return "ses: in the sandbox; every recipient of the day is verified"
    named = ", ".join(missing[:SHOWN]) + (
        f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
    )
    return (
        f"ses: in the sandbox, SES delivers only to verified identities; {len(missing)} of the "
        f"day's {len(recipients)} recipients are not: {named}"
    )
