"""Faults: a run killed at any point loses nothing; two runs at once never send twice."""

from __future__ import annotations

import dataclasses
import json
import random
import signal
import subprocess
import sys
import time
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from notifier import bootstrap
from notifier.config import Settings
from notifier.core.domain import Account, Function
from notifier.core.records import InventorySummary
from notifier.service.imports import seed_sample
from notifier.store.accounts import SqlAccounts
from notifier.store.inventory import SqlInventory
from notifier.store.stores import SqlStores
from tests.cli_helpers import Cli
from tests.store_builders import NOW

DAY = "2026-11-27"
RUNTIMES = ("python3.9", "nodejs18.x", "python3.10", "dotnet8", "python3.13")


def write_fleet(folder: Path, accounts: int) -> None:
    """Accounts with functions on several runtimes: about three notices each on DAY."""
    rows = ["account_id,name,primary_email,operations_email,security_email,billing_email"]
    inventory = ["account_id,region,function_name,runtime"]
    for i in range(accounts):
        account = f"{500000000000 + i:012d}"
        rows.append(f"{account},Team {i},team{i}@example.com,ops{i}@example.org,,")
        for j, runtime in enumerate(RUNTIMES):
            region = ("us-east-1", "eu-west-1")[j % 2]
            inventory.append(f"{account},{region},fn-{j},{runtime}")
    (folder / "accounts.csv").write_text("\n".join(rows) + "\n")
    (folder / "inventory.csv").write_text("\n".join(inventory) + "\n")


@pytest.fixture
def fleet_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    write_fleet(tmp_path, 300)
    cli = Cli(tmp_path, capsys, {"NOTIFIER_SAMPLE_DATA": "false"})
    assert cli("accounts", "import", "accounts.csv").code == 0
    assert cli("inventory", "import", "inventory.csv").code == 0
    return cli


def delivered_keys(cli: Cli) -> list[tuple[str, str]]:
    history = cli("history", "--json").json()["notices"]
    return [
        (n["account_id"], n["runtime"])
        for n in history
        if set(n["channels"].values()) == {"delivered"}
    ]


@pytest.mark.slow
def test_a_run_killed_at_random_points_then_rerun_delivers_every_notice_once(
    fleet_cli: Cli, tmp_path: Path
) -> None:
    planned = fleet_cli("dry-run", "--as-of", DAY, "--json").json()["notices"]
    expected = sorted((n["account_id"], n["runtime"]) for n in planned)
    rng = random.Random(7)
    for _ in range(4):
        process = fleet_cli.subprocess(
            "--quiet", "run", "--as-of", DAY, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.4, 2.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
    final = fleet_cli("run", "--as-of", DAY)
    assert final.code == 0, final.err
    assert sorted(delivered_keys(fleet_cli)) == expected
    files = sorted((tmp_path / "outbox").rglob("*.eml"))
    assert len(files) == len(expected)
    assert not list((tmp_path / "outbox").rglob("*.tmp"))
    assert fleet_cli("run", "--as-of", DAY).out.startswith(
        f"run for {DAY}: 0 new notices, 0 retried"
    )


HOLD_LOCK = """
import sys, time
from notifier.store.stores import SqlStores
store = SqlStores.open(sys.argv[1])
with store.lock.hold(wait=False):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_second_run_refuses_while_another_holds_the_lock(fleet_cli: Cli, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'notifier.db'}"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, url], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        second = fleet_cli("run", "--as-of", DAY)
    finally:
        holder.kill()
        holder.wait()
    assert second.code == 3
    assert second.err.startswith("error: another notifier run holds the lock")
    assert len(second.err.splitlines()) == 1 and "Traceback" not in second.err
    assert not (tmp_path / "outbox").exists()
    assert fleet_cli("run", "--as-of", DAY).code == 0


def test_the_waiting_run_sends_nothing_twice(fleet_cli: Cli) -> None:
    runs = [
        fleet_cli.subprocess(
            "--quiet",
            "run",
            "--wait",
            "--as-of",
            DAY,
            "--json",
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    summaries = [json.loads(p.communicate()[0]) for p in runs]
    assert sorted(s["notices"] for s in summaries)[0] == 0
    assert sum(s["notices"] for s in summaries) == len(delivered_keys(fleet_cli))


class Dies:
    """A process that dies, as far as the store can tell, after its first write."""

    def __init__(self) -> None:
        self.writes = 0

    def write(self) -> None:
        self.writes += 1
        if self.writes > 1:
            raise SystemExit("killed")


class DyingAccounts(SqlAccounts):
    def __init__(self, engine: Engine, dies: Dies) -> None:
        super().__init__(engine)
        self.dies = dies

    def upsert_accounts(self, accounts: Sequence[Account], at: datetime) -> tuple[int, int]:
        self.dies.write()
        return super().upsert_accounts(accounts, at)


class DyingInventory(SqlInventory):
    def __init__(self, engine: Engine, dies: Dies) -> None:
        super().__init__(engine)
        self.dies = dies

    def replace_inventory(
        self, functions: Mapping[str, Sequence[Function]], known_runtimes: Collection[str]
    ) -> InventorySummary:
        self.dies.write()
        return super().replace_inventory(functions, known_runtimes)


def killed_after_one_write(store: SqlStores) -> SqlStores:
    """The real store, in a process that dies after its first write of accounts or inventory."""
    dies = Dies()
    accounts, inventory = DyingAccounts(store.engine, dies), DyingInventory(store.engine, dies)
    return dataclasses.replace(store, accounts=accounts, inventory=inventory)


def test_a_sample_seed_cut_short_is_seeded_again_by_the_next_run(store: SqlStores) -> None:
    settings = Settings(database_url="sqlite://", sample_data=True)
    cal = bootstrap.calendar(settings)
    with pytest.raises(SystemExit):
        seed_sample(killed_after_one_write(store), cal, NOW)

    said = bootstrap.prepare_for_run(settings, store, cal)

    assert said is not None and "imported the bundled sample" in said
    assert store.accounts.count_accounts() == 50
    pairs = list(store.inventory.affected_pairs(set(cal.runtimes), None))
    assert len({pair.account_id for pair in pairs}) > 10
