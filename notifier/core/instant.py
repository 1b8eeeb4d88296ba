"""The one instant a run acts at, and the start of a day in the configured zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo


def start_of_day(day: date, zone: tzinfo) -> datetime:
    """Midnight at the start of `day` in `zone`, in UTC."""
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def start_of(day: date | None, zone: tzinfo) -> datetime | None:
    """`start_of_day`, or None for a day not announced yet."""
    return None if day is None else start_of_day(day, zone)


def run_instant(as_of: date, zone: tzinfo, now: datetime) -> datetime:
    """The real time `now` when `as_of` is today in `zone`, else the start of the as-of day."""
    if now.astimezone(zone).date() == as_of:
        return now.astimezone(UTC)
    return start_of_day(as_of, zone)
