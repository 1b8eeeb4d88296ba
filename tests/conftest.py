"""Shared fixtures: a database URL and a SqlStores on it, for SQLite and (when configured)
PostgreSQL. Each PostgreSQL test gets its own fresh schema, dropped afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from notifier.store.engine import make_engine
from notifier.store.stores import SqlStores
from tests.cli_helpers import Cli

pytest_plugins = [
    "tests.peers",
    "tests.ses_account",
]  # the SMTP and SES peers of the delivery tests
POSTGRES_ENV = "NOTIFIER_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@contextmanager
def fresh_postgres_schema(base_url: str) -> Iterator[str]:
    """A new empty schema; yields a URL whose connections use it (search_path), then drops it."""
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = make_engine(base_url)
    try:
        with admin.begin() as connection:
            connection.execute(text("SET LOCAL synchronous_commit = off"))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        # synchronous_commit=off: a test database need not survive a crash, and commits get fast
        options = f"-csearch_path={schema} -csynchronous_commit=off"
        url = make_url(base_url).update_query_dict({"options": options})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text("SET LOCAL synchronous_commit = off"))
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def postgres_url_or_skip() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(
            f"PostgreSQL tests need {POSTGRES_ENV}, "
            "e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test"
        )
    return url


@pytest.fixture(params=BACKENDS)
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty database: a SQLite file in a fresh folder, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'notifier.db'}"
        return
    with fresh_postgres_schema(postgres_url_or_skip()) as url:
        yield url


@pytest.fixture
def store(db_url: str) -> Iterator[SqlStores]:
    """A SqlStores on an empty, fully migrated database."""
    opened = SqlStores.open(db_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """The CLI in a fresh folder, with no NOTIFIER_* setting left over from the environment."""
    for name in [n for n in os.environ if n.startswith("NOTIFIER_") and n != POSTGRES_ENV]:
        monkeypatch.delenv(name)
    return Cli(tmp_path, capsys, {})
