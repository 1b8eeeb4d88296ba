"""Checking the delivery set-up before a run: each configured channel tried once.

A channel's `check` raises ChannelDown (one line naming the setting to fix) or ConfigError;
nothing is sent and nothing is recorded."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from notifier.channels.base import Checkable, EmailChannel


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
