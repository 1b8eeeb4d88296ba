"""Fault trial: a run over SMTP killed with SIGKILL at random moments, then finished by a last
run. Counts what the relay received: notices lost (planned but never received) and duplicates
(a Message-ID received more than once: only messages in flight at a kill may repeat).

    python bench/kill_trial.py --accounts 500 --kills 10 [--database-url postgresql+psycopg://...]

A recording aiosmtpd relay runs in this process on 127.0.0.1; each run is a real `notifier`
process. Prints one JSON object; exits 1 if anything was lost or a duplicate exceeded a chunk.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.peers import Recorder, SmtpPeer, running  # noqa: E402
from tests.test_run_faults import DAY, write_fleet  # noqa: E402

CHUNK = 100


def kill_at(target: int, process: subprocess.Popen[str], count: int) -> None:
    """The relay's hook: SIGKILL the run once `target` messages have arrived in all."""
    if count == target:
        process.send_signal(signal.SIGKILL)


def notifier(folder: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-c", "from notifier.cli.main import entry; entry()", *args]
    return subprocess.Popen(
        command, cwd=folder, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def finished(folder: Path, env: dict[str, str], *args: str) -> str:
    return notifier(folder, env, *args).communicate(timeout=600)[0]


def trial(folder: Path, accounts: int, kills: int, url: str | None, seed: int) -> dict[str, Any]:
    write_fleet(folder, accounts)
    env = {**os.environ, "NOTIFIER_SAMPLE_DATA": "false"}
    if url:
        env["NOTIFIER_DATABASE_URL"] = url
    with running(SmtpPeer(Recorder())) as peer:
        config = f'[email]\nchannel = "smtp"\n[smtp]\nhost = "127.0.0.1"\nport = {peer.port}\n'
        (folder / "notifier.toml").write_text(config + 'security = "plain"\n')
        finished(folder, env, "accounts", "import", "accounts.csv")
        finished(folder, env, "inventory", "import", "inventory.csv")
        planned = json.loads(finished(folder, env, "dry-run", "--as-of", DAY, "--json"))
        rng, killed_at = random.Random(seed), []
        for _ in range(kills):
            before = len(peer.recorder.messages)
            target = before + rng.randint(1, 300)  # a kill in the middle of delivering
            process = notifier(folder, env, "--quiet", "run", "--as-of", DAY)
            peer.recorder.on_message = partial(kill_at, target, process)
            process.wait()
            peer.recorder.on_message = None
            killed_at.append(len(peer.recorder.messages) - before)
        last = notifier(folder, env, "--quiet", "run", "--as-of", DAY, "--json").communicate()[0]
        ids = Counter(peer.recorder.message_ids())
    return summary(planned["notices"], ids, killed_at, json.loads(last))


def summary(
    planned: list[Any], ids: Counter[str], killed_at: list[int], last: Any
) -> dict[str, Any]:
    duplicates = sum(n - 1 for n in ids.values())
    return {
        "notices_planned": len(planned),
        "distinct_message_ids_received": len(ids),
        "lost": len(planned) - len(ids),
        "duplicates": duplicates,
        "messages_each_killed_run_handed_over": killed_at,
        "resent_after_kills_by_the_last_run": last["resent_unknown"],
        "duplicates_within_one_chunk_per_kill": duplicates <= CHUNK * len(killed_at),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--database-url")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="notifier-kills-") as folder:
        result = trial(Path(folder), args.accounts, args.kills, args.database_url, args.seed)
    print(json.dumps(result, indent=2))
    return 0 if result["lost"] == 0 and result["duplicates_within_one_chunk_per_kill"] else 1


if __name__ == "__main__":
    sys.exit(main())
