"""Bulk writes through the DBAPI, inside the caller's transaction: executemany on SQLite, COPY
on PostgreSQL. The ORM, or SQLAlchemy's executemany, would be several times slower.

Function rows, a million at a time: when the new rows replace everything the table holds (a
full snapshot, or a first import), the table is emptied at once and its index is built after the
load, as the PostgreSQL manual advises for populating a database.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

from sqlalchemy import Column, Connection, Table, delete, func, select

from notifier.store.session import ACCOUNT, FUNCTION, chunks

COLUMNS = ("account_id", "region", "name", "runtime", "arn", "package_type", "last_modified")
FunctionValues = tuple[str, str, str, str | None, str, str, str | None]

_SQLITE_INSERT = (
    f"INSERT INTO function ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"
)
_PG_COPY = f"COPY function ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY{{freeze}})"


def replace_functions(
    connection: Connection, account_ids: Collection[str], rows: Iterable[FunctionValues]
) -> None:
    """Delete the accounts' functions and insert `rows`, in the connection's transaction."""
    postgres = connection.dialect.name == "postgresql"
    if not _is_everything(connection, account_ids):
        for chunk in chunks(list(account_ids)):
            connection.execute(delete(FUNCTION).where(FUNCTION.c.account_id.in_(chunk)))
        _insert(connection, rows, freeze=False)
        return
    # SQLite's DELETE without WHERE and TRUNCATE drop whole pages, not row after row.
    connection.exec_driver_sql("TRUNCATE function" if postgres else "DELETE FROM function")
    for index in FUNCTION.indexes:
        index.drop(connection)
    _insert(connection, rows, freeze=postgres)  # FREEZE: allowed right after TRUNCATE
    for index in FUNCTION.indexes:
        index.create(connection)
    analyze(connection, "function")


def _is_everything(connection: Connection, account_ids: Collection[str]) -> bool:
    """Whether the table holds functions of these accounts only. Asked only when they are at
    least half the known accounts, as the answer costs a scan of the table."""
    known = connection.execute(select(func.count()).select_from(ACCOUNT)).scalar_one()
    if len(account_ids) * 2 < known:
        return False
    stored = connection.execute(select(FUNCTION.c.account_id).distinct()).scalars()
    return all(account_id in account_ids for account_id in stored)


def _insert(connection: Connection, rows: Iterable[FunctionValues], *, freeze: bool) -> None:
    if connection.dialect.name != "postgresql":
        executemany(connection, _SQLITE_INSERT, rows)
        return
    driver: Any = connection.connection.driver_connection
    statement = _PG_COPY.format(freeze=", FREEZE" if freeze else "")
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        copy.set_types(["text"] * len(COLUMNS))  # binary: the server parses no text
        for row in rows:
            copy.write_row(row)


def load(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    into: str | None = None,
) -> None:
    """Insert `rows` (values in `columns` order) into `table`, or into the staging table `into`
    shaped like it: COPY on PostgreSQL (psycopg adapts the values), executemany on SQLite with
    the columns' own SQLAlchemy conversions (dates, aware datetimes, booleans)."""
    name, listed = into or table.name, ", ".join(columns)
    driver: Any = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with driver.cursor() as cursor, cursor.copy(f"COPY {name} ({listed}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    dialect = connection.dialect
    processors = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    convert = [(i, _memoized(f)) for i, f in enumerate(processors) if f is not None]
    if convert:
        rows = map(partial(_converted, convert), rows)
    marks = ", ".join("?" for _ in columns)
    executemany(connection, f"INSERT INTO {name} ({listed}) VALUES ({marks})", rows)


def _converted(convert: list[tuple[int, Callable[[Any], Any]]], row: Sequence[Any]) -> list[Any]:
    values = list(row)
    for i, function in convert:
        values[i] = function(values[i])
    return values


def _memoized(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Bulk rows repeat their dates and timestamps: convert each distinct value once."""
    seen: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            seen[value] = converted = function(value)
            return converted

    return convert


@contextmanager
def staged(
    connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Iterator[str]:
    """A temporary table holding `rows`, shaped like `table`'s `columns`, dropped afterwards.
    On an error the caller's transaction rolls back, and the table's creation with it."""
    name, listed = f"{table.name}_in", ", ".join(columns)
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {name} AS SELECT {listed} FROM {table.name} WHERE 1 = 0"
    )
    load(connection, table, columns, rows, into=name)
    yield name
    connection.exec_driver_sql(f"DROP TABLE {name}")


def analyze(connection: Connection, *tables: str) -> None:
    """Refresh PostgreSQL's planner statistics after a bulk write (SQLite needs none)."""
    if connection.dialect.name == "postgresql":
        for name in tables:
            connection.exec_driver_sql(f"ANALYZE {name}")


def to_db(connection: Connection, column: Column[Any], value: Any) -> Any:
    """`value` as SQLAlchemy would send it for `column` (for statements run on the DBAPI)."""
    dialect = connection.dialect
    convert = column.type.dialect_impl(dialect).bind_processor(dialect)
    return convert(value) if convert else value


def executemany(connection: Connection, statement: str, rows: Iterable[Sequence[Any]]) -> None:
    """Run `statement` (DBAPI placeholders) once per row, in the connection's transaction."""
    driver: Any = connection.connection.driver_connection
    cursor = driver.cursor()
    try:
        cursor.executemany(statement, rows)
    finally:
        cursor.close()
