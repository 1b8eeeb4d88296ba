"""The one clock: read here, at the top, and passed down to everything below."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
Seconds = Callable[[], float]  # wall seconds, the same in every process: the shared send budget


def utc_now() -> datetime:
    return datetime.now(UTC)
