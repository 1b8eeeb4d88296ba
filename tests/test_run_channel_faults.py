"""Whole runs against relays that misbehave: a refused login, a stalled relay, one recipient of
two refused, internationalised addresses. What the user sees: exit code, one line, history."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.peers import Logins, Recorder, SilentPeer, SmtpPeer, running
from tests.test_run_fault_trials import fleet, smtp_config, statuses
from tests.test_run_faults import DAY


def config_for(folder: Path, port: int, timeout: int) -> None:
    peer = SmtpPeer(Recorder())
    peer.port = port
    smtp_config(folder, peer, timeout)


def test_a_wrong_smtp_password_is_tried_once_per_run_and_stops_it_before_anything_is_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logins = Logins()
    with running(SmtpPeer(Recorder(), logins=logins)) as peer:
        cli = fleet(tmp_path, capsys, f"sqlite:///{tmp_path / 'n.db'}", 100)
        smtp_config(tmp_path, peer, 5, 'username = "notifier"')
        cli.env["NOTIFIER_SMTP_PASSWORD"] = "wrong"
        for _ in range(3):
            result = cli("run", "--as-of", DAY)
            assert result.code == 2
            assert len(result.err.splitlines()) == 1, result.err
            line = result.err.strip()
            assert line.startswith("error: ") and "smtp.password" in line
            assert "wrong" not in result.err + result.out
        assert logins.attempts == 3  # one per run, not one per message
        assert set(statuses(cli)) == set()  # the set-up check stops each run before any record
        assert peer.recorder.messages == []


def test_a_relay_that_stalls_stops_the_run_quickly_and_the_next_run_delivers_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], smtp_peer: SmtpPeer
) -> None:
    cli = fleet(tmp_path, capsys, f"sqlite:///{tmp_path / 'n.db'}", 100)
    silent = SilentPeer()
    try:
        config_for(tmp_path, silent.port, timeout=1)
        started = time.monotonic()
        stalled = cli("run", "--as-of", DAY, "--json")
        took = time.monotonic() - started
    finally:
        silent.close()
    assert stalled.code == 2, stalled.err
    assert took < 30  # one timeout, in the set-up check
    [line] = stalled.err.splitlines()
    assert "does not answer" in line and "smtp.timeout = 1 s" in line
    assert set(statuses(cli)) == set()  # stopped before anything was recorded
    smtp_config(tmp_path, smtp_peer)
    after = cli("run", "--as-of", DAY)
    assert after.code == 0, after.err
    assert set(statuses(cli)) == {"delivered"}
    assert len(smtp_peer.recorder.messages) == len(cli("history", "--json").json()["notices"])


def test_a_relay_that_stalls_mid_run_is_given_up_quickly_and_the_rest_goes_to_the_next_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The relay passes the set-up check (no message is sent there), then stalls on DATA."""
    cli = fleet(tmp_path, capsys, f"sqlite:///{tmp_path / 'n.db'}", 100)
    with running(SmtpPeer(Recorder(data_stall=5.0))) as stalling:
        smtp_config(tmp_path, stalling, 1)
        started = time.monotonic()
        stalled = cli("run", "--as-of", DAY, "--json")
        took = time.monotonic() - started
    assert stalled.code == 1, stalled.err
    assert took < 30  # about two timeouts, not one per message
    smtp = stalled.json()["channels"]["smtp"]
    assert smtp["delivered"] == 0 and smtp["deferred"] > 0
    with running(SmtpPeer(Recorder())) as healthy:
        smtp_config(tmp_path, healthy)
        after = cli("run", "--as-of", DAY)
        assert after.code == 0, after.err
        assert set(statuses(cli)) == {"delivered"}
        received = set(healthy.recorder.message_ids())
    assert len(received) == len(cli("history", "--json").json()["notices"])


def test_a_recipient_refused_as_unknown_shows_in_history_and_is_suppressed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], smtp_peer: SmtpPeer
) -> None:
    smtp_peer.recorder.rcpt_rule = lambda address: (
        "550 5.1.1 <ops3@example.org>: no such user" if address == "ops3@example.org" else None
    )
    cli = fleet(tmp_path, capsys, f"sqlite:///{tmp_path / 'n.db'}", 5)
    smtp_config(tmp_path, smtp_peer)
    assert cli("run", "--as-of", DAY).code == 0
    history = cli("history", "--account", "500000000003", "--json").json()["notices"]
    assert history
    for notice in history:
        assert notice["channels"]["smtp"] == "delivered"
        [refused] = notice["refused"]["smtp"]
        assert refused["address"] == "ops3@example.org" and "no such user" in refused["reason"]
    others = cli("history", "--account", "500000000001", "--json").json()["notices"]
    assert all(n["refused"] == {} for n in others)
    listed = cli("suppress", "list", "--json").json()
    assert [s["address"] for s in listed["suppressed"]] == ["ops3@example.org"]
    assert "no such user" in listed["suppressed"][0]["reason"]


@pytest.mark.parametrize("smtputf8", [True, False])
def test_internationalised_addresses_are_delivered_and_never_stop_a_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], smtputf8: bool
) -> None:
    with running(SmtpPeer(Recorder(), smtputf8=smtputf8)) as peer:
        cli = fleet(tmp_path, capsys, f"sqlite:///{tmp_path / 'n.db'}", 6)
        accounts = (tmp_path / "accounts.csv").read_text()
        accounts = accounts.replace("team1@example.com", "user@bücher.example")
        accounts = accounts.replace("team2@example.com", "jürgen@example.com")
        (tmp_path / "accounts.csv").write_text(accounts)
        assert cli("accounts", "import", "accounts.csv").code == 0
        smtp_config(tmp_path, peer)
        result = cli("run", "--as-of", DAY, "--json")
        assert "Traceback" not in result.err
        history = {n["account_id"]: n for n in cli("history", "--json").json()["notices"]}
        received = [r for m in peer.recorder.messages for r in m.recipients]
        if smtputf8:
            assert result.code == 0, result.err
            assert "user@bücher.example" in received and "jürgen@example.com" in received
        else:
            assert result.code == 1  # the Unicode local part cannot travel: that notice fails
            assert "user@xn--bcher-kva.example" in received
            assert history["500000000002"]["channels"]["smtp"] == "failed"
        assert history["500000000001"]["channels"]["smtp"] == "delivered"
        rest = [n for a, n in history.items() if a not in ("500000000001", "500000000002")]
        assert rest and all(n["channels"]["smtp"] == "delivered" for n in rest)
