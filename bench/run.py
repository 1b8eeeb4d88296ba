"""Times the whole pipeline on a generated fleet, next to the floor of rendering alone.

    python bench/run.py --accounts 100000 --functions 1000000 --out bench/results/latest.json

Steps, in one process: accounts import, inventory import, a dry run of all accounts, a full run,
a second run the same day, a one-account dry run; then the floor: rendering and building the
same emails with nothing else. Prints a table and writes JSON. Targets are ratios, not seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fleet import generate

from notifier import bootstrap
from notifier.config import Settings
from notifier.core.domain import Notice
from notifier.service import imports
from notifier.service.queries import dry_run
from notifier.service.summary import RunSummary


class _Silent:
    def advance(self, count: int) -> None:
        pass


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class DescendantPeaks:
    """Samples the peak resident memory (VmHWM) of every process below this one, twice a
    second: the render workers are the forkserver's children, which getrusage does not see."""

    def __init__(self, every_s: float = 0.5) -> None:
        self.peaks: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, args=(every_s,), daemon=True)

    def __enter__(self) -> DescendantPeaks:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def largest_mib(self) -> float:
        return max(self.peaks.values(), default=0.0)

    def _loop(self, every_s: float) -> None:
        while not self._stop.wait(every_s):
            for pid in descendants(os.getpid()):
                peak = vm_hwm_mib(pid)
                if peak is not None:
                    self.peaks[pid] = max(peak, self.peaks.get(pid, 0.0))


def descendants(root: int) -> list[int]:
    """Every process below `root`, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def vm_hwm_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def timed(
    label: str,
    steps: list[dict[str, Any]],
    work: Callable[[], Any],
    count: Callable[[Any], int] | None = None,
) -> Any:
    """Run one step, recording its seconds, items, rate and the peak memory so far."""
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    items = count(result) if count else (result if isinstance(result, int) else 0)
    rate = round(items / seconds, 1) if seconds and items else None
    steps.append(
        {
            "step": label,
            "seconds": round(seconds, 3),
            "items": items,
            "rate_per_s": rate,
            "peak_rss_mib": round(peak_mib(), 1),
        }
    )
    return result


def floor_rate(settings: Settings, notices: list[Notice]) -> float:
    """Render and build the emails of notices a run sends, with nothing else: no store, no I/O."""
    composer = bootstrap.composer(settings)
    started = time.perf_counter()
    for notice in notices:
        composer.email(composer.prepare(notice))
    return len(notices) / (time.perf_counter() - started) if notices else 0.0


def dry_run_all(store: Any, inputs: Any, composer: Any, keep: list[Notice], sample: int) -> int:
    """Count what a dry run of every account yields; keep the first notices for the floor."""
    count = 0
    for prepared in dry_run(store, inputs, composer):
        count += 1
        if len(keep) < sample:
            keep.append(prepared.notice)
    return count


def main() -> None:
    args = parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="notifier-bench-"))
    accounts_csv, inventory_csv = generate(work / "fleet", args.accounts, args.functions, args.seed)
    url = args.database_url or f"sqlite:///{work / 'bench.db'}"
    settings = Settings(database_url=url, outbox_dir=work / "outbox", sample_data=False)
    as_of = date.fromisoformat(args.as_of)
    cal = bootstrap.calendar(settings)
    steps: list[dict[str, Any]] = []
    with DescendantPeaks() as workers, bootstrap.store(settings) as store:
        timed(
            "accounts import",
            steps,
            lambda: (
                imports.import_accounts(store.accounts, accounts_csv, at=bootstrap.utc_now()).read
            ),
        )
        timed(
            "inventory import",
            steps,
            lambda: imports.import_inventory(store.inventory, [inventory_csv], cal).functions,
        )
        inputs = bootstrap.plan_inputs(settings, cal, as_of)
        kept: list[Notice] = []
        with bootstrap.preparing(settings) as composer:  # its workers stop before the run's
            timed(
                "dry run, all accounts",
                steps,
                lambda: dry_run_all(store, inputs, composer, kept, args.floor_sample),
            )
            one = kept[0].account.account_id if kept else "000000000000"
            timed(
                "dry run, one account",
                steps,
                lambda: sum(1 for _ in dry_run(store, inputs, composer, [one])),
            )
        with bootstrap.runner(settings, store, cal, as_of, _Silent()) as runner:
            first: RunSummary = timed("full run", steps, runner.run, count=_sent)
            timed("second run, same day", steps, runner.run, count=_sent)
        rate = floor_rate(settings, kept)
    report(args, steps, first, rate, len(kept), url, workers.largest_mib())


def _sent(summary: RunSummary) -> int:
    return summary.notices


def report(
    args: argparse.Namespace,
    steps: list[dict[str, Any]],
    first: RunSummary,
    floor: float,
    sampled: int,
    url: str,
    worker_peak: float,
) -> None:
    by = {s["step"]: s for s in steps}
    run_s = by["full run"]["seconds"]
    run_rate = first.notices / run_s if run_s else 0.0
    ratios = {
        "inventory_import_functions_per_s": by["inventory import"]["rate_per_s"],
        "full_run_notices_per_s": round(run_rate, 1),
        "floor_render_build_per_s": round(floor, 1),
        "full_run_vs_floor": round(run_rate / floor, 3) if floor else None,
        "second_run_vs_first": round(by["second run, same day"]["seconds"] / run_s, 4)
        if run_s
        else None,
        "one_account_dry_run_s": by["dry run, one account"]["seconds"],
        "peak_rss_mib": round(peak_mib(), 1),
        "peak_rss_worker_mib": round(worker_peak, 1),
    }
    print(f"{'step':<24} {'seconds':>9} {'items':>9} {'per s':>10} {'peak MiB':>9}")
    for s in steps:
        print(
            f"{s['step']:<24} {s['seconds']:>9.2f} {s['items']:>9} "
            f"{s['rate_per_s'] or '':>10} {s['peak_rss_mib']:>9}"
        )
    print(f"{'floor: render+build':<24} {'':>9} {sampled:>9} {floor:>10.1f}")
    for key, value in ratios.items():
        print(f"{key:<36} {value}")
    result = {
        "when": datetime.now(UTC).isoformat(),
        "machine": platform.platform(),
        "python": platform.python_version(),
        "accounts": args.accounts,
        "functions": args.functions,
        "seed": args.seed,
        "as_of": args.as_of,
        "database": url.split(":")[0],
        "new_notices": first.notices,
        "steps": steps,
        "ratios": ratios,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--functions", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", default="2026-11-27")
    parser.add_argument("--database-url", help="default: a SQLite file in the work folder")
    parser.add_argument("--floor-sample", type=int, default=5000)
    parser.add_argument("--work", help="folder for the fleet, database and outbox")
    parser.add_argument("--out", default="bench/results/latest.json")
    return parser.parse_args()


if __name__ == "__main__":
    main()
