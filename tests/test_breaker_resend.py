"""The breaker (the same refusal of message after message stops the channel, the rest waits)
and `resend --failed` (failed deliveries sent again, with their original Message-ID)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from notifier import InputError, Notifier
from notifier.channels.base import DeliveryResult
from notifier.core.errors import DeliveryError
from notifier.service.breaker import Breaker
from tests.cli_helpers import Cli
from tests.peers import SesPeer, SmtpPeer
from tests.ses_account import AccountEndpoint
from tests.test_run_fault_trials import fleet
from tests.test_run_faults import DAY

REFUSED_SENDER = "553 5.7.1 <notices@example.com>: Sender address rejected: not owned by user"
POLICY = "550 5.7.1 Relaying denied by policy"
AT = datetime(2026, 11, 27, 12, tzinfo=UTC)


def config(folder: Path, peer: SmtpPeer, *lines: str) -> None:
    """notifier.toml for `peer`; `lines` go in the [delivery] table."""
    text = [
        *("[email]", 'channel = "smtp"', 'sender = "Notices <notices@example.com>"'),
        *("[smtp]", 'host = "127.0.0.1"', f"port = {peer.port}", 'security = "plain"'),
        *("timeout = 5", "[delivery]", "max_attempts = 2", "backoff_base = 0.01"),
        *("backoff_max = 0.02", *lines),
    ]
    (folder / "notifier.toml").write_text("\n".join(text) + "\n")


def email_statuses(cli: Cli, *args: str) -> Counter[str]:
    notices = cli("history", "--json", *args).json()["notices"]
    return Counter(n["channels"]["smtp"] for n in notices)


def library(folder: Path, at: datetime = AT, **overrides: Any) -> Notifier:
    """The library on the fleet's database, its clock on DAY unless told (a resend runs for
    today)."""
    return Notifier(
        folder / "notifier.toml",
        database_url=f"sqlite:///{folder / 'n.db'}",
        sample_data=False,
        workers=1,
        clock=lambda: at,
        **overrides,
    )


def refuse(peer: SmtpPeer, *accounts: int) -> None:
    """The relay refuses every recipient of these accounts, for a reason of policy."""
    addresses = {f"{who}{i}@example.{tld}" for i in accounts for who, tld in _MAILBOXES}
    peer.recorder.rcpt_rule = lambda address: POLICY if address in addresses else None


_MAILBOXES = (("team", "com"), ("ops", "org"))


def test_a_sender_the_relay_refuses_trips_the_breaker_and_leaves_the_rest_pending(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], smtp_peer: SmtpPeer
) -> None:
    smtp_peer.recorder.mail_rule = lambda sender: REFUSED_SENDER
    cli = fleet(tmp_path, capsys, f"sqlite:///{tmp_path / 'n.db'}", 20)
    config(tmp_path, smtp_peer)
    result = cli("run", "--as-of", DAY)
    assert result.code == 2
    [line] = result.err.splitlines()
    assert line.startswith("error: smtp: stopped after 5 messages in a row")
    assert "sender refused: 553 5.7.1" in line and "not owned by user" in line
    assert smtp_peer.recorder.mails == 5  # five tries, not one per notice
    statuses = email_statuses(cli)
    assert set(statuses) == {"pending"} and statuses["pending"] > 20
    assert "0 failed" in result.out and "left for the next run" in result.out


def test_after_the_set_up_is_fixed_the_next_run_sends_everything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], smtp_peer: SmtpPeer
) -> None:
    smtp_peer.recorder.mail_rule = lambda sender: REFUSED_SENDER
    cli = fleet(tmp_path, capsys, f"sqlite:///{tmp_path / 'n.db'}", 10)
    config(tmp_path, smtp_peer)
    stopped = cli("run", "--as-of", DAY, "--json")
    assert stopped.code == 2
    smtp = stopped.json()["channels"]["smtp"]
    assert smtp["failed"] == 0 and smtp["reasons"] == {} and smtp["deferred"] > 10
    assert "smtp: sender refused" in stopped.json()["halted"]
    smtp_peer.recorder.mail_rule = None  # the relay now takes the sender
    fixed = cli("run", "--as-of", DAY, "--json")
    assert fixed.code == 0, fixed.err
    assert fixed.json()["channels"]["smtp"]["delivered"] == smtp["deferred"]
    assert set(email_statuses(cli)) == {"delivered"}
    assert len(smtp_peer.recorder.messages) == smtp["deferred"]


def test_a_different_refusal_in_between_starts_the_count_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], smtp_peer: SmtpPeer
) -> None:
    """Every recipient of every other account refused: never five alike in a row."""
    refuse(smtp_peer, *range(0, 12, 2))
    cli = fleet(tmp_path, capsys, f"sqlite:///{tmp_path / 'n.db'}", 12)
    config(tmp_path, smtp_peer)
    result = cli("run", "--as-of", DAY, "--json")
    assert result.code == 1, result.err
    assert result.json()["halted"] is None
    assert set(email_statuses(cli)) == {"delivered", "failed"}


def test_an_ses_sender_refused_mid_run_trips_the_breaker_until_it_is_verified(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    ses_peer: SesPeer,
    ses_account: AccountEndpoint,
) -> None:
    """The set-up check saw the sender verified (its verification lapsed since, say); SES then
    refuses every message the same way."""
    ses_account.claim_verified = True
    cli = fleet(tmp_path, capsys, f"sqlite:///{tmp_path / 'n.db'}", 8)
    (tmp_path / "notifier.toml").write_text(
        '[email]\nchannel = "ses"\nsender = "notices@example.com"\n[ses]\nregion = "us-east-1"\n'
        f'endpoint_url = "{ses_account.url}"\nmax_send_rate = 500\n'
    )
    stopped = cli("run", "--as-of", DAY, "--json")
    assert stopped.code == 2
    assert "ses: MessageRejected" in stopped.json()["halted"]
    assert stopped.json()["channels"]["ses"]["failed"] == 0
    assert ses_peer.raw_messages() == []
    ses_peer.verify("example.com")
    sent = cli("run", "--as-of", DAY, "--json")
    assert sent.code == 0, sent.err
    assert len(ses_peer.raw_messages()) == stopped.json()["channels"]["ses"]["deferred"]


def test_resend_failed_delivers_with_the_original_message_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], smtp_peer: SmtpPeer
) -> None:
    refuse(smtp_peer, 3)
    cli = fleet(tmp_path, capsys, f"sqlite:///{tmp_path / 'n.db'}", 6)
    config(tmp_path, smtp_peer, "breaker = 0")
    assert cli("run", "--as-of", DAY).code == 1
    failed = cli("history", "--status", "failed", "--json").json()["notices"]
    assert failed and {n["account_id"] for n in failed} == {"500000000003"}
    first = set(smtp_peer.recorder.message_ids())
    smtp_peer.recorder.rcpt_rule = None
    smtp_peer.recorder.messages.clear()
    resent = library(tmp_path).resend_failed()
    assert resent.requeued == len(failed) and resent.exit_code == 0
    assert resent.run.channels["smtp"].delivered == len(failed)
    assert resent.to_json()["run"]["retried_from_earlier_runs"] == len(failed)
    ids = smtp_peer.recorder.message_ids()
    assert len(ids) == len(failed) and not set(ids) & first
    assert all(i.endswith("@notifier.invalid>") for i in ids)
    assert cli("history", "--status", "failed", "--json").json()["notices"] == []


def test_a_resent_notice_keeps_its_message_id_when_the_domain_setting_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], smtp_peer: SmtpPeer
) -> None:
    refuse(smtp_peer, 1)
    fleet(tmp_path, capsys, f"sqlite:///{tmp_path / 'n.db'}", 3)
    config(tmp_path, smtp_peer, "breaker = 0")
    assert library(tmp_path, email={"message_id_domain": "first.example"}).run().exit_code == 1
    smtp_peer.recorder.rcpt_rule = None
    smtp_peer.recorder.messages.clear()
    nt = library(tmp_path, email={"message_id_domain": "second.example"})
    assert nt.resend_failed().exit_code == 0
    ids = smtp_peer.recorder.message_ids()
    assert ids and all(i.endswith("@first.example>") for i in ids)


def test_resend_failed_takes_only_the_accounts_the_day_and_the_channel_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], smtp_peer: SmtpPeer
) -> None:
    refuse(smtp_peer, 1, 2)
    cli = fleet(tmp_path, capsys, f"sqlite:///{tmp_path / 'n.db'}", 4)
    config(tmp_path, smtp_peer, "breaker = 0")
    assert cli("run", "--as-of", DAY).code == 1
    smtp_peer.recorder.rcpt_rule = None
    nt = library(tmp_path)
    assert nt.resend_failed(since=date(2026, 11, 28)).requeued == 0
    assert nt.resend_failed(channel="health").requeued == 0
    with pytest.raises(InputError, match="no channel 'ses' is configured"):
        nt.resend_failed(channel="ses")
    one = nt.resend_failed(accounts=["500000000001"], since=date(2026, 11, 27), channel="smtp")
    assert one.requeued > 0 and one.run.channels["smtp"].delivered == one.requeued
    assert email_statuses(cli, "--account", "500000000001") == Counter(delivered=one.requeued)
    assert set(email_statuses(cli, "--account", "500000000002")) == {"failed"}


def test_resend_failed_from_the_command_line_prints_what_it_requeued_then_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], smtp_peer: SmtpPeer
) -> None:
    refuse(smtp_peer, 2)
    cli = fleet(tmp_path, capsys, f"sqlite:///{tmp_path / 'n.db'}", 3)
    config(tmp_path, smtp_peer, "breaker = 0")
    assert cli("run", "--as-of", DAY).code == 1
    smtp_peer.recorder.rcpt_rule = None
    failed = len(cli("history", "--status", "failed", "--json").json()["notices"])
    assert cli("resend").code == 2  # --failed says which: the only kind there is
    result = cli("resend", "--failed", "--account", "500000000002", "--json")
    assert result.code == 0, result.err
    assert result.json()["requeued"] == failed
    assert result.json()["run"]["channels"]["smtp"]["delivered"] >= failed
    again = cli("resend", "--failed", "--channel", "smtp")
    assert again.code == 0 and again.out.startswith("0 failed deliveries made pending again")
    bad = cli("resend", "--failed", "--channel", "nope")
    assert bad.code == 2 and bad.err.startswith("error: --channel: no channel 'nope'")


def test_history_lists_only_the_notices_with_a_delivery_in_the_status_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], smtp_peer: SmtpPeer
) -> None:
    refuse(smtp_peer, 1)
    cli = fleet(tmp_path, capsys, f"sqlite:///{tmp_path / 'n.db'}", 3)
    config(tmp_path, smtp_peer, "breaker = 0")
    assert cli("run", "--as-of", DAY).code == 1
    everything = cli("history", "--json").json()["notices"]
    failed = cli("history", "--status", "failed", "--json").json()["notices"]
    delivered = cli("history", "--status", "delivered", "--json").json()["notices"]
    assert failed and all(n["channels"]["smtp"] == "failed" for n in failed)
    assert {n["account_id"] for n in failed} == {"500000000001"}
    assert len(delivered) == len(everything)  # the health channel delivered every one
    assert cli("history", "--status", "pending", "--json").json()["notices"] == []
    text = cli("history", "--status", "failed")
    assert text.out.splitlines()[-1] == f"{len(failed)} notices"
    bad = cli("history", "--status", "lost")
    assert bad.code == 2 and bad.err.startswith("error: --status: expected one of pending")
    assert library(tmp_path).history(status="failed").to_json()["notices"] == failed


def test_with_parallel_connections_every_refused_delivery_still_ends_pending(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], smtp_peer: SmtpPeer
) -> None:
    smtp_peer.recorder.mail_rule = lambda sender: REFUSED_SENDER
    cli = fleet(tmp_path, capsys, f"sqlite:///{tmp_path / 'n.db'}", 20)
    config(tmp_path, smtp_peer)
    toml = tmp_path / "notifier.toml"
    toml.write_text(toml.read_text().replace("timeout = 5", "timeout = 5\nconnections = 3"))
    result = cli("run", "--as-of", DAY, "--json")
    assert result.code == 2
    assert smtp_peer.recorder.mails <= 5 + 2  # at most the ones in flight on the others
    assert set(email_statuses(cli)) == {"pending"}
    assert result.json()["channels"]["smtp"]["failed"] == 0


def message_error(reason: str, **more: Any) -> DeliveryError:
    return DeliveryError(reason, retryable=False, **more)


def test_refusals_that_are_a_messages_own_never_trip_the_breaker() -> None:
    breaker = Breaker("smtp", 2)
    unknown = message_error("smtp: every recipient refused: a@x (550)", of_message=True)
    assert [breaker.observe(i, unknown) for i in range(5)] == [None] * 5
    assert breaker.observe(9, DeliveryError("smtp: refused: 451 later", retryable=True)) is None
    assert breaker.take_tripping() == []


def test_the_breaker_trips_on_the_same_kind_of_refusal_and_names_it() -> None:
    breaker = Breaker("smtp", 3)
    relaying = "smtp: every recipient refused: 550 5.7.1 Relaying denied"
    for i, who in enumerate(("a@x", "b@y")):
        assert breaker.observe(i, message_error(f"... {who}", kind=relaying)) is None
    tripped = breaker.observe(2, message_error("... c@z", kind=relaying))
    assert tripped is not None and relaying in tripped.reason
    assert breaker.observe(3, DeliveryResult("250 ok")) is None  # in flight meanwhile
    assert breaker.observe(4, message_error("... d@w", kind=relaying)) is None
    assert [i for i, _ in breaker.take_tripping()] == [0, 1, 2, 4]
    assert breaker.take_tripping() == []


def test_resend_failed_delivers_what_failed_and_plans_nothing_new(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], smtp_peer: SmtpPeer
) -> None:
    """A resend months later sends the failed notices again, not the milestones due since."""
    refuse(smtp_peer, 3)
    cli = fleet(tmp_path, capsys, f"sqlite:///{tmp_path / 'n.db'}", 6)
    config(tmp_path, smtp_peer, "breaker = 0")
    assert cli("run", "--as-of", DAY).code == 1
    before = cli("history", "--json").json()["notices"]
    failed = cli("history", "--status", "failed", "--json").json()["notices"]
    smtp_peer.recorder.rcpt_rule = None
    resent = library(tmp_path, datetime(2027, 6, 1, 12, tzinfo=UTC)).resend_failed()
    assert resent.requeued == len(failed) and resent.run.notices == 0
    assert cli("history", "--json").json()["notices"] == [
        {**n, "channels": {**n["channels"], "smtp": "delivered"}} for n in before
    ]
