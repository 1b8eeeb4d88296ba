"""End to end over SMTP: `notifier run` next to the floor, the same notices, the same sink.

    python bench/smtp_end_to_end.py --notices 2000 --seed 1 --out bench/results/smtp_e2e.json

Builds a fleet whose plan on --as-of is exactly --notices notices (one account each, one due
runtime, 1 to 40 functions; seeded), imports it into a SQLite file, and starts an aiosmtpd sink
in its own process (accepts and discards). Then, in one run of this script:

- the floor: one plain loop in this process that renders each notice (notifier's renderer),
  builds its message (notifier's builder) and sends it over one smtplib connection;
- `notifier run` over SMTP to the same sink, a real process on a fresh copy of the database,
  health events off (the same work as the floor) and, for reference, on (the default).

Each figure is notices/s over wall-clock time (the run's includes starting the process and its
workers); the ratios are run/floor; "1st msg s" is the time from starting `notifier run` to the
first message at the sink. With --baseline DIR, one more run uses the `notifier` package in DIR
(say, `git archive main notifier data templates` unpacked there): before and after, in one run.
Prints a table and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from fleet import DOMAINS, INVENTORY_HEADER, REGION_MIX, TEAMS  # noqa: E402

from notifier import bootstrap  # noqa: E402
from notifier.channels.smtp_message import _crlf  # noqa: E402
from notifier.config import Settings  # noqa: E402
from notifier.core.domain import Notice  # noqa: E402
from notifier.service import imports  # noqa: E402
from notifier.service.planning import active_runtimes  # noqa: E402
from notifier.service.queries import dry_run  # noqa: E402

# Accepts and discards; on each line read it prints when the first and last message since the
# line before arrived (time.time()) and how many did, then starts counting again.
SINK = """
import json, sys, time
from aiosmtpd.controller import Controller
seen = []
class Sink:
    async def handle_DATA(self, server, session, envelope):
        seen.append(time.time())
        return "250 OK"
Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1])).start()
print("ready", flush=True)
for line in sys.stdin:
    got, seen[:] = list(seen), []
    times = {"first": min(got, default=0), "last": max(got, default=0), "count": len(got)}
    print(json.dumps(times), flush=True)
"""


def write_fleet(folder: Path, notices: int, runtimes: list[str], seed: int) -> tuple[Path, Path]:
    """One account per notice, each with one due runtime and 1 to 40 functions over regions."""
    rng = random.Random(seed)
    ids = [f"{n:012d}" for n in rng.sample(range(10**12), notices)]
    regions = [r for r, _ in REGION_MIX]
    accounts = ["account_id,name,primary_email,operations_email,security_email,billing_email"]
    lines = [",".join(INVENTORY_HEADER)]
    for number, account_id in enumerate(ids):
        team, domain = TEAMS[number % len(TEAMS)], DOMAINS[number % len(DOMAINS)]
        slug = f"{team.lower()}-{number}"
        contacts = f"aws-{slug}@{domain},oncall-{slug}@{domain},,"
        accounts.append(f"{account_id},{team} {number},{contacts}")
        runtime = rng.choice(runtimes)
        for f in range(rng.randint(1, 40)):
            region = rng.choice(regions)
            day = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00.000+0000"
            lines.append(f"{account_id},{region},{slug}-fn-{f:02d},{runtime},Zip,{day}")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "accounts.csv").write_text("\n".join(accounts) + "\n")
    (folder / "inventory.csv").write_text("\n".join(lines) + "\n")
    return folder / "accounts.csv", folder / "inventory.csv"


def build_database(work: Path, count: int, as_of: date, seed: int) -> tuple[Path, list[Notice]]:
    """The database holding the fleet, and the notices a run on `as_of` sends (a dry run)."""
    db = work / "template.db"
    settings = Settings(database_url=f"sqlite:///{db}", sample_data=False)
    cal = bootstrap.calendar(settings)
    inputs = bootstrap.plan_inputs(settings, cal, as_of)
    accounts_csv, inventory_csv = write_fleet(work / "fleet", count, active_runtimes(inputs), seed)
    with bootstrap.store(settings) as store:
        imports.import_accounts(store.accounts, accounts_csv, at=bootstrap.utc_now())
        imports.import_inventory(store.inventory, [inventory_csv], cal)
        notices = [p.notice for p in dry_run(store, inputs, bootstrap.composer(settings))]
    if len(notices) != count:
        raise SystemExit(f"the fleet plans {len(notices)} notices, not {count}")
    return db, notices


def floor(notices: list[Notice], port: int) -> float:
    """Render, build and send each notice in one loop over one smtplib connection: seconds."""
    composer = bootstrap.composer(Settings(sample_data=False))
    sender = "notices@example.com"
    started = time.perf_counter()
    connection = smtplib.SMTP("127.0.0.1", port, timeout=30)
    assert connection.sock is not None
    connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for notice in notices:
        email = composer.email(composer.prepare(notice))
        connection.sendmail(sender, list(email.recipients), _crlf(email.data))
    connection.quit()
    return time.perf_counter() - started


class Sink:
    """The aiosmtpd sink in its own process (so it does not share this one's GIL)."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-c", SINK, str(self.port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None and self.process.stdin is not None
        self.stdin, self.stdout = self.process.stdin, self.process.stdout
        assert self.stdout.readline().strip() == "ready"

    def arrivals(self) -> dict[str, float]:
        """When the first and last message since the last call arrived, and how many did."""
        self.stdin.write("\n")
        self.stdin.flush()
        return dict(json.loads(self.stdout.readline()))

    def close(self) -> None:
        self.stdin.close()
        self.process.wait(timeout=10)


def notifier_run(
    work: Path, template: Path, sink: Sink, as_of: date, extra: str, code: str | None = None
) -> dict[str, Any]:
    """`notifier run` as its own process on a fresh copy of the database: wall seconds, summary.
    `code`: a folder holding another `notifier` package to run instead (a baseline)."""
    db = work / "run.db"
    shutil.copyfile(template, db)
    config = work / "notifier.toml"
    config.write_text(
        f'database_url = "sqlite:///{db}"\nsample_data = false\n'
        f'[email]\nchannel = "smtp"\n[smtp]\nhost = "127.0.0.1"\nport = {sink.port}\n'
        f'security = "plain"\n{extra}'
    )
    command = [str(Path(sys.executable).parent / "notifier"), "-c", str(config), "-q", "run"]
    command += ["--as-of", as_of.isoformat(), "--json"]
    started, wall = time.perf_counter(), time.time()
    env = {**os.environ, **({"PYTHONPATH": code} if code else {})}
    done = subprocess.run(command, capture_output=True, text=True, cwd=work, env=env)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"notifier run failed ({done.returncode}): {done.stderr[-2000:]}")
    first = sink.arrivals()["first"] - wall
    return {"seconds": seconds, "first_message_s": first, "summary": json.loads(done.stdout)}


