"""Many workers on PostgreSQL: does a second `notifier worker` double delivery, and do four
workers keep to a shared send rate?

    python bench/workers.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        --notices 600 --rate 20 --rate-notices 300 --out bench/results/workers.json

A delivery-bound load: a recording aiosmtpd relay in this process (a thread) that waits 20 ms
(--relay-ms) before answering each DATA, like a real relay. Each phase gets a fresh PostgreSQL
schema holding the same generated fleet (one account per notice, one due runtime; seeded;
`bench/smtp_end_to_end.py`'s generator), imported by notifier, then `notifier run --plan-only`
records the notices once, then the phase's `notifier worker --once` processes start together
(real processes, one SMTP connection each, health events off) and are timed until the last exits:

- 1 worker, then 2 workers in parallel: delivered/s over wall-clock time and their ratio
  (target: 2 workers / 1 worker at least 1.6);
- 4 workers sharing `smtp.max_send_rate = R`: the rate the relay saw, from the first message to
  the last, over R (target: within 2%).

Every phase checks that each notice reached the relay exactly once (distinct Message-IDs).
Prints a table and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from smtp_end_to_end import write_fleet  # noqa: E402

from notifier import bootstrap  # noqa: E402
from notifier.config import Settings  # noqa: E402
from notifier.service.planning import active_runtimes  # noqa: E402
from tests.conftest import fresh_postgres_schema  # noqa: E402
from tests.peers import Recorder, SmtpPeer, running  # noqa: E402


class Relay:
    """The recording relay and when (time.time()) each message arrived."""

    def __init__(self, peer: SmtpPeer) -> None:
        self.peer, self.arrived = peer, list[float]()
        self._lock = threading.Lock()
        peer.recorder.on_message = self._arrived

    def _arrived(self, count: int) -> None:
        with self._lock:
            self.arrived.append(time.time())

    def take(self) -> tuple[Counter[str], list[float]]:
        """The Message-IDs received since the last call (with counts) and their arrival times."""
        recorder = self.peer.recorder
        ids = Counter(recorder.message_ids())
        with recorder.lock, self._lock:
            recorder.messages.clear()
            times, self.arrived = self.arrived, []
        return ids, times


def notifier(folder: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-c", "from notifier.cli.main import entry; entry()", *args]
    return subprocess.Popen(
        command, cwd=folder, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def finished(folder: Path, env: dict[str, str], *args: str) -> str:
    process = notifier(folder, env, *args)
    out, err = process.communicate(timeout=600)
    if process.returncode != 0:
        raise SystemExit(f"notifier {' '.join(args)} failed ({process.returncode}): {err[-2000:]}")
    return out


def configure(folder: Path, port: int, rate: float | None) -> None:
    limit = f"max_send_rate = {rate}\n" if rate else ""
    (folder / "notifier.toml").write_text(
        f'[email]\nchannel = "smtp"\n[smtp]\nhost = "127.0.0.1"\nport = {port}\n'
        f'security = "plain"\nconnections = 1\n{limit}[health]\nenabled = false\n'
    )


def phase(
    args: argparse.Namespace, folder: Path, relay: Relay, workers: int, rate: float | None
) -> dict[str, Any]:
    """A fresh schema, the fleet imported, one plan-only run, then `workers` workers timed."""
    notices = args.rate_notices if rate else args.notices
    fleet = folder / f"fleet-{notices}"
    with fresh_postgres_schema(args.database_url) as url:
        env = {**os.environ, "NOTIFIER_SAMPLE_DATA": "false", "NOTIFIER_DATABASE_URL": url}
        configure(folder, relay.peer.port, rate)
        finished(folder, env, "accounts", "import", str(fleet / "accounts.csv"))
        finished(folder, env, "inventory", "import", str(fleet / "inventory.csv"))
        plan = json.loads(
            finished(folder, env, "run", "--plan-only", "--as-of", args.as_of, "--json")
        )
        if plan["notices"] != notices:
            raise SystemExit(f"the plan-only run recorded {plan['notices']} notices, not {notices}")
        started, wall = time.perf_counter(), time.time()
        command = ("-q", "worker", "--once", "--as-of", args.as_of, "--json")
        processes = [notifier(folder, env, *command) for _ in range(workers)]
        outputs = [p.communicate(timeout=1800) for p in processes]
        seconds = time.perf_counter() - started
    for process, (_, err) in zip(processes, outputs, strict=True):
        if process.returncode != 0:
            raise SystemExit(f"a worker failed ({process.returncode}): {err[-2000:]}")
    delivered = [json.loads(out)["channels"]["smtp"]["delivered"] for out, _ in outputs]
    ids, times = relay.take()
    return measured(notices, workers, rate, seconds, wall, delivered, ids, times)


def measured(
    notices: int,
    workers: int,
    rate: float | None,
    seconds: float,
    wall: float,
    delivered: list[int],
    ids: Counter[str],
    times: list[float],
) -> dict[str, Any]:
    exactly_once = len(ids) == notices and max(ids.values(), default=0) == 1
    if not exactly_once or sum(delivered) != notices:
        raise SystemExit(
            f"{workers} worker(s): {len(ids)} distinct Message-IDs, most repeated "
            f"{max(ids.values(), default=0)}x, workers delivered {delivered}, of {notices}"
        )
    span = max(times) - min(times)
    return {
        "workers": workers,
        "max_send_rate": rate,
        "notices": notices,
        "seconds": round(seconds, 2),
        "delivered_per_s": round(notices / seconds, 2),
        "relay_rate_first_to_last": round((len(times) - 1) / span, 3) if span else None,
        "first_message_s": round(min(times) - wall, 2),
        "delivered_by_each_worker": delivered,
        "distinct_message_ids": len(ids),
        "exactly_once": exactly_once,
    }


def write_fleets(args: argparse.Namespace, folder: Path) -> None:
    settings = Settings(sample_data=False)
    cal = bootstrap.calendar(settings)
    runtimes = active_runtimes(bootstrap.plan_inputs(settings, cal, date.fromisoformat(args.as_of)))
    for count in {args.notices, args.rate_notices}:
        write_fleet(folder / f"fleet-{count}", count, runtimes, args.seed)


def measure(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    write_fleets(args, folder)
    with running(SmtpPeer(Recorder(data_stall=args.relay_ms / 1000))) as peer:
        relay = Relay(peer)
        one = phase(args, folder, relay, 1, None)
        two = phase(args, folder, relay, 2, None)
        shared = phase(args, folder, relay, args.rate_workers, args.rate)
    return report(args, [one, two, shared])


def report(args: argparse.Namespace, rows: list[dict[str, Any]]) -> dict[str, Any]:
    one, two, shared = rows
    scaling = two["delivered_per_s"] / one["delivered_per_s"]
    kept = shared["relay_rate_first_to_last"] / args.rate
    print(f"PostgreSQL, relay waits {args.relay_ms} ms per DATA, one connection per worker")
    print(
        f"{'workers':>7} {'max rate':>8} {'notices':>7} {'seconds':>8} {'delivered/s':>11} "
        f"{'relay msg/s':>11} {'1st msg s':>9} {'each worker':>16}"
    )
    for row in rows:
        limit = row["max_send_rate"] or ""
        print(
            f"{row['workers']:>7} {limit:>8} {row['notices']:>7} {row['seconds']:>8.2f} "
            f"{row['delivered_per_s']:>11.1f} {row['relay_rate_first_to_last']:>11.2f} "
            f"{row['first_message_s']:>9.2f} {row['delivered_by_each_worker']!s:>16}"
        )
    print(f"2 workers / 1 worker: {scaling:.3f} (target >= 1.6)")
    print(
        f"{args.rate_workers} workers at max_send_rate {args.rate}: relay rate / R = "
        f"{kept:.4f} (target within 0.02 of 1)"
    )
    return {
        "database": "postgresql",
        "relay_ms": args.relay_ms,
        "seed": args.seed,
        "as_of": args.as_of,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "rows": rows,
        "two_vs_one_worker": round(scaling, 3),
        "two_vs_one_target_met": scaling >= 1.6,
        "shared_rate_vs_max_send_rate": round(kept, 4),
        "shared_rate_target_met": abs(kept - 1) <= 0.02,
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL; a schema per phase")
    parser.add_argument("--notices", type=int, default=600, help="for the 1- and 2-worker phases")
    parser.add_argument("--rate", type=float, default=20.0, help="smtp.max_send_rate (R)")
    parser.add_argument("--rate-workers", type=int, default=4)
    parser.add_argument("--rate-notices", type=int, default=300, help="for the shared-rate phase")
    parser.add_argument("--relay-ms", type=float, default=20.0, help="the relay's wait per DATA")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", default="2026-11-27")
    parser.add_argument("--out", default="bench/results/workers.json")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="notifier-workers-") as folder:
        result = measure(args, Path(folder))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
