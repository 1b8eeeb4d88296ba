"""The run lock: one notifier run per database at a time, and a schema lock for migrations.

SQLite file: an exclusive flock on "<dbfile>.lock" ("<dbfile>.schema.lock"), which the OS drops
when the holder dies. In-memory SQLite: nothing to share, so no lock. PostgreSQL: a session
advisory lock held on a dedicated connection; the server drops it when that connection goes
away. The key is derived from the database and schema, so separate schemas lock separately.

The run lock is an efficiency measure, not what stops a notice going out twice (claims do that):
a PostgreSQL connection can die under a run (a restart, `idle_session_timeout`, a proxy). The
holder's `check()`, called before each chunk, notices it, takes the lock again on a new
connection when it is free, and raises RunLockLost when another run got in.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import Connection, Engine, exc, text

from notifier.core.errors import RunLockedError, RunLockLost, StoreError
from notifier.store.engine import is_sqlite, sqlite_path


class HeldLock(Protocol):
    def check(self) -> None:
        """Raise RunLockLost when the lock was lost and another run holds it now."""


class _Steady:
    """A lock the OS keeps for as long as this process lives (flock), or no lock at all."""

    def check(self) -> None:
        pass


def _locked(where: object) -> RunLockedError:
    return RunLockedError(
        f"another notifier run holds the lock on {where}; try again when it finishes"
    )


class SqlRunLock:
    """The RunLock port: the run lock of the database behind `engine`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def hold(self, wait: bool) -> AbstractContextManager[HeldLock]:
        """Held for a whole run; raises RunLockedError at once when not `wait`ing and taken."""
        return run_lock(self.engine, wait=wait)


@contextmanager
def run_lock(engine: Engine, *, wait: bool, name: str = "run") -> Iterator[HeldLock]:
    """Hold the lock `name` for the body; raise RunLockedError at once if taken and not `wait`."""
    if not is_sqlite(engine):
        with _advisory_lock(engine, wait=wait, name=name) as held:
            yield held
        return
    path = sqlite_path(engine)
    if path is None:
        yield _Steady()
        return
    suffix = ".lock" if name == "run" else f".{name}.lock"
    with _file_lock(path, suffix, wait=wait):
        yield _Steady()


def _open_lock_file(path: str) -> IO[bytes]:
    try:
        return open(path, "a+b")
    except OSError as error:
        raise StoreError(
            f"cannot write beside the database: {path}: {error.strerror}; "
            "this command changes the database and needs a folder it can write"
        ) from error


@contextmanager
def _file_lock(database: Path, suffix: str, *, wait: bool) -> Iterator[None]:
    with _open_lock_file(f"{database}{suffix}") as handle:
        flags = fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB
        try:
            fcntl.flock(handle.fileno(), flags)
        except BlockingIOError as error:
            raise _locked(database) from error
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class _Advisory:
    """A session advisory lock on a connection of its own, taken again if that connection dies."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine, self.name = engine, name
        self.where = engine.url.render_as_string(hide_password=True)
        self.connection: Connection | None = None
        self.key = 0

    def take(self, *, wait: bool) -> None:
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        key = _lock_key(connection, self.name)
        if wait:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        elif not connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}):
            connection.close()
            raise _locked(self.where)
        self.connection, self.key = connection, key

    def check(self) -> None:
        if self.connection is None:
            raise RunLockLost(f"this run lost its lock on {self.where}")
        try:
            self.connection.execute(text("SELECT 1"))
            return
        except exc.DBAPIError as error:
            if not error.connection_invalidated:
                raise
        self.connection.close()
        self.connection = None
        try:
            self.take(wait=False)
        except RunLockedError as error:
            raise RunLockLost(
                f"this run lost its lock on {self.where} (its connection was closed) and "
                "another run holds it now; stopped before the next chunk, nothing is lost"
            ) from error

    def release(self) -> None:
        if self.connection is None:
            return
        try:
            self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
        except exc.DBAPIError:
            pass  # the connection is gone, and the server dropped the lock with it
        finally:
            self.connection.close()


@contextmanager
def _advisory_lock(engine: Engine, *, wait: bool, name: str) -> Iterator[HeldLock]:
    lock = _Advisory(engine, name)
    lock.take(wait=wait)
    try:
        yield lock
    finally:
        lock.release()


def _lock_key(connection: Connection, name: str) -> int:
    """A signed 64-bit key naming this lock, database and schema."""
    where = connection.execute(text("SELECT current_database(), current_schema()")).one()
    digest = hashlib.sha256(f"notifier-{name}/{where[0]}/{where[1]}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
