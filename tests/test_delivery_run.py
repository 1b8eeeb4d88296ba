"""`notifier run` through SMTP against a real aiosmtpd server: what the server received is what
the ledger says was delivered; retries, permanent failures, suppression, an outage, kills."""

from __future__ import annotations

import random
import signal
import subprocess
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from notifier.core.domain import NoticeKey, Phase
from notifier.store.stores import SqlStores
from tests.cli_helpers import Cli, dead_owner
from tests.peers import PASSWORD, USER, Certificate, SmtpPeer

DAY = "2026-11-27"


def write_config(folder: Path, peer: SmtpPeer, **smtp: Any) -> None:
    options = {"host": "127.0.0.1", "port": peer.port, "security": "plain", "timeout": 5, **smtp}
    lines = ["[email]", 'channel = "smtp"', "[smtp]"]
    lines += [f"{k} = {v!r}" if isinstance(v, str) else f"{k} = {v}" for k, v in options.items()]
    lines += ["[delivery]", "max_attempts = 3", "backoff_base = 0.01", "backoff_max = 0.05"]
    (folder / "notifier.toml").write_text("\n".join(lines).replace("'", '"') + "\n")


def message_id(notice: dict[str, Any]) -> str:
    m = notice["milestone"]
    key = NoticeKey(notice["account_id"], notice["runtime"], Phase(m["phase"]), m["days_before"])
    return key.message_id("notifier.invalid")


def ledger(cli: Cli) -> dict[str, dict[str, Any]]:
    """The history by Message-ID."""
    return {message_id(n): n for n in cli("history", "--json").json()["notices"]}


def planned_ids(cli: Cli) -> set[str]:
    return {message_id(n) for n in cli("dry-run", "--as-of", DAY, "--json").json()["notices"]}


def test_a_run_through_smtp_delivers_what_the_ledger_records(
    cli: Cli, tmp_path: Path, smtp_peer: SmtpPeer
) -> None:
    write_config(tmp_path, smtp_peer, connections=3)
    result = cli("run", "--as-of", DAY, "--json")
    assert result.code == 0, result.err
    summary = result.json()
    received = smtp_peer.recorder.messages
    by_id = {m.message_id: m for m in received}
    history = ledger(cli)
    assert len(by_id) == len(received) == summary["notices"] == len(history) > 100
    assert set(by_id) == set(history)
    for mid, notice in history.items():
        assert notice["channels"]["smtp"] == "delivered"
        assert sorted(by_id[mid].recipients) == notice["recipients"]
    smtp = summary["channels"]["smtp"]
    assert smtp["delivered"] == len(received) and smtp["failed"] == 0
    assert {"retried", "suppressed", "undeliverable", "seconds", "reasons"} <= set(smtp)
    assert summary["resent_unknown"] == 0
    assert cli("run", "--as-of", DAY).out.startswith(f"run for {DAY}: 0 new notices, 0 retried")
    assert len(smtp_peer.recorder.messages) == len(received)


def test_starttls_and_a_password_from_the_environment_which_is_never_shown_or_stored(
    cli: Cli, tmp_path: Path, tls_smtp_peer: SmtpPeer, certificate: Certificate
) -> None:
    write_config(
        tmp_path,
        tls_smtp_peer,
        host="localhost",
        security="starttls",
        username=USER,
        ca_file=str(certificate.cert),
    )
    cli.env["NOTIFIER_SMTP_PASSWORD"] = PASSWORD
    result = cli("--verbose", "run", "--as-of", DAY)
    assert result.code == 0, result.err
    assert len(tls_smtp_peer.recorder.messages) > 100
    assert PASSWORD not in result.out + result.err
    assert PASSWORD.encode() not in (tmp_path / "notifier.db").read_bytes()


def test_transient_refusals_are_retried_within_the_run(
    cli: Cli, tmp_path: Path, smtp_peer: SmtpPeer
) -> None:
    refused_once: set[str] = set()

    def rule(address: str) -> str | None:
        if address not in refused_once:
            refused_once.add(address)
            return "451 4.7.1 greylisted, try again"
        return None

    smtp_peer.recorder.rcpt_rule = rule
    write_config(tmp_path, smtp_peer)
    result = cli("run", "--as-of", DAY, "--json")
    assert result.code == 0, result.err
    smtp = result.json()["channels"]["smtp"]
    assert smtp["retried"] > 0 and smtp["failed"] == 0
    assert set(ledger(cli)) == {m.message_id for m in smtp_peer.recorder.messages}


def test_a_permanent_refusal_is_reported_with_exit_code_1_and_never_retried(
    cli: Cli, tmp_path: Path, smtp_peer: SmtpPeer
) -> None:
    notices = cli("dry-run", "--as-of", DAY, "--json").json()["notices"]
    bad = set(notices[0]["recipients"])
    doomed = [n for n in notices if set(n["recipients"]) <= bad]
    smtp_peer.recorder.rcpt_rule = lambda a: "550 5.1.1 unknown user" if a in bad else None
    write_config(tmp_path, smtp_peer)
    failed = cli("run", "--as-of", DAY)
    assert failed.code == 1
    assert f"{len(doomed)} failed" in failed.out
    assert f"failed {len(doomed)}x: smtp: every recipient refused: " in failed.out
    assert "(550)" in failed.out
    again = cli("run", "--as-of", DAY, "--json")
    assert again.code == 0 and again.json()["retried_from_earlier_runs"] == 0
    statuses = {mid: n["channels"]["smtp"] for mid, n in ledger(cli).items()}
    assert {statuses[message_id(n)] for n in doomed} == {"failed"}
    assert len(smtp_peer.recorder.messages) == len(notices) - len(doomed)


