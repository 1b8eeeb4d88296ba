"""Worker processes render and build exactly what the calling process would."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from notifier import bootstrap
from notifier.config import Settings
from notifier.core.domain import Notice, Phase
from notifier.service import planning
from notifier.service.compose import Composer, Prepared
from notifier.service.imports import import_accounts, import_inventory
from notifier.service.summary import RunSummary
from tests.cli_helpers import Cli
from tests.rendering_helpers import ACCOUNT, notice
from tests.store_builders import NOW
from tests.test_run_faults import DAY, write_fleet


def fixed_clock() -> datetime:
    return datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def test_worker_processes_build_the_same_messages_as_the_caller() -> None:
    settings = Settings(workers=2)
    accounts = [replace(ACCOUNT, account_id=f"{n:012d}", name=f"Team {n}") for n in range(5)]
    notices = [notice("python3.9", Phase.BLOCK_CREATE, 30, account=a, count=7) for a in accounts]
    notices.append(notice("nodejs18.x", Phase.DEPRECATION, 0, count=60))
    serial = bootstrap.composer(settings, fixed_clock)
    expected = {p.notice.key: serial.email(p).data for p in serial.prepare_all(notices).values()}
    with bootstrap.preparing(settings, fixed_clock) as parallel:
        assert parallel.pool is not None
        parallel.pool.threshold = 1
        built = parallel.prepare_all(notices)
    assert len(built) == 6
    assert all(p.data is not None for p in built.values())
    assert {key: parallel.email(p).data for key, p in built.items()} == expected


class Silent:
    def advance(self, count: int) -> None:
        pass


def test_a_run_over_many_batches_rendered_by_workers_sends_each_due_notice_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_fleet(tmp_path, 120)
    monkeypatch.setattr(planning, "BATCH_ACCOUNTS", 25)  # five batches, each ahead of the last
    outbox = tmp_path / "outbox"
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'n.db'}", outbox_dir=outbox, sample_data=False,
        workers=2,
    )  # fmt: skip
    cal, day = bootstrap.calendar(settings), date(2026, 11, 27)
    with bootstrap.store(settings) as store:
        import_accounts(store.accounts, tmp_path / "accounts.csv", at=NOW)
        import_inventory(store.inventory, [tmp_path / "inventory.csv"], cal)
        inputs = bootstrap.plan_inputs(settings, cal, day)
        planned = [n.key for batch in planning.due_batches(store, inputs) for n in batch]
        with bootstrap.runner(settings, store, cal, day, Silent(), fixed_clock) as runner:
            assert runner.composer.pool is not None
            runner.composer.pool.threshold = 1
            summary = runner.run()

    files = sorted(outbox.rglob("*.eml"))
    assert len(planned) > 300
    assert summary.notices == len(planned) == len(files)
    assert {f"{f.parent.name}/{f.stem}" for f in files} == {
        f"{k.account_id}/{k.token}" for k in planned
    }


@dataclass
class WatchedPool:
    """Stands for the worker processes: renders here, a group of 10 at a time, noting how many
    messages had reached the outbox when each group was asked for; not ready for its first
    `starting` calls to ready()."""

    composer: Composer
    outbox: Path
    starting: int = 0
    threshold: int = 1
    given: list[int] = field(default_factory=list)  # notices handed to it
    seen: list[int] = field(default_factory=list)  # messages in the outbox at each group

    def ready(self) -> bool:
        self.starting -= 1
        return self.starting < 0

    def prepare(self, notices: Sequence[Notice]) -> Iterator[list[Prepared]]:
        self.given.append(len(notices))
        for start in range(0, len(notices), 10):
            self.seen.append(len(list(self.outbox.rglob("*.eml"))))
            yield [self.composer.built(n) for n in notices[start : start + 10]]


def run_with(tmp_path: Path, starting: int) -> tuple[WatchedPool, RunSummary, int]:
    """A run over 40 accounts (160 notices, one batch) with a WatchedPool."""
    write_fleet(tmp_path, 40)
    outbox = tmp_path / "outbox"
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'n.db'}", outbox_dir=outbox, sample_data=False
    )
    cal, day = bootstrap.calendar(settings), date(2026, 11, 27)
    with bootstrap.store(settings) as store:
        import_accounts(store.accounts, tmp_path / "accounts.csv", at=NOW)
        import_inventory(store.inventory, [tmp_path / "inventory.csv"], cal)
        with bootstrap.runner(settings, store, cal, day, Silent(), fixed_clock) as runner:
            pool = WatchedPool(runner.composer, outbox, starting)
            runner.composer = replace(runner.composer, pool=pool)
            summary = runner.run()
    return pool, summary, len(list(outbox.rglob("*.eml")))


def test_a_batch_is_delivered_group_by_group_while_the_rest_is_rendered(tmp_path: Path) -> None:
    pool, summary, sent = run_with(tmp_path, starting=0)
    assert summary.notices == sent == pool.given[0] > 100
    assert pool.seen == [10 * group for group in range(len(pool.seen))]


def test_groups_are_rendered_in_the_run_while_the_workers_start(tmp_path: Path) -> None:
    pool, summary, sent = run_with(tmp_path, starting=3)  # asked at the start, then each group
    assert summary.notices == sent > 100
    assert pool.given == [sent - 2 * 40]  # two groups of 40 done before the workers were ready


def processes() -> dict[int, tuple[int, str, str]]:
    """Every process now: pid -> (parent pid, start time, state), from /proc."""
    found: dict[int, tuple[int, str, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdecimal():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # it ended meanwhile
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after the command name, which has spaces
        found[int(entry.name)] = (int(fields[1]), fields[19], fields[0])
    return found


def descendants(root: int) -> dict[int, str]:
    """The processes below `root` now: pid -> start time (a pid reused later is told apart)."""
    table, found, todo = processes(), dict[int, str](), [root]
    while todo:
        parent = todo.pop()
        for pid, (ppid, started, _) in table.items():
            if ppid == parent and pid not in found:
                found[pid] = started
                todo.append(pid)
    return found


def living(tree: dict[int, str]) -> dict[int, str]:
    """Those of `tree` still running (a zombie has ended)."""
    table = processes()
    return {
        pid: started
        for pid, started in tree.items()
        if pid in table and table[pid][1] == started and table[pid][2] != "Z"
    }


def test_a_run_killed_while_workers_render_leaves_no_process_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_fleet(tmp_path, 1000)  # about 3000 notices: batches of 1500, well over the threshold
    cli = Cli(tmp_path, capsys, {"NOTIFIER_SAMPLE_DATA": "false", "NOTIFIER_WORKERS": "2"})
    assert cli("accounts", "import", "accounts.csv").code == 0
    assert cli("inventory", "import", "inventory.csv").code == 0
    run = cli.subprocess(
        "--quiet", "run", "--as-of", DAY, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    tree: dict[int, str] = {}
    try:
        deadline = time.monotonic() + 120
        while len(tree) < 3 and run.poll() is None and time.monotonic() < deadline:
            tree |= descendants(run.pid)  # the two workers and the resource tracker, at least
            time.sleep(0.02)
        assert len(tree) >= 3, f"the run ended before its workers were seen: {tree}"
        tree |= descendants(run.pid)
        run.send_signal(signal.SIGKILL)
        run.wait()
        deadline = time.monotonic() + 15
        while living(tree) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert living(tree) == {}
    finally:
        run.kill()
        run.wait()
        for pid in living(tree):
            os.kill(pid, signal.SIGKILL)
