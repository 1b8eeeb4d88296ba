"""Reads the runtime deprecation calendar (CSV) into a core Calendar; every problem at once."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from notifier.core.domain import Calendar, Runtime
from notifier.core.errors import Problem
from notifier.parsing.csvio import raise_if_any, read_table

REQUIRED = (
    "identifier",
    "name",
    "family",
    "deprecation_date",
    "block_create_date",
    "block_update_date",
)
OPTIONAL = ("os", "note", "sources")
DATE_COLUMNS = ("deprecation_date", "block_create_date", "block_update_date")

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # \d would match other scripts' digits
_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # python3.12, provided.al2023, ...


def load_calendar(path: Path) -> Calendar:
    """The calendar's runtimes in file order. Raises InputError listing every problem found."""
    rows, problems = read_table(path, REQUIRED, OPTIONAL)
    source = str(path)
    runtimes: dict[str, Runtime] = {}
    first_seen: dict[str, int] = {}
    for line, values in rows:
        identifier = values["identifier"]
        if identifier in first_seen:
            problems.append(_duplicate(source, line, identifier, first_seen))
        elif identifier:
            first_seen[identifier] = line
        runtime, row_problems = _runtime(source, line, values)
        problems.extend(row_problems)
        if runtime is not None and first_seen[identifier] == line:
            runtimes[identifier] = runtime
    raise_if_any(problems)
    return Calendar(runtimes=runtimes)


def calendar_warnings(calendar: Calendar) -> list[str]:
    """One line per phase date that breaks the order deprecation <= block create <= block update."""
    return [f"{r.identifier}: {warning}" for r in calendar for warning in r.out_of_order()]


def parse_day(text: str) -> date | None:
    """A YYYY-MM-DD date, None for an empty value; ValueError for anything else."""
    if not text:
        return None
    if not _ISO_DAY.fullmatch(text):
        raise ValueError(f"expected a date as YYYY-MM-DD, found {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"expected a real date as YYYY-MM-DD, found {text!r}") from None


def _runtime(
    source: str, line: int, values: dict[str, str]
) -> tuple[Runtime | None, list[Problem]]:
    problems = [
        Problem(source=source, line=line, field=column, message=f"expected a value for {column}")
        for column in ("identifier", "name", "family")
        if not values[column]
    ]
    identifier = values["identifier"]
    if identifier and not _IDENTIFIER.fullmatch(identifier):
        problems.append(_bad_identifier(source, line, identifier))
    dates: dict[str, date | None] = {}
    for column in DATE_COLUMNS:
        try:
            dates[column] = parse_day(values[column])
        except ValueError as exc:
            problems.append(Problem(source=source, line=line, field=column, message=str(exc)))
    if problems:
        return None, problems
    return _build(values, dates), []


def _bad_identifier(source: str, line: int, identifier: str) -> Problem:
    message = f"expected a runtime identifier such as python3.12, found {identifier!r}"
    return Problem(source=source, line=line, field="identifier", message=message)


def _build(values: dict[str, str], dates: dict[str, date | None]) -> Runtime:
    return Runtime(
        identifier=values["identifier"],
        name=values["name"],
        family=values["family"],
        os=values["os"],
        deprecation=dates["deprecation_date"],
        block_create=dates["block_create_date"],
        block_update=dates["block_update_date"],
        note=values["note"],
        sources=values["sources"],
    )


def _duplicate(source: str, line: int, identifier: str, first_seen: dict[str, int]) -> Problem:
    return Problem(
        source=source,
        line=line,
        field="identifier",
        message=f"duplicate identifier {identifier!r}; first on line {first_seen[identifier]}",
    )
