"""Engines and migrations."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, inspect
from sqlmodel import SQLModel

from notifier.core.errors import ConfigError, StoreError
from notifier.store.engine import make_engine, make_readonly_engine
from notifier.store.schema import is_current, upgrade
from notifier.store.stores import SqlStores

TABLES = {
    "account", "function", "run", "notice", "delivery", "health_event", "affected_entity",
    "suppression", "alembic_version", "health_publication", "store_state", "pace",
}  # fmt: skip


def test_migrations_create_the_schema_on_an_empty_database_and_upgrade_is_idempotent(
    db_url: str,
) -> None:
    engine = make_engine(db_url)
    assert not is_current(engine)

    upgrade(engine)
    upgrade(engine)

    assert is_current(engine)
    assert set(inspect(engine).get_table_names()) == TABLES
    engine.dispose()


def test_the_migrations_build_exactly_the_models_tables(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
    engine.dispose()


def test_a_sqlite_database_whose_folder_is_missing_is_refused_not_created(tmp_path: Path) -> None:
    path = tmp_path / "deeper" / "still" / "notifier.db"

    with pytest.raises(ConfigError, match=f"the folder {path.parent} does not exist"):
        make_engine(f"sqlite:///{path}")

    assert not (tmp_path / "deeper").exists()


def test_a_sqlite_database_runs_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "notifier.db"
    engine = make_engine(f"sqlite:///{path}")

    with engine.connect() as connection:
        pragmas = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }

    assert path.is_file()
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 1,
        "foreign_keys": 1,
        "busy_timeout": 30000,
    }
    engine.dispose()


def test_a_read_only_open_never_creates_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "notifier.db"

    with pytest.raises(ConfigError, match="run an import first"):
        make_readonly_engine(f"sqlite:///{path}")

    assert not path.parent.exists()


def test_a_read_only_open_reads_but_never_writes_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "notifier.db"
    SqlStores.open(f"sqlite:///{path}").close()
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    readonly = SqlStores.on(make_readonly_engine(f"sqlite:///{path}"))

    assert readonly.accounts.count_accounts() == 0
    assert is_current(readonly.engine)
    with pytest.raises(StoreError, match="cannot be used: attempt to write a readonly database"):
        readonly.ledger.start_run(date(2026, 1, 1), datetime.now(UTC))
    readonly.close()

    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_the_pending_deliveries_query_uses_the_partial_index_on_sqlite(tmp_path: Path) -> None:
    store = SqlStores.open(f"sqlite:///{tmp_path / 'notifier.db'}")
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM delivery" in statement:
            seen.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", capture)
    store.deliveries.pending_deliveries(["email"], 0, 10)
    [(statement, parameters)] = seen
    with store.engine.connect() as connection:
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    store.close()

    assert "ix_delivery_open" in " ".join(str(row[-1]) for row in plan)


def test_each_store_query_goes_through_the_fault_guard() -> None:
    """Every public method of every role is @guarded (a retry, then StoreError), but for the
    two that cannot be: a generator streaming rows, and the run lock."""
    stores = SqlStores.on(make_engine("sqlite://"))
    roles = [getattr(stores, f.name) for f in dataclasses.fields(stores) if f.name != "engine"]
    methods = [(role, name) for role in roles for name in dir(role) if not name.startswith("_")]
    unguarded = [
        f"{type(role).__name__}.{name}"
        for role, name in methods
        if callable(getattr(role, name)) and not hasattr(getattr(role, name), "__wrapped__")
    ]
    stores.close()
    assert sorted(unguarded) == ["SqlInventory.affected_pairs", "SqlRunLock.hold"]
