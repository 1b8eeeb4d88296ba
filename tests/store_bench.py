"""Times the store's inventory import (not a test): 1,000,000 functions by default.

    python tests/store_bench.py [--functions 1000000] [--accounts 100000] [--url URL]

Without --url it uses a SQLite file in a temporary folder. For PostgreSQL pass a URL; the script
works in a fresh schema and drops it afterwards. Reports functions/s for a first import into an
empty table, a second import replacing every row, and the time of the in-scope queries.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from notifier.core.domain import Account, Function
from notifier.store.stores import SqlStores
from tests.conftest import fresh_postgres_schema
from tests.store_builders import NOW

RUNTIMES = ["python3.9", "python3.12", "nodejs18.x", "nodejs20.x", "java17", "provided.al2"]


def fleet(accounts: int, functions: int) -> dict[str, list[Function]]:
    per_account = functions // accounts
    fleet: dict[str, list[Function]] = {}
    for a in range(accounts):
        account_id = f"{100000000000 + a:012d}"
        fleet[account_id] = [
            Function(
                account_id,
                "us-east-1",
                f"fn-{i}",
                RUNTIMES[(a + i) % len(RUNTIMES)],
                f"arn:aws:lambda:us-east-1:{account_id}:function:fn-{i}",
                "Image" if i % 20 == 19 else "Zip",
                "2025-01-01T00:00:00.000+0000",
            )
            for i in range(per_account)
        ]
    return fleet


def timed(label: str, work: Callable[[], Any], items: int) -> Any:
    started, cpu_started = time.perf_counter(), time.process_time()
    result = work()
    seconds = time.perf_counter() - started
    rate = f"{items / seconds:>10,.0f}/s" if items else " " * 12
    cpu = time.process_time() - cpu_started
    print(f"  {label:<38} {seconds:7.2f} s {rate}   (this process's CPU {cpu:5.2f} s)")
    return result


@contextmanager
def database(url: str | None) -> Iterator[str]:
    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"
    else:
        with fresh_postgres_schema(url) as schema_url:
            yield schema_url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--functions", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--url")
    parser.add_argument("--repeat", type=int, default=1, help="times to repeat the replacement")
    args = parser.parse_args()
    functions = fleet(args.accounts, args.functions)
    total = sum(len(listed) for listed in functions.values())
    known = set(RUNTIMES)
    with database(args.url) as url:
        store = SqlStores.open(url)
        print(f"{store.engine.dialect.name}: {total:,} functions in {len(functions):,} accounts")
        accounts = [Account(a, f"account {a}", f"root@{a}.example") for a in functions]
        timed(
            f"upsert {len(accounts):,} accounts",
            lambda: store.accounts.upsert_accounts(accounts, NOW),
            0,
        )
        replace = lambda: store.inventory.replace_inventory(functions, known)  # noqa: E731
        timed("import into an empty table", replace, total)
        for _ in range(args.repeat):
            timed("import replacing every row", replace, total)
        one = dict([next(iter(functions.items()))])
        timed(
            "import replacing one account", lambda: store.inventory.replace_inventory(one, known), 0
        )
        pairs = timed(
            "affected_pairs (3 runtimes)",
            lambda: list(store.inventory.affected_pairs(RUNTIMES[:3])),
            0,
        )
        some = [(p.account_id, p.runtime) for p in pairs[:10_000]]
        timed(
            f"function_arns ({len(some):,} pairs)", lambda: store.inventory.function_arns(some), 0
        )
        store.close()


if __name__ == "__main__":
    main()
