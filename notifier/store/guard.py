"""Database faults at the store's seam: one retry after a lost connection, then StoreError.

A PostgreSQL server that restarted under a run leaves the pool's connections dead: the pool
checks a connection before lending it (pre-ping), and a statement that fails because its
connection died is run once more on a new one. Anything the database still refuses (down,
full, read-only, missing) becomes a StoreError: one line for the user, the driver's error
chained for --debug. Errors that mean a bug (a constraint, bad SQL) are not translated.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from sqlalchemy import Engine, exc

from notifier.core.errors import StoreError
from notifier.store.engine import is_sqlite, sqlite_path

# A connection refused for a missing database has no SQLSTATE yet: only the server's message.
_MISSING = re.compile(r'database ".*" does not exist')
F = TypeVar("F", bound=Callable[..., Any])
_FAULTS = (exc.OperationalError, exc.InterfaceError)
RETRY_PAUSE_S = 2.0


# PostgreSQL's SQLSTATEs for the server's own faults, whatever class the driver maps them to:
# a connection lost, the server shutting down, out of disk or memory, a read-only database.
_SERVER_FAULTS = ("08", "57P", "53", "25006")
_WORTH_A_RETRY = ("08", "57P")


def _sqlstate(error: exc.DBAPIError) -> str:
    return str(getattr(error.orig, "sqlstate", None) or "")


def _is_fault(error: exc.DBAPIError) -> bool:
    state = _sqlstate(error)
    if state:
        return state.startswith(_SERVER_FAULTS) or error.connection_invalidated
    return isinstance(error, _FAULTS) or error.connection_invalidated


def describe(where: str, error: exc.DBAPIError) -> str:
    """`the database W cannot be used: <the driver's first line>`."""
    reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
    return f"the database {where} cannot be used: {reason}"


def _retries(engine: Engine, error: exc.DBAPIError) -> bool:
    """A lost connection, or a server that may be restarting: worth one more try. (No SQLSTATE
    at all: the connection could not be made.)"""
    if error.connection_invalidated:
        return True
    state = _sqlstate(error)
    return engine.dialect.name == "postgresql" and (not state or state.startswith(_WORTH_A_RETRY))


def guarded(method: F) -> F:
    """Wrap a method of an object with `engine`: one retry on a lost connection, after a pause
    that lets a restarting server come back; StoreError for the database's faults."""

    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        engine: Engine = self.engine
        try:
            return method(self, *args, **kwargs)
        except exc.DBAPIError as error:
            if not _is_fault(error):
                raise
            if not _retries(engine, error):
                raise StoreError(describe(where(engine), error)) from error
            time.sleep(RETRY_PAUSE_S)
        try:
            return method(self, *args, **kwargs)
        except exc.DBAPIError as error:
            if not _is_fault(error):
                raise
            raise StoreError(describe(where(engine), error)) from error

    return cast(F, call)


class SqlRole:
    """One role of the store on `engine`; each public method is @guarded."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine


def where(engine: Engine) -> str:
    """The database as a user names it: a SQLite file's path, or the URL without password."""
    path = sqlite_path(engine) if is_sqlite(engine) else None
    return str(path) if path is not None else engine.url.render_as_string(hide_password=True)


def check_open(engine: Engine) -> None:
    """Connect once, before anything is read or written: a database that cannot be opened
    (server down, database missing, file unreadable) is a StoreError saying what to do."""
    try:
        with engine.connect():
            pass
    except exc.DBAPIError as error:
        raise StoreError(f"{describe(where(engine), error)}; {_advice(engine, error)}") from error


def _advice(engine: Engine, error: exc.DBAPIError) -> str:
    if is_sqlite(engine):
        return "check the path in database_url and that the file can be read and written"
    if _sqlstate(error) == "3D000" or _MISSING.search(str(error.orig)):
        name = engine.url.database or "it"
        return f"create it first (createdb {name}) or correct database_url"
    return "start PostgreSQL there or correct database_url"
