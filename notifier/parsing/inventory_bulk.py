"""The fast path of the inventory CSV reader: a chunk of rows checked column by column.

Each check runs over a whole column at C speed (set, map, zip, join): every distinct account id,
Region, runtime and package type is validated once, the names are checked together, and the
functions are built by `map` over `zip`. A chunk with anything unusual in it (a blank line, a
wrong width, spaces around a value, a new or invalid value, a given ARN that differs from the
built one, a name with ':') is refused as a whole: the caller reads the file again row by row
(inventory_csv._scan), which explains every problem with its line or accepts the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from operator import eq
from typing import cast

from notifier.core.domain import Function
from notifier.parsing.values import Collected, Known

Columns = tuple[Sequence[str], ...]
"""The seven inventory columns of a chunk, in inventory_csv.COLUMNS order."""

_FAST_PACKAGE = {"": "Zip", "Zip": "Zip", "Image": "Image"}
_ARN = "arn:aws:lambda:{}:{}:function:{}".format
_FUNCTION = cast(Callable[[tuple[object, ...]], Function], partial(tuple.__new__, Function))


def columns(rows: list[list[str]], width: int, positions: Sequence[int | None]) -> Columns | None:
    """The chunk's columns (an absent optional column reads as ""), or None when a row is blank
    or has another width than the header."""
    if not rows:
        return tuple(() for _ in positions)
    widths = set(map(len, rows))
    if widths != {width}:
        return None
    table = list(zip(*rows, strict=True))
    blank = ("",) * len(rows)
    return tuple(blank if i is None else table[i] for i in positions)


def add_chunk(chunk: Columns, collected: Collected, known: Known) -> bool:
    """Add the chunk's functions to `collected` (by ARN, the last one seen winning in the place
    of the first); False, adding nothing, when any row needs the careful, row-by-row reading."""
    account, region, name, runtime, given, package, modified = chunk
    accounts = _shared(account, known.account)
    regions = _shared(region, known.region)
    runtimes = _shared(runtime, _runtime(known))  # "" for none yet
    packages = _shared(package, _FAST_PACKAGE.get)
    if accounts is None or regions is None or runtimes is None or packages is None:
        return False
    if not _plain_names(name):
        return False
    arns = list(map(_ARN, regions, accounts, name))
    if not _given_match(given, arns):
        return False
    dates: Sequence[str | None] = list(map(str.strip, modified))
    if "" in dates:
        dates = [date or None for date in dates]
    if "" in runtimes:
        runtimes = [value or None for value in runtimes]
    rows = zip(accounts, regions, name, runtimes, arns, packages, dates, strict=True)
    collected.accounts.update(dict.fromkeys(cast(Sequence[str], accounts)))
    collected.by_arn.update(zip(arns, map(_FUNCTION, rows), strict=True))
    return True


def _shared(
    column: Sequence[str], check: Callable[[str], str | None]
) -> Sequence[str | None] | None:
    """The column with each value replaced by its checked form (one check per distinct value),
    or None when a value fails its check."""
    checked: dict[str, str | None] = {}
    for value in set(column):
        found = check(value)
        if found is None:
            return None
        checked[value] = found
    return list(map(checked.__getitem__, column))


def _runtime(known: Known) -> Callable[[str], str | None]:
    """A runtime as the fast path takes it: any text without surrounding spaces, as the shared
    string ("" when empty); None refuses the chunk."""

    def check(value: str) -> str | None:
        return known.runtimes.setdefault(value, value) if value.strip() == value else None

    return check


def _plain_names(names: Sequence[str]) -> bool:
    """No name empty, with ':' or with spaces around it."""
    return (
        "" not in names and ":" not in "".join(names) and list(map(str.strip, names)) == list(names)
    )


def _given_match(given: Sequence[str], arns: list[str]) -> bool:
    """Whether every given ARN is empty or the one built."""
    if all(map(eq, given, arns)) or not any(given):
        return True
    return all(g == arn or not g for g, arn in zip(given, arns, strict=True))
