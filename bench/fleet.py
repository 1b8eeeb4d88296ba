"""Deterministic fleet generator for benchmarks: accounts.csv and inventory.csv of any size.

    python bench/fleet.py --accounts 100000 --functions 1000000 --seed 1 --out DIR

The same arguments always write the same bytes. Standard library only; 1M rows in a few seconds.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Iterator, Sequence
from itertools import accumulate
from pathlib import Path

# (runtime, weight): mostly current runtimes, a good share deprecated or ending within 2027-2029,
# container images ("" runtime, PackageType Image), a few unknown and empty runtimes.
RUNTIME_MIX: tuple[tuple[str, int], ...] = (
    ("python3.13", 120), ("python3.12", 110), ("nodejs22.x", 110), ("nodejs20.x", 60),
    ("java21", 50), ("provided.al2023", 40), ("python3.14", 25), ("nodejs24.x", 25),
    ("dotnet10", 15), ("ruby3.4", 12), ("java25", 8), ("ruby4.0", 5),
    ("python3.11", 45), ("python3.10", 40), ("python3.9", 40), ("nodejs18.x", 40),
    ("java17", 25), ("java11", 20), ("dotnet8", 20), ("ruby3.3", 12), ("provided.al2", 15),
    ("python3.8", 15), ("nodejs16.x", 12), ("ruby3.2", 8), ("java8.al2", 6), ("java8", 5),
    ("go1.x", 6), ("nodejs14.x", 4), ("python3.7", 3), ("dotnet6", 4),
    ("", 40), ("nodejs99.x", 1), ("-", 1),
)  # fmt: skip
REGION_MIX: tuple[tuple[str, int], ...] = (
    ("us-east-1", 40), ("us-west-2", 20), ("eu-west-1", 15), ("eu-central-1", 10),
    ("ap-southeast-2", 6), ("ap-northeast-1", 5), ("ca-central-1", 2), ("sa-east-1", 2),
)  # fmt: skip
WORDS = (
    "orders", "billing", "invoice", "auth", "search", "thumbnail", "report", "export", "import",
    "notify", "audit", "sync", "ingest", "payments", "catalog", "cart", "shipping", "pricing",
)  # fmt: skip
ROLES = ("api", "worker", "handler", "cron", "consumer", "resizer", "webhook", "stream")
TEAMS = ("Payments", "Platform", "Data", "Search", "Mobile", "Identity", "Growth", "Logistics")
DOMAINS = ("example.com", "example.org", "example.net")
INVENTORY_HEADER = (
    "account_id",
    "region",
    "function_name",
    "runtime",
    "package_type",
    "last_modified",
)


def generate(out: Path, accounts: int, functions: int, seed: int) -> tuple[Path, Path]:
    """Write out/accounts.csv and out/inventory.csv; return their paths."""
    if accounts < 1 or functions < 0:
        raise ValueError("need at least one account and a non-negative number of functions")
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    ids = [f"{n:012d}" for n in rng.sample(range(10**12), accounts)]
    accounts_csv, inventory_csv = out / "accounts.csv", out / "inventory.csv"
    _write(accounts_csv, ("account_id", "name", "primary_email", "operations_email",
                          "security_email", "billing_email"), _accounts(rng, ids))  # fmt: skip
    _write_functions(inventory_csv, rng, ids, functions)
    return accounts_csv, inventory_csv


def _write(path: Path, header: Sequence[str], rows: Iterator[Sequence[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _accounts(rng: random.Random, ids: list[str]) -> Iterator[tuple[str, ...]]:
    for number, account_id in enumerate(ids):
        team = TEAMS[number % len(TEAMS)]
        slug = f"{team.lower()}-{number}"
        domain = DOMAINS[number % len(DOMAINS)]
        primary = f"aws-{slug}@{domain}"
        roll = rng.random()
        operations = (
            primary.upper() if roll < 0.1 else f"oncall-{slug}@{domain}" if roll < 0.7 else ""
        )
        security = f"security@{domain}" if rng.random() < 0.4 else ""
        billing = f"finance-{number % 50}@{domain}" if rng.random() < 0.3 else ""
        yield account_id, f"{team} {number}", primary, operations, security, billing


def _write_functions(path: Path, rng: random.Random, ids: list[str], count: int) -> None:
    """Lines are formatted directly (no value needs CSV quoting): ~3x faster than csv.writer."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(INVENTORY_HEADER) + "\n")
        for start in range(0, count, CHUNK):
            handle.writelines(_function_lines(rng, ids, start, min(count, start + CHUNK)))


def _function_lines(rng: random.Random, ids: list[str], start: int, stop: int) -> list[str]:
    k = stop - start
    kinds = rng.choices(_KINDS, cum_weights=_cum(RUNTIME_MIX), k=k)
    regions = rng.choices([r for r, _ in REGION_MIX], cum_weights=_cum(REGION_MIX), k=k)
    owners = rng.choices(ids, k=k)
    names, days, n, d = _NAMES, _DAYS, len(_NAMES), len(_DAYS)
    return [
        f"{owners[j]},{regions[j]},{names[i % n]}-{i:07d},{kinds[j]},{days[i % d]}\n"
        for j, i in enumerate(range(start, stop))
    ]


def _kind(runtime: str) -> str:
    """`runtime,package_type`: "" stands for a container image, "-" for a Zip with no runtime."""
    if runtime == "":
        return ",Image"
    return ",Zip" if runtime == "-" else f"{runtime},Zip"


CHUNK = 100_000
_KINDS = [_kind(runtime) for runtime, _ in RUNTIME_MIX]
_NAMES = [f"{word}-{role}" for word in WORDS for role in ROLES]
_DAYS = [f"2025-{m:02d}-{d:02d}T10:00:00.000+0000" for m in range(1, 13) for d in range(1, 29)]


def _cum(mix: Sequence[tuple[str, int]]) -> list[int]:
    return list(accumulate(weight for _, weight in mix))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--functions", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    for path in generate(args.out, args.accounts, args.functions, args.seed):
        print(path)


if __name__ == "__main__":
    main()
