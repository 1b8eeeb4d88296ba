"""Worker processes render and build exactly what the calling process would."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from notifier import bootstrap
from notifier.config import Settings
from notifier.core.domain import Phase
from tests.rendering_helpers import ACCOUNT, notice


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
