"""Inventory import next to its floors, in one process and one run.

    python bench/import_floor.py --accounts 100000 --functions 1000000

Times, on the same generated inventory CSV and into a fresh SQLite file each time:
- csv only: the csv module reading every row, nothing kept;
- csv + SQLite: the csv module's rows, with the ARN built, inserted by one raw sqlite3
  executemany into the same table, the index built after, committed: the least any CSV import
  into this schema can cost in Python;
- notifier: `notifier inventory import`'s code path (parse, validate, summary, store).
Prints functions/s for each and notifier's ratio to the csv + SQLite floor.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fleet import generate

from notifier import bootstrap
from notifier.config import Settings
from notifier.service import imports
from notifier.store.bulk import COLUMNS

_TABLE = (
    "CREATE TABLE function (id INTEGER PRIMARY KEY, account_id VARCHAR NOT NULL,"
    " region VARCHAR NOT NULL, name VARCHAR NOT NULL, runtime VARCHAR, arn VARCHAR NOT NULL,"
    " package_type VARCHAR NOT NULL, last_modified VARCHAR)"
)


def csv_only(inventory: Path, _work: Path) -> float:
    started = time.perf_counter()
    with inventory.open(newline="") as handle:
        for _row in csv.reader(handle):
            pass
    return time.perf_counter() - started


def csv_and_sqlite(inventory: Path, work: Path) -> float:
    connection = sqlite3.connect(work / "floor.db", isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute(_TABLE)
    started = time.perf_counter()
    with inventory.open(newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        rows = (
            (a, r, n, rt, f"arn:aws:lambda:{r}:{a}:function:{n}", p or "Zip", m or None)
            for a, r, n, rt, p, m in reader
        )
        connection.execute("BEGIN IMMEDIATE")
        marks = ", ".join("?" for _ in COLUMNS)
        insert = f"INSERT INTO function ({', '.join(COLUMNS)}) VALUES ({marks})"
        connection.executemany(insert, rows)
        connection.execute("CREATE INDEX ix_function ON function (account_id, runtime)")
        connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    connection.close()
    return seconds


def notifier_import(inventory: Path, work: Path) -> float:
    settings = Settings(database_url=f"sqlite:///{work / 'notifier.db'}", sample_data=False)
    cal = bootstrap.calendar(settings)
    with bootstrap.store(settings) as store:
        imports.import_accounts(
            store.accounts, work.parent / "fleet" / "accounts.csv", at=bootstrap.utc_now()
        )
        started = time.perf_counter()
        imports.import_inventory(store.inventory, [inventory], cal)
        return time.perf_counter() - started  # the accounts import is not counted


def timed(step: Callable[[Path, Path], float], inventory: Path, work: Path) -> float:
    work.mkdir(parents=True)
    gc.collect()
    return step(inventory, work)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--functions", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="bench/results/import.json")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="notifier-import-"))
    _, inventory = generate(root / "fleet", args.accounts, args.functions, args.seed)
    steps = {
        "csv only": csv_only,
        "csv + SQLite floor": csv_and_sqlite,
        "notifier import": notifier_import,
    }
    rates = {
        label: args.functions / timed(step, inventory, root / f"step{i}")
        for i, (label, step) in enumerate(steps.items())
    }
    for label, rate in rates.items():
        print(f"{label:<20} {rate:>12,.0f} functions/s")
    ratio = rates["notifier import"] / rates["csv + SQLite floor"]
    print(f"{'notifier vs floor':<20} {ratio:>12.3f}")
    result = {"functions": args.functions, "rates_per_s": rates, "notifier_vs_floor": ratio}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