def test_suppressed_addresses_are_skipped_and_a_notice_left_with_none_is_undeliverable(
    cli: Cli, tmp_path: Path, smtp_peer: SmtpPeer
) -> None:
    write_config(tmp_path, smtp_peer)
    notices = cli("dry-run", "--as-of", DAY, "--json").json()["notices"]
    whole = next(n for n in notices if len(n["recipients"]) == 2)
    for address in whole["recipients"]:
        assert cli("suppress", "add", address.upper(), "--reason", "hard bounce").code == 0
    partly = next(n for n in notices if n["recipients"][0] not in whole["recipients"])
    cli("suppress", "add", partly["recipients"][0])
    result = cli("run", "--as-of", DAY, "--json")
    assert result.code == 0, result.err
    smtp = result.json()["channels"]["smtp"]
    assert smtp["undeliverable"] >= 1 and smtp["suppressed"] >= 3
    blocked = {a.lower() for a in whole["recipients"]} | {partly["recipients"][0]}
    received = smtp_peer.recorder.messages
    assert not blocked & {r for m in received for r in m.recipients}
    assert ledger(cli)[message_id(whole)]["channels"]["smtp"] == "undeliverable"
    assert len(received) == len(notices) - smtp["undeliverable"]


def test_a_server_stopped_mid_run_loses_and_duplicates_nothing(
    cli: Cli, tmp_path: Path, smtp_peer: SmtpPeer
) -> None:
    write_config(tmp_path, smtp_peer, connections=2)
    expected = planned_ids(cli)

    def stop_after(count: int) -> None:
        while len(smtp_peer.recorder.messages) < count:
            time.sleep(0.005)
        smtp_peer.stop()

    stopper = threading.Thread(target=stop_after, args=(60,))
    stopper.start()
    first = cli("run", "--as-of", DAY, "--json")
    stopper.join()
    assert first.code == 1
    smtp = first.json()["channels"]["smtp"]
    assert smtp["delivered"] < len(expected) and smtp["failed"] + smtp["deferred"] > 0
    smtp_peer.start()
    second = cli("run", "--as-of", DAY, "--json")
    assert second.code == 0, second.err
    ids = smtp_peer.recorder.message_ids()
    assert sorted(ids) == sorted(expected), "every notice received exactly once"
    assert {n["channels"]["smtp"] for n in ledger(cli).values()} == {"delivered"}


@pytest.mark.slow
def test_runs_killed_at_random_points_then_rerun_deliver_every_notice(
    cli: Cli, tmp_path: Path, smtp_peer: SmtpPeer
) -> None:
    write_config(tmp_path, smtp_peer, connections=2)
    expected = planned_ids(cli)
    cli("db", "upgrade")
    rng = random.Random(11)
    for _ in range(4):
        process = cli.subprocess(
            "--quiet", "run", "--as-of", DAY, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.8, 3.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
    final = cli("run", "--as-of", DAY, "--json")
    assert final.code == 0, final.err
    ids = Counter(smtp_peer.recorder.message_ids())
    assert set(ids) == expected
    duplicates = sum(n - 1 for n in ids.values())
    assert duplicates <= 4 * 100  # at most one chunk in `sending` per killed run, same Message-ID
    assert {n["channels"]["smtp"] for n in ledger(cli).values()} == {"delivered"}
    assert cli("run", "--as-of", DAY).out.startswith(f"run for {DAY}: 0 new notices, 0 retried")


def test_a_delivery_left_sending_by_a_killed_run_is_sent_again_with_the_same_message_id(
    cli: Cli, tmp_path: Path, smtp_peer: SmtpPeer
) -> None:
    write_config(tmp_path, smtp_peer)
    assert cli("run", "--as-of", DAY).code == 0
    # as a run killed after handing them over: claimed by a process that has ended
    store = SqlStores.open(f"sqlite:///{tmp_path / 'notifier.db'}")
    lease = datetime.now(UTC) + timedelta(minutes=10)
    try:
        with store.engine.begin() as connection:
            connection.exec_driver_sql(
                "UPDATE delivery SET status = 'sending', owner = ?, lease_until = ? WHERE id IN"
                " (SELECT id FROM delivery WHERE channel = 'smtp' ORDER BY id LIMIT 3)",
                (dead_owner(), lease),
            )
    finally:
        store.close()
    again = cli("run", "--as-of", DAY)
    assert again.code == 0, again.err
    assert "3 sent again after an interrupted run (same Message-ID" in again.out
    counts = Counter(smtp_peer.recorder.message_ids())
    assert sorted(counts.values())[-4:] == [1, 2, 2, 2]
    assert {n["channels"]["smtp"] for n in ledger(cli).values()} == {"delivered"}
