"""Engines for SQLite and PostgreSQL.

SQLite: WAL, synchronous=NORMAL, a 30 s busy timeout, foreign keys on. SQLAlchemy emits BEGIN
itself (the sqlite3 driver's legacy mode runs SELECTs outside any transaction); a connection
given the execution option WRITE_LOCK begins with BEGIN IMMEDIATE, so a write transaction takes
the write lock up front instead of failing half-way when another writer got there first.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, StaticPool, create_engine, event, exc
from sqlalchemy.engine import URL, make_url

from notifier.core.errors import ConfigError, Problem

WRITE_LOCK = "notifier_write_lock"
BUSY_TIMEOUT_S = 30


# The databases notifier runs on, and the one driver each (the one this project ships).
DRIVERS = {"sqlite": ("pysqlite",), "postgresql": ("psycopg",)}
EXAMPLES = "sqlite:///notifier.db or postgresql://user@host/dbname"


def make_engine(url: str) -> Engine:
    """A read-write engine. A SQLite file's folder must exist and be writable: a mistyped path
    is refused (ConfigError), never created."""
    parsed = parse_url(url)
    if not is_sqlite(parsed):
        return create_engine(parsed, pool_pre_ping=True)
    path = sqlite_path(parsed)
    if path is None:
        engine = create_engine(
            parsed, poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    else:
        check_folder(url, path, writable=True)
        engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_S})
    _configure_sqlite(engine, writable=True)
    return engine


def make_readonly_engine(url: str) -> Engine:
    """An engine that only reads. A SQLite file is opened with mode=ro: never created, never
    written; a missing file is a ConfigError. PostgreSQL opens normally (callers only read)."""
    parsed = parse_url(url)
    if not is_sqlite(parsed):
        return create_engine(parsed, pool_pre_ping=True)
    path = sqlite_path(parsed)
    if path is None:
        return make_engine(url)
    if not path.is_file():
        message = "no database here yet; run an import first"
        raise ConfigError([Problem(source=str(path), message=message)])
    query = {"mode": "ro", "uri": "true"}
    if not _can_write_beside(path):
        # On a read-only file system SQLite cannot make the -shm file a WAL reader needs; no
        # process can write the database there either, so it is opened as immutable.
        query["immutable"] = "1"
    readonly = URL.create("sqlite", database=f"file:{quote(str(path))}", query=query)
    engine = create_engine(readonly, connect_args={"timeout": BUSY_TIMEOUT_S})
    _configure_sqlite(engine, writable=False)
    return engine


def _can_write_beside(path: Path) -> bool:
    """Whether this process may create files next to the database (a read-only mount or a
    folder without write permission says no)."""
    return os.access(path.parent, os.W_OK) and os.access(path, os.W_OK)


@contextmanager
def readonly_engine(url: str) -> Iterator[Engine]:
    """make_readonly_engine, disposed afterwards, leaving no file behind. A read-only SQLite
    connection to a WAL database creates the -wal and -shm files when no other connection has
    them open, and cannot remove them as it closes. When they were not there before, one plain
    open and close lets SQLite remove them itself: it does so only as the last connection, after
    checkpointing an empty log, so the database file is not written."""
    engine = make_readonly_engine(url)
    path = sqlite_path(parse_url(url))
    log = Path(f"{path}-wal")
    there_before = path is None or log.exists() or not _can_write_beside(path)
    try:
        yield engine
    finally:
        engine.dispose()
        if path is not None and not there_before and log.exists():
            _close_as_last(path)


def _close_as_last(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        connection.close()


def is_sqlite(url: URL | Engine) -> bool:
    dialect = url.dialect.name if isinstance(url, Engine) else url.get_backend_name()
    return dialect == "sqlite"


def sqlite_path(url: URL | Engine) -> Path | None:
    """The database file of a SQLite URL or engine, or None for an in-memory database."""
    parsed = url.url if isinstance(url, Engine) else url
    database = parsed.database or ""
    if parsed.query.get("mode") == "memory" or database in ("", ":memory:"):
        return None
    if database.startswith("file:"):
        database = database.removeprefix("file:").split("?", 1)[0]
    return Path(database).expanduser().resolve()


def parse_url(url: str) -> URL:
    """The URL of a database notifier can use; `postgresql://` and `postgres://` mean psycopg 3.
    An unparsable URL, another database or another driver is a ConfigError naming the URL."""
    try:
        parsed = make_url(url)
    except exc.ArgumentError as error:
        raise _url_error(url, f"not a database URL; expected {EXAMPLES}") from error
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    if backend not in DRIVERS:
        raise _url_error(url, f"notifier does not support {backend}; expected {EXAMPLES}")
    if parsed.drivername != backend and driver not in DRIVERS[backend]:
        expected = " or ".join(f"{backend}+{d}" for d in DRIVERS[backend])
        raise _url_error(url, f"the driver {driver} is not supported; use {expected}")
    return parsed


def display_url(url: str) -> str:
    """The database URL as given, with any password hidden (as given if it does not parse)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except exc.ArgumentError:
        return url


def _url_error(url: str, message: str) -> ConfigError:
    return ConfigError([Problem(display_url(url), message)])


def check_folder(url: str, path: Path, *, writable: bool) -> None:
    """The folder of a SQLite file: there, a folder, and (`writable`) writable, else a
    ConfigError naming the URL and what to do."""
    folder = path.parent
    if not folder.exists():
        problem = f"the folder {folder} does not exist; create it first"
    elif not folder.is_dir():
        problem = f"{folder} is not a folder; choose a path in an existing folder"
    elif writable and not os.access(folder, os.W_OK):
        problem = f"the folder {folder} cannot be written; choose a writable folder"
    else:
        return
    raise ConfigError([Problem(display_url(url), problem)])


def _configure_sqlite(engine: Engine, *, writable: bool) -> None:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN (see on_begin)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        if writable and sqlite_path(engine) is not None:
            cursor.execute("PRAGMA journal_mode = WAL")
        if not writable:
            cursor.execute("PRAGMA query_only = ON")
        cursor.close()

    def on_begin(connection: Connection) -> None:
        immediate = writable and connection.get_execution_options().get(WRITE_LOCK, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "begin", on_begin)
