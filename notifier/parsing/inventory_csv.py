"""Reads inventory CSV files: account_id, region, function_name, runtime, and optionally
function_arn, package_type (Zip when empty), last_modified.

Built for fleets of millions of rows. The hot loop does only dictionary look-ups and string
comparisons against values already validated (values.Known); a row with anything new or unusual
(a first-seen account or Region, spaces, a lower-case package type, a given ARN that differs from
the built one) goes to `_careful`, which strips, validates, registers what is valid for the fast
path, and either accepts the row or explains everything wrong with it.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from operator import itemgetter
from pathlib import Path

from notifier.core.domain import Function, function_arn
from notifier.core.errors import Problem
from notifier.parsing.csvio import (
    Header,
    RowReader,
    check_header,
    csv_problem,
    open_text,
    start_line,
    width_problem,
)
from notifier.parsing.values import PACKAGE_TYPES, Collected, Known, parse_function_arn

REQUIRED = ("account_id", "region", "function_name", "runtime")
OPTIONAL = ("function_arn", "package_type", "last_modified")
COLUMNS = (*REQUIRED, *OPTIONAL)

_FAST_PACKAGE = {"": "Zip", "Zip": "Zip", "Image": "Image"}


def read_inventory_csv(path: Path, collected: Collected, known: Known) -> list[Problem]:
    """Add the file's functions to `collected` (by ARN); return every problem found in it."""
    source = str(path)
    try:
        with open_text(path) as handle:
            reader = csv.reader(handle)
            try:
                first = next(reader, None)
            except csv.Error as exc:
                return [csv_problem(source, reader.line_num, exc)]
            if first is None:
                return [Problem(source=source, line=1, message="empty file; expected a header")]
            header = check_header(first, source, REQUIRED, OPTIONAL)
            if not header.usable:
                return header.problems
            return _scan(reader, header, source, collected, known)
    except UnicodeDecodeError as exc:
        return [Problem(source=source, message=f"expected UTF-8 text: {exc.reason}")]


def _scan(
    reader: RowReader, header: Header, source: str, collected: Collected, known: Known
) -> list[Problem]:
    """The hot loop (kept in one function on purpose: calls cost more than the checks)."""
    problems = list(header.problems)
    width = header.width
    pad = any(column not in header.index for column in OPTIONAL)  # absent columns read as ""
    pick = itemgetter(*(header.index.get(column, width) for column in COLUMNS))
    accounts, regions, runtimes = known.accounts, known.regions, known.runtimes
    new_account, new = known.account, tuple.__new__
    by_arn = collected.by_arn
    try:
        for row in reader:
            if len(row) != width:
                if row:  # a blank line reads as []
                    line = start_line(reader.line_num, row)
                    problems.append(width_problem(source, line, width, len(row)))
                continue
            if pad:
                row.append("")
            raw = pick(row)
            account, region, name, runtime, given, package, modified = raw
            account = accounts.get(account) or new_account(account)  # validated once per account
            region, runtime = regions.get(region), runtimes.get(runtime)
            package = _FAST_PACKAGE.get(package)
            arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
            if (
                account is None or region is None or runtime is None or package is None
                or not name or ":" in name or name.strip() != name or (given and given != arn)
            ):  # fmt: skip
                careful = _careful(raw, source, known)
                if isinstance(careful, list):
                    line = start_line(reader.line_num, row)
                    problems.extend(replace(p, line=line) for p in careful)
                else:
                    collected.add(careful)
                continue
            # tuple.__new__ builds the NamedTuple without its Python-level __new__: twice as fast
            by_arn[arn] = new(
                Function,
                (account, region, name, runtime or None, arn, package, modified.strip() or None),
            )
    except csv.Error as exc:  # the rest of the file cannot be read
        problems.append(csv_problem(source, reader.line_num, exc))
    return problems


def _careful(raw: tuple[str, ...], source: str, known: Known) -> Function | list[Problem]:
    """The row as a Function once stripped and checked, or every problem with it (their line
    is set by the caller: counting it costs more than the checks)."""
    account, region, name, runtime, given, package, modified = (v.strip() for v in raw)
    found = []
    shared_account, shared_region = known.account(account), known.region(region)
    if shared_account is None:
        found.append(("account_id", f"expected 12 digits, found {account!r}"))
    if shared_region is None:
        found.append(("region", f"expected a Region such as us-east-1, found {region!r}"))
    name_ok = bool(name) and ":" not in name
    if not name_ok:
        found.append(("function_name", f"expected a function name without ':', found {name!r}"))
    package_type = PACKAGE_TYPES.get(package.lower())
    if package_type is None:
        found.append(("package_type", f"expected Zip or Image, found {package!r}"))
    arn = function_arn(region, account, name)
    if given and name_ok:
        arn = _matching_arn(given, region, account, name) or ""
        if not arn:
            expected = function_arn(region, account, name)
            found.append(("function_arn", f"expected {expected}[:qualifier], found {given!r}"))
    if found or shared_account is None or shared_region is None or package_type is None:
        return [Problem(source=source, field=f, message=m) for f, m in found]
    return Function(
        shared_account, shared_region, name, known.runtime(runtime), arn, package_type,
        modified or None,
    )  # fmt: skip


def _matching_arn(arn: str, region: str, account: str, name: str) -> str | None:
    """The unqualified form of `arn` when it names this function, else None."""
    parsed = parse_function_arn(arn)
    if parsed is None or parsed[1:] != (region, account, name):
        return None
    return parsed[0]
