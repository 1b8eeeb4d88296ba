"""Sessions, table handles and small SQL helpers shared by the store's modules."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Engine, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel

import notifier.store.models  # noqa: F401  (registers the tables)
from notifier.store.engine import WRITE_LOCK

CHUNK = 500  # the longest IN list a query gets

T = TypeVar("T")


def table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


ACCOUNT = table("account")
FUNCTION = table("function")
RUN = table("run")
NOTICE = table("notice")
DELIVERY = table("delivery")
HEALTH_EVENT = table("health_event")
AFFECTED_ENTITY = table("affected_entity")


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A session in one read transaction (a consistent snapshot), closed afterwards."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def writing(engine: Engine) -> Iterator[Session]:
    """A session in one write transaction: committed when the body ends, rolled back on error.
    On SQLite it starts with BEGIN IMMEDIATE, taking the write lock before the first read."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        session.connection(execution_options={WRITE_LOCK: True})
        yield session


def chunks(items: Collection[T] | Sequence[T], size: int = CHUNK) -> Iterator[list[T]]:
    """The items in lists of at most `size`, in their given order."""
    ordered = list(items)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def id_chunks(ids: Collection[str] | None) -> Iterator[list[str] | None]:
    """Sorted chunks of account ids; a single None (no filter) when `ids` is None."""
    if ids is None:
        yield None
        return
    yield from chunks(sorted(set(ids)))


def upsert(engine: Engine, target: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that accepts ON CONFLICT clauses, in the engine's dialect."""
    if engine.dialect.name == "postgresql":
        return postgresql.insert(target)
    return sqlite.insert(target)
