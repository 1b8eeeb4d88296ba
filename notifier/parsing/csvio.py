"""Shared CSV plumbing for the readers: UTF-8 with optional BOM, header checks, line numbers."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

from notifier.core.errors import InputError, Problem


@dataclass(frozen=True)
class Header:
    """Where each known column sits in a row, and what is wrong with the header line."""

    index: dict[str, int]
    width: int
    problems: list[Problem]
    missing: tuple[str, ...]

    @property
    def usable(self) -> bool:
        """Rows can be read when every required column is present (unknown ones are ignored)."""
        return not self.missing


def raise_if_any(problems: Sequence[Problem]) -> None:
    if problems:
        raise InputError(problems)


def missing_file(path: Path) -> Problem | None:
    """A problem when `path` is not a readable file, else None."""
    if not path.exists():
        return Problem(source=str(path), message="file not found")
    if not path.is_file():
        return Problem(source=str(path), message="expected a file, found a folder")
    return None


@contextmanager
def open_text(path: Path) -> Iterator[TextIO]:
    """Open a UTF-8 text file for the csv module, dropping a leading byte-order mark."""
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        yield handle


def check_header(
    row: Sequence[str], source: str, required: Sequence[str], optional: Sequence[str]
) -> Header:
    """Map column names to positions; report unknown, repeated and missing required columns."""
    known = (*required, *optional)
    index: dict[str, int] = {}
    problems: list[Problem] = []
    for position, raw in enumerate(row):
        name = raw.strip()
        if name not in known:
            problems.append(
                _header_problem(source, name, f"unknown column; expected {_names(known)}")
            )
        elif name in index:
            problems.append(_header_problem(source, name, "column appears twice"))
        else:
            index[name] = position
    missing = tuple(name for name in required if name not in index)
    problems.extend(_header_problem(source, name, "missing required column") for name in missing)
    return Header(index=index, width=len(row), problems=problems, missing=missing)


def _header_problem(source: str, name: str, message: str) -> Problem:
    return Problem(source=source, line=1, field=name or "(empty)", message=message)


def csv_problem(source: str, line: int, exc: csv.Error) -> Problem:
    """The csv module's complaint (a field over its size limit, mostly) as a problem; the rest
    of the file is not read, as the reader cannot tell where the next record starts."""
    if "field larger than field limit" in str(exc):
        message = f"field longer than {csv.field_size_limit()} characters"
    else:
        message = f"unreadable CSV: {exc}"
    return Problem(source=source, line=line, message=message)


def _names(columns: Sequence[str]) -> str:
    return ", ".join(columns)


class RowReader(Protocol):
    """What the readers need of a csv reader: rows, and the physical lines consumed so far."""

    @property
    def line_num(self) -> int: ...

    def __iter__(self) -> Iterator[list[str]]: ...

    def __next__(self) -> list[str]: ...


def records(reader: RowReader) -> Iterator[tuple[int, list[str]]]:
    """Non-blank rows with the physical line each starts on (a quoted field may span lines)."""
    for row in reader:
        if row:
            yield start_line(reader.line_num, row), row


def start_line(end_line: int, row: Sequence[str]) -> int:
    """The line a record starts on, from the reader's line count after reading it: the end
    line less the line breaks inside its quoted fields (CRLF, CR and LF count one each)."""
    breaks = sum(f.count("\n") + f.count("\r") - f.count("\r\n") for f in row)
    return end_line - breaks


def read_table(
    path: Path, required: Sequence[str], optional: Sequence[str] = ()
) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """Every data row as {column: stripped value} (absent optional columns read as ""), with
    its line number, plus every structural problem. Small files only: the whole table is kept."""
    source = str(path)
    absent = missing_file(path)
    if absent is not None:
        return [], [absent]
    try:
        with open_text(path) as handle:
            return _read_rows(handle, source, required, optional)
    except UnicodeDecodeError as exc:
        return [], [Problem(source=source, message=f"expected UTF-8 text: {exc.reason}")]


def _read_rows(
    handle: TextIO, source: str, required: Sequence[str], optional: Sequence[str]
) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    reader = csv.reader(handle)
    try:
        first = next(reader, None)
    except csv.Error as exc:
        return [], [csv_problem(source, reader.line_num, exc)]
    if first is None:
        return [], [
            Problem(
                source=source, line=1, message=f"empty file; expected a header: {_names(required)}"
            )
        ]
    header = check_header(first, source, required, optional)
    if not header.usable:
        return [], header.problems
    rows: list[tuple[int, dict[str, str]]] = []
    problems = list(header.problems)
    try:
        for line, row in records(reader):
            if len(row) != header.width:
                problems.append(width_problem(source, line, header.width, len(row)))
                continue
            values = {name: row[i].strip() for name, i in header.index.items()}
            rows.append((line, {name: values.get(name, "") for name in (*required, *optional)}))
    except csv.Error as exc:
        problems.append(csv_problem(source, reader.line_num, exc))
    return rows, problems


def width_problem(source: str, line: int, expected: int, found: int) -> Problem:
    return Problem(
        source=source,
        line=line,
        message=f"expected {expected} fields like the header, found {found}",
    )
