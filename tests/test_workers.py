"""Many workers: `run --plan-only` records, `notifier worker` delivers (SQLite, PostgreSQL): every
notice exactly once, and after a kill every notice still, any duplicate with its Message-ID."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import date
from pathlib import Path

import pytest

from notifier import Notifier
from tests.cli_helpers import Cli
from tests.conftest import fresh_postgres_schema, postgres_url_or_skip
from tests.peers import SmtpPeer
from tests.test_run_fault_trials import _wait_for, fleet, smtp_config, statuses
from tests.test_run_faults import DAY

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        with nullcontext(f"sqlite:///{folder / 'notifier.db'}") as url:
            yield url
        return
    with fresh_postgres_schema(postgres_url_or_skip()) as url:
        yield url


def planned(cli: Cli) -> int:
    """Plan and record the day with `run --plan-only`; the count of notices recorded."""
    result = cli("run", "--plan-only", "--as-of", DAY, "--json")
    assert result.code == 0, result.err
    summary = result.json()
    assert summary["channels"]["smtp"]["delivered"] == 0
    return int(summary["notices"])


def delivered_once_each(cli: Cli, peer: SmtpPeer) -> Counter[str]:
    """Every notice delivered, each Message-ID received at least once; the counts."""
    ids = Counter(peer.recorder.message_ids())
    assert set(statuses(cli)) == {"delivered"}
    assert len(ids) == len(cli("history", "--json").json()["notices"])
    return ids


def workers(cli: Cli, count: int) -> list[subprocess.Popen[str]]:
    return [
        cli.subprocess(
            "--quiet", "worker", "--as-of", DAY, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        for _ in range(count)
    ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_plan_only_run_sends_nothing_then_a_worker_delivers_every_notice_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], smtp_peer: SmtpPeer, backend: str
) -> None:
    with database(backend, tmp_path) as url:
        cli = fleet(tmp_path, capsys, url, 20)
        smtp_config(tmp_path, smtp_peer)
        notices = planned(cli)
        assert notices > 0 and smtp_peer.recorder.messages == []
        assert set(statuses(cli)) == {"pending"}
        work = cli("worker", "--once", "--as-of", DAY, "--json")
        assert work.code == 0, work.err
        assert work.json()["channels"]["smtp"]["delivered"] == notices
        assert max(delivered_once_each(cli, smtp_peer).values()) == 1
        again = cli("worker", "--once", "--as-of", DAY, "--json").json()
        assert again["channels"]["smtp"]["delivered"] == 0


def test_a_plan_only_run_from_python_counts_what_it_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], smtp_peer: SmtpPeer
) -> None:
    fleet(tmp_path, capsys, f"sqlite:///{tmp_path / 'n.db'}", 5)
    smtp_config(tmp_path, smtp_peer)
    nt = Notifier(tmp_path / "notifier.toml", database_url=f"sqlite:///{tmp_path / 'n.db'}")
    summary = nt.run(date.fromisoformat(DAY), plan_only=True)
    assert summary.notices > 0 and summary.channels["smtp"].delivered == 0
    assert (
        nt.work(date.fromisoformat(DAY), channel="smtp").channels["smtp"].delivered
        == summary.notices
    )


def test_a_worker_for_a_channel_not_configured_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], smtp_peer: SmtpPeer
) -> None:
    cli = fleet(tmp_path, capsys, f"sqlite:///{tmp_path / 'n.db'}", 2)
    smtp_config(tmp_path, smtp_peer)
    refused = cli("worker", "--once", "--channel", "fax")
    assert refused.code == 2
    assert refused.err.startswith("error: --channel: no channel 'fax' is configured")


def test_a_polling_worker_stops_on_sigterm_after_its_chunk_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], smtp_peer: SmtpPeer
) -> None:
    cli = fleet(tmp_path, capsys, f"sqlite:///{tmp_path / 'n.db'}", 10)
    smtp_config(tmp_path, smtp_peer)
    planned(cli)
    gate = smtp_peer.recorder.gate = threading.Event()  # the relay holds the first message
    (worker,) = workers(cli, 1)
    _wait_for(smtp_peer.recorder.held.is_set, 120)
    worker.send_signal(signal.SIGTERM)
    gate.set()
    err = worker.communicate(timeout=120)[1]
    assert worker.returncode == 0, err
    assert "sending" not in statuses(cli)  # the chunk under way was finished and settled
    assert cli("worker", "--once", "--as-of", DAY).code == 0
    assert max(delivered_once_each(cli, smtp_peer).values()) == 1


@pytest.mark.postgres
def test_two_workers_on_postgres_deliver_every_notice_exactly_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], smtp_peer: SmtpPeer
) -> None:
    with fresh_postgres_schema(postgres_url_or_skip()) as url:
        cli = fleet(tmp_path, capsys, url, 150)
        smtp_config(tmp_path, smtp_peer)
        notices = planned(cli)
        both = [
            cli.subprocess(
                "worker",
                "--once",
                "--as-of",
                DAY,
                "--json",
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for _ in range(2)
        ]
        results = [(p.communicate(timeout=300), p.returncode) for p in both]
        for (_, err), code in results:
            assert code == 0, err
        ids = delivered_once_each(cli, smtp_peer)
        assert max(ids.values()) == 1 and len(ids) == notices


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_worker_killed_mid_chunk_leaves_every_notice_delivered_after_a_restart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], smtp_peer: SmtpPeer, backend: str
) -> None:
    with database(backend, tmp_path) as url:
        cli = fleet(tmp_path, capsys, url, 60)
        smtp_config(tmp_path, smtp_peer)
        planned(cli)
        stop_at = 40  # the relay holds the 40th message: the worker is mid-chunk
        gate = threading.Event()
        gate.set()
        smtp_peer.recorder.gate = gate
        smtp_peer.recorder.on_message = _close_gate_at(gate, stop_at - 1)
        (worker,) = workers(cli, 1)
        _wait_for(lambda: smtp_peer.recorder.held.is_set() and not gate.is_set(), 120)
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
        gate.set()
        restarted = cli("worker", "--once", "--as-of", DAY, "--json")
        assert restarted.code == 0, restarted.err
        assert restarted.json()["resent_unknown"] > 0  # its claims were taken back at once
        ids = delivered_once_each(cli, smtp_peer)
        # at most the chunk it held (claimed, handed over, not yet settled), with the same IDs
        assert 0 < sum(ids.values()) - len(ids) <= 100


def _close_gate_at(gate: threading.Event, count: int):  # type: ignore[no-untyped-def]
    def seen(number: int) -> None:
        if number == count:  # once: the restarted worker goes through
            gate.clear()

    return seen


@pytest.mark.postgres
def test_four_workers_on_postgres_two_killed_mid_chunk_deliver_every_notice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], smtp_peer: SmtpPeer
) -> None:
    with fresh_postgres_schema(postgres_url_or_skip()) as url:
        cli = fleet(tmp_path, capsys, url, 150)
        smtp_config(tmp_path, smtp_peer)
        notices = planned(cli)
        fleet_of = workers(cli, 4)
        victims = {60: fleet_of[0], 180: fleet_of[1]}

        def kill_at(number: int) -> None:
            if number in victims:
                os.kill(victims[number].pid, signal.SIGKILL)

        smtp_peer.recorder.on_message = kill_at
        _wait_for(lambda: all(v.poll() is not None for v in victims.values()), 240)
        _wait_for(lambda: "pending" not in statuses(cli) and _settled(cli, notices), 240)
        for survivor in fleet_of[2:]:
            survivor.send_signal(signal.SIGTERM)
            assert survivor.wait(120) == 0
        restarted = cli("worker", "--once", "--as-of", DAY)
        assert restarted.code == 0, restarted.err
        ids = delivered_once_each(cli, smtp_peer)
        assert len(ids) == notices
        assert sum(ids.values()) - len(ids) <= 2 * 100  # at most a chunk per kill, same IDs


def _settled(cli: Cli, notices: int) -> bool:
    """The survivors delivered all but what the killed workers hold (still `sending`)."""
    found = statuses(cli)
    return found["delivered"] + found["sending"] >= notices
