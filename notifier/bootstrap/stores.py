"""Opening the database: for a run (under its lock), to write, or to read without writing."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine

from notifier.bootstrap.clock import utc_now
from notifier.config import Settings
from notifier.core.domain import Calendar
from notifier.core.errors import ConfigError, Problem
from notifier.service.imports import sample_account_ids, seed_if_new, seed_sample
from notifier.service.ports import Stores
from notifier.store.engine import (
    check_folder,
    make_engine,
    parse_url,
    readonly_engine,
    sqlite_path,
)
from notifier.store.engine import display_url as display_url
from notifier.store.guard import check_open
from notifier.store.lock import HeldLock
from notifier.store.schema import has_schema, is_current, upgrade
from notifier.store.stores import SqlStores


@contextmanager
def store(settings: Settings) -> Iterator[SqlStores]:
    """The store, its schema upgraded to the newest migration."""
    engine = _opened(settings.database_url)
    try:
        upgrade(engine)
        yield SqlStores.on(engine)
    finally:
        engine.dispose()


@contextmanager
def run_store(settings: Settings, wait: bool) -> Iterator[tuple[SqlStores, HeldLock]]:
    """The store for a run, under the run lock, taken before the schema is created or
    upgraded: two first runs on a brand-new database never race to create it."""
    engine = _opened(settings.database_url)
    try:
        stores = SqlStores.on(engine)
        with stores.lock.hold(wait) as held:
            upgrade(engine)
            yield stores, held
    finally:
        engine.dispose()


def _opened(url: str) -> Engine:
    """A read-write engine on a database that answered (else a one-line error)."""
    engine = make_engine(url)
    try:
        check_open(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


@contextmanager
def store_to_read(settings: Settings) -> Iterator[Stores]:
    """The database opened read-only: never created, upgraded or written (it may be on a
    read-only file system). A database not there yet, or still empty, reads as empty."""
    if not _database_exists(settings.database_url):
        with _empty_store() as empty:
            yield empty
        return
    with readonly_engine(settings.database_url) as engine:
        check_open(engine)
        if not has_schema(engine):
            with _empty_store() as empty:
                yield empty
            return
        if not is_current(engine):
            problem = "the database schema is older than this notifier: run `notifier db upgrade`"
            raise ConfigError([Problem(display_url(settings.database_url), problem)])
        yield SqlStores.on(engine)


@contextmanager
def _empty_store() -> Iterator[Stores]:
    empty = SqlStores.open("sqlite://")
    try:
        yield empty
    finally:
        empty.close()


@contextmanager
def reading_store(settings: Settings, cal: Calendar) -> Iterator[tuple[Stores, str | None]]:
    """A store to read without writing anything. When the database is brand-new (missing, or
    holding nothing at all) and `sample_data` is on, a throw-away copy holding the bundled
    sample stands in for it."""
    with store_to_read(settings) as found:
        if found.accounts.count_accounts() > 0:
            yield found, None
            return
        if not settings.sample_data or found.accounts.holds_data(sample_account_ids()):
            raise no_accounts(settings)
    with _sample_store(cal) as sample:
        where = display_url(settings.database_url)
        yield sample, f"{where} is a new database: showing the bundled sample data"


def no_accounts(settings: Settings) -> ConfigError:
    """The error of a command that needs accounts, on a database holding none."""
    message = "the database holds no accounts; import them with `notifier accounts import FILE`"
    return ConfigError([Problem(display_url(settings.database_url), message)])


@contextmanager
def _sample_store(cal: Calendar) -> Iterator[Stores]:
    with tempfile.TemporaryDirectory(prefix="notifier-sample-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'sample.db'}")
        try:
            upgrade(engine)
            sample = SqlStores.on(engine)
            seed_sample(sample, cal, utc_now())
            yield sample
        finally:
            engine.dispose()


def _database_exists(url: str) -> bool:
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        return True
    path = sqlite_path(parsed)
    if path is None:
        return False
    check_folder(url, path, writable=False)
    return path.is_file()


def prepare_for_run(settings: Settings, st: Stores, cal: Calendar) -> str | None:
    """Seed the bundled sample into a brand-new store when allowed, and say so. A store with
    no account that gets no sample is refused, as by dry-run."""
    if st.accounts.count_accounts() > 0:
        return None
    seeded = seed_if_new(st, cal, utc_now()) if settings.sample_data else None
    if seeded is None:
        raise no_accounts(settings)
    accounts, inventory = seeded
    return (
        f"{display_url(settings.database_url)} is a new database: imported the bundled sample "
        f"({accounts.read} accounts, {inventory.functions} functions)"
    )