def measure(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    as_of = date.fromisoformat(args.as_of)
    template, notices = build_database(work, args.notices, as_of, args.seed)
    sink = Sink()
    try:
        floor_s = floor(notices, sink.port)
        sink.arrivals()
        runs = {
            f"notifier run, {connections} connection(s), health {'on' if health else 'off'}": (
                notifier_run(work, template, sink, as_of, _extra(health, connections))
            )
            for connections in args.connections
            for health in (False, True)
        }
        if args.baseline:
            extra = _extra(False, args.connections[0])
            runs[f"baseline ({args.baseline}), {args.connections[0]} connection(s), health off"] = (
                notifier_run(work, template, sink, as_of, extra, args.baseline)
            )
    finally:
        sink.close()
    return report(args, notices, floor_s, runs)


def _extra(health: bool, connections: int) -> str:
    """The rest of the [smtp] table, then [health]."""
    return f"connections = {connections}\n[health]\nenabled = {str(health).lower()}\n"


def report(
    args: argparse.Namespace,
    notices: list[Notice],
    floor_s: float,
    runs: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    count = len(notices)
    functions = sum(len(n.functions) for n in notices)
    floor_rate = count / floor_s
    rows: list[dict[str, Any]] = [
        {"what": "floor: render + build + smtplib, one loop", "seconds": floor_s, "first": None}
    ]
    for name, run in runs.items():
        sent = run["summary"]["channels"]["smtp"]["delivered"]
        if sent != count:
            raise SystemExit(f"{name}: {sent} delivered, not {count}")
        rows.append({"what": name, "seconds": run["seconds"], "first": run["first_message_s"]})
    print(f"{count} notices, {functions} functions, SMTP sink in its own process")
    print(f"{'what':<58} {'seconds':>8} {'notices/s':>10} {'x floor':>8} {'1st msg s':>9}")
    for row in rows:
        row["notices_per_s"] = round(count / row["seconds"], 1)
        row["vs_floor"] = round(floor_s / row["seconds"], 3)
        first = "" if row["first"] is None else f"{row['first']:.2f}"
        print(
            f"{row['what']:<58} {row['seconds']:>8.2f} {row['notices_per_s']:>10.0f} "
            f"{row['vs_floor']:>8.2f} {first:>9}"
        )
    return {
        "notices": count,
        "functions": functions,
        "seed": args.seed,
        "as_of": args.as_of,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "floor_notices_per_s": round(floor_rate, 1),
        "rows": rows,
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notices", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", default="2026-11-27")
    parser.add_argument(
        "--connections", type=int, nargs="+", default=[1, 2], help="smtp.connections to try"
    )
    parser.add_argument(
        "--baseline", help="a folder with another notifier package (say, `git archive` of main)"
    )
    parser.add_argument("--work", help="folder for the fleet and databases (default: temporary)")
    parser.add_argument("--out", default="bench/results/smtp_e2e.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="notifier-e2e-") as folder:
        result = measure(args, Path(args.work or folder))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
