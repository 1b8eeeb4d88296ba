"""What every part of the library shares: settings, the one clock, the calendar, reads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from notifier import bootstrap
from notifier.config import Settings, load_settings
from notifier.core.domain import Calendar
from notifier.core.instant import run_instant
from notifier.service.ports import Stores

Note = Callable[[str], None]
PathLike = str | Path
T = TypeVar("T", contravariant=True)
Ready = Callable[[T, str], None]  # a site written (its summary) and served at this URL


def unheard(result: object, url: str) -> None:
    """Nobody asked to hear where a site is served."""


def _ignore(_: str) -> None:
    """Notes go nowhere unless the caller asks for them."""


class Base:
    """Settings read once and checked, the clock every call reads once, and the reads."""

    def __init__(
        self,
        config: PathLike | None = None,
        *,
        on_note: Note | None = None,
        clock: bootstrap.Clock = bootstrap.utc_now,
        **overrides: Any,
    ) -> None:
        path = Path(config) if config is not None else None
        self._settings = load_settings(path, overrides=overrides)
        self._note = on_note or _ignore
        self._clock = clock

    @property
    def settings(self) -> Settings:
        """The settings in force, checked. Example: Notifier().settings.database_url"""
        return self._settings

    def today(self) -> date:
        """The default as-of day: today in the configured zone. Example: Notifier().today()"""
        return bootstrap.today(self._settings, self._clock)

    def _calendar(self) -> Calendar:
        return bootstrap.calendar(self._settings)

    def _day(self, as_of: date | None) -> date:
        return as_of if as_of is not None else self.today()

    def _instant(self, as_of: date | None) -> datetime | None:
        """Statuses at the run's instant for `as_of`; as stored without one."""
        if as_of is None:
            return None
        return run_instant(as_of, self._settings.zone, self._clock())

    @contextmanager
    def _reading(self, cal: Calendar) -> Iterator[Stores]:
        with bootstrap.reading_store(self._settings, cal) as (st, note):
            if note:
                self._note(note)
            yield st
