"""Worker processes render and build exactly what the calling process would."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from notifier import bootstrap
from notifier.config import Settings
from notifier.core.domain import Phase
from notifier.service import planning
from notifier.service.imports import import_accounts, import_inventory
from tests.rendering_helpers import ACCOUNT, notice
from tests.test_run_faults import write_fleet


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
        import_accounts(store, tmp_path / "accounts.csv")
        import_inventory(store, [tmp_path / "inventory.csv"], cal)
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
