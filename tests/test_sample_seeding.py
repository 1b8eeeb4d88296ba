"""The bundled sample goes only into a brand-new database, and says which one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from notifier import bootstrap
from notifier.config import Settings
from notifier.core.errors import ConfigError
from notifier.store.stores import SqlStores
from tests.cli_helpers import Cli
from tests.test_run_faults import write_fleet

NO_ACCOUNTS = "the database holds no accounts; import them with `notifier accounts import FILE`"


def accounts_in(folder: Path) -> int:
    store = SqlStores.open(f"sqlite:///{folder / 'notifier.db'}")
    try:
        return store.accounts.count_accounts()
    finally:
        store.close()


def test_the_line_saying_the_sample_was_loaded_names_the_database(cli: Cli) -> None:
    result = cli("run")

    assert result.code == 0
    assert "sqlite:///notifier.db is a new database: imported the bundled sample (50 accounts" in (
        result.err
    )


@pytest.mark.parametrize("command", ["run", "dry-run"])
def test_a_database_holding_real_inventory_never_gets_the_sample(
    cli: Cli, tmp_path: Path, command: str
) -> None:
    write_fleet(tmp_path, 2)
    assert cli("inventory", "import", "inventory.csv").code == 0

    result = cli(command)

    assert result.code == 2 and "Traceback" not in result.err
    assert result.err == f"error: sqlite:///notifier.db: {NO_ACCOUNTS}\n"
    assert accounts_in(tmp_path) == 0
    assert not (tmp_path / "outbox").exists()


def test_a_run_with_no_accounts_and_the_sample_off_fails_as_the_dry_run_does(
    cli: Cli, tmp_path: Path
) -> None:
    off = Cli(tmp_path, cli.capsys, {"NOTIFIER_SAMPLE_DATA": "false"})

    run, dry_run = off("run"), off("dry-run")

    assert (run.code, run.err) == (dry_run.code, dry_run.err) == (2, dry_run.err)
    assert run.err == f"error: sqlite:///notifier.db: {NO_ACCOUNTS}\n"
    assert not (tmp_path / "outbox").exists()


def test_a_store_with_a_ledger_row_but_no_account_never_gets_the_sample(store: SqlStores) -> None:
    settings = Settings(database_url="sqlite://", sample_data=True)
    store.ledger.start_run(date(2027, 1, 15), datetime(2027, 1, 15, tzinfo=UTC))

    with pytest.raises(ConfigError, match="the database holds no accounts"):
        bootstrap.prepare_for_run(settings, store, bootstrap.calendar(settings))

    assert store.accounts.count_accounts() == 0
