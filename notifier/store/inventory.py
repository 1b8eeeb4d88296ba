"""The function inventory: its summary, its replacement per account, the in-scope queries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from itertools import chain, repeat
from operator import eq, itemgetter
from typing import Any

from sqlalchemy import Engine, Select, func, select

from notifier.core.domain import Function
from notifier.core.planner import PairKey
from notifier.core.records import InventorySummary, PairCount
from notifier.core.snapshot import Snapshot
from notifier.store import bulk, state
from notifier.store.engine import is_sqlite, sqlite_path
from notifier.store.guard import SqlRole, guarded
from notifier.store.session import FUNCTION, chunks, id_chunks, reading, writing

_STREAM_ROWS = 1000

_ACCOUNT = itemgetter(Function._fields.index("account_id"))
_KIND = itemgetter(Function._fields.index("package_type"), Function._fields.index("runtime"))


def summarize(
    functions: Mapping[str, Sequence[Function]], known_runtimes: Collection[str]
) -> InventorySummary:
    """Counts by kind; raises ValueError if a function is listed under another account's id.
    The per-row work is done by C-level iterators: this runs over a million functions."""
    flat = _flat(functions)
    kinds = Counter(map(_KIND, flat))  # (package type, runtime): few distinct pairs
    counts = Counter[str]()
    for (package_type, runtime), n in kinds.items():
        counts[_kind(package_type.lower(), runtime, known_runtimes)] += n
    return InventorySummary(
        accounts=len(functions),
        functions=len(flat),
        in_scope=counts["in_scope"],
        container_images=counts["image"],
        no_runtime=counts["no_runtime"],
        unknown_runtime=counts["unknown"],
    )


def _flat(functions: Mapping[str, Sequence[Function]]) -> Collection[Function]:
    """Every function; a Snapshot's as they are (grouped by their own account by design)."""
    if isinstance(functions, Snapshot):
        return functions.functions()
    flat = list(chain.from_iterable(functions.values()))
    owners = chain.from_iterable(repeat(key, len(listed)) for key, listed in functions.items())
    if not all(map(eq, owners, map(_ACCOUNT, flat))):
        wrong = next(key for key, listed in functions.items() if _foreign(key, listed))
        raise ValueError(f"a function listed under account {wrong} is another account's")
    return flat


def _foreign(account_id: str, listed: Sequence[Function]) -> bool:
    return any(function.account_id != account_id for function in listed)


def _kind(package_type: str, runtime: str | None, known: Collection[str]) -> str:
    if package_type == "image":
        return "image"
    if not runtime:
        return "no_runtime"
    if package_type != "zip":
        return "other"
    return "in_scope" if runtime in known else "unknown"


def _zip() -> Any:
    return func.lower(FUNCTION.c.package_type) == "zip"


def _pairs_query(
    runtimes: Collection[str], accounts: list[str] | None, c_order: bool
) -> Select[Any]:
    account, runtime = FUNCTION.c.account_id, FUNCTION.c.runtime
    query = (
        select(account, runtime, func.count())
        .where(_zip(), runtime.in_(sorted(set(runtimes))))
        .group_by(account, runtime)
    )
    if accounts is not None:
        query = query.where(account.in_(accounts))
    if c_order:  # order like Python's str sort whatever the database collation
        return query.order_by(account.collate("C"), runtime.collate("C"))
    return query.order_by(account, runtime)


class SqlInventory(SqlRole):
    """The Inventory port in SQL."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        # An in-memory SQLite database lives on one connection: never hold it across a yield.
        self._buffer = is_sqlite(engine) and sqlite_path(engine) is None

    @guarded
    def replace_inventory(
        self, functions: Mapping[str, Sequence[Function]], known_runtimes: Collection[str]
    ) -> InventorySummary:
        """Delete each listed account's functions and insert the new list, in one transaction."""
        summary = summarize(functions, known_runtimes)
        if not functions:
            return summary
        # A Function is a tuple of the columns in bulk.COLUMNS order: it is its own row.
        rows: Iterable[bulk.FunctionValues] = _flat(functions)
        with writing(self.engine) as session:
            bulk.replace_functions(session.connection(), functions.keys(), rows)
            state.bump(session.connection())
        return summary

    def affected_pairs(
        self, runtimes: Collection[str], account_ids: Collection[str] | None = None
    ) -> Iterator[PairCount]:
        """Streams the in-scope (account, runtime) counts, by account id then runtime. On an
        in-memory SQLite database each chunk is read whole before it is yielded: its one
        connection must not stay checked out while the caller uses the store."""
        if not runtimes:
            return
        c_order = self.engine.dialect.name == "postgresql"
        for accounts in id_chunks(account_ids):
            rows = self._rows(_pairs_query(runtimes, accounts, c_order))
            yield from (PairCount(account, runtime, count) for account, runtime, count in rows)

    def _rows(self, query: Select[Any]) -> Iterator[Any]:
        if self._buffer:
            with reading(self.engine) as session:
                rows = list(session.connection().execute(query))
            yield from rows
            return
        with reading(self.engine) as session:
            connection = session.connection().execution_options(yield_per=_STREAM_ROWS)
            yield from connection.execute(query)

    @guarded
    def function_arns(self, pairs: Collection[PairKey]) -> dict[PairKey, tuple[str, ...]]:
        """The in-scope ARNs of each pair (an empty tuple when it has none), sorted."""
        found: dict[PairKey, list[str]] = {pair: [] for pair in pairs}
        runtimes = sorted({runtime for _, runtime in found})
        with reading(self.engine) as session:
            connection = session.connection()
            for accounts in chunks(sorted({account for account, _ in found})):
                query = select(FUNCTION.c.account_id, FUNCTION.c.runtime, FUNCTION.c.arn).where(
                    _zip(), FUNCTION.c.account_id.in_(accounts), FUNCTION.c.runtime.in_(runtimes)
                )
                for account, runtime, arn in connection.execute(query):
                    listed = found.get((account, runtime))
                    if listed is not None:
                        listed.append(arn)
        return {pair: tuple(sorted(arns)) for pair, arns in found.items()}
