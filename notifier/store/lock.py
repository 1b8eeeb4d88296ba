"""The run lock: one notifier run per database at a time.

SQLite file: an exclusive flock on "<dbfile>.lock", which the OS drops when the holder dies.
In-memory SQLite: nothing to share, so no lock. PostgreSQL: a session advisory lock held on a
dedicated connection for the whole run; the server drops it when that connection goes away.
The key is derived from the database and schema, so separate schemas lock separately.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from notifier.core.errors import RunLockedError
from notifier.store.engine import is_sqlite, sqlite_path


def _locked(where: object) -> RunLockedError:
    return RunLockedError(
        f"another notifier run holds the lock on {where}; try again when it finishes"
    )


@contextmanager
def run_lock(engine: Engine, *, wait: bool) -> Iterator[None]:
    """Hold the run lock for the body; raise RunLockedError at once if taken and not `wait`."""
    if not is_sqlite(engine):
        with _advisory_lock(engine, wait=wait):
            yield
        return
    path = sqlite_path(engine)
    if path is None:
        yield
        return
    with _file_lock(path, wait=wait):
        yield


@contextmanager
def _file_lock(database: Path, *, wait: bool) -> Iterator[None]:
    database.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{database}.lock", "a+b") as handle:
        flags = fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB
        try:
            fcntl.flock(handle.fileno(), flags)
        except BlockingIOError as exc:
            raise _locked(database) from exc
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextmanager
def _advisory_lock(engine: Engine, *, wait: bool) -> Iterator[None]:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        key = _lock_key(connection)
        if wait:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        elif not connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}):
            raise _locked(engine.url.render_as_string(hide_password=True))
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})


def _lock_key(connection: Connection) -> int:
    """A signed 64-bit key naming this database and schema."""
    where = connection.execute(text("SELECT current_database(), current_schema()")).one()
    digest = hashlib.sha256(f"notifier-run/{where[0]}/{where[1]}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
