"""The schema: the packaged Alembic migrations, run in-process under the schema lock.

Two processes that find a brand-new database at once (two first runs, a run and an import) do
not both create the tables: the second waits for the first, then finds the schema current.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from notifier.store.lock import run_lock

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision; a database already there is left as it is."""
    if is_current(engine):
        return
    with run_lock(engine, wait=True, name="schema"), engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")


def is_current(engine: Engine) -> bool:
    """Whether the database is at the newest revision (False for an empty database)."""
    with engine.connect() as connection:
        script = ScriptDirectory.from_config(_alembic_config(connection))
        current = MigrationContext.configure(connection).get_current_heads()
        return set(current) == set(script.get_heads())


def has_schema(engine: Engine) -> bool:
    """Whether any migration ever ran here (False for a brand-new, empty database)."""
    with engine.connect() as connection:
        return bool(MigrationContext.configure(connection).get_current_heads())
