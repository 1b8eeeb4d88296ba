"""`notifier check` and the same check at the start of every run, against real peers: aiosmtpd
relays, moto's SES (GetAccount from a small endpoint in front of it) and EventBridge, a folder."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from notifier import ChannelDown, Notifier
from tests.cli_helpers import Cli
from tests.peers import (
    PASSWORD,
    USER,
    Certificate,
    Logins,
    Recorder,
    SesPeer,
    SmtpPeer,
    free_port,
    running,
)
from tests.ses_account import AccountEndpoint

DAY = "2026-11-27"


def write(cli: Cli, *lines: str) -> None:
    database = f'database_url = "sqlite:///{cli.folder / "n.db"}"'
    (cli.folder / "notifier.toml").write_text("\n".join([database, *lines]) + "\n")


def smtp(cli: Cli, port: int, security: str = "plain", *more: str) -> None:
    write(cli, "[email]", 'channel = "smtp"', "[smtp]", 'host = "127.0.0.1"', f"port = {port}",
          f'security = "{security}"', "timeout = 2", *more)  # fmt: skip


def ses(cli: Cli, url: str, sender: str = "notices@example.com") -> None:
    write(cli, "[email]", 'channel = "ses"', f'sender = "{sender}"', "[ses]",
          'region = "us-east-1"', f'endpoint_url = "{url}"', "max_send_rate = 1000")  # fmt: skip


def one_error(cli: Cli, *args: str) -> str:
    result = cli(*args)
    assert result.code == 2, result.out + result.err
    [line] = result.err.splitlines()
    assert line.startswith("error: ")
    return line


def test_a_good_relay_is_checked_once_and_nothing_is_written(cli: Cli, smtp_peer: SmtpPeer) -> None:
    smtp(cli, smtp_peer.port)
    result = cli("check")
    assert result.code == 0, result.err
    assert result.out == f"smtp: 127.0.0.1:{smtp_peer.port} answers, no TLS, no login\n"
    assert not (cli.folder / "n.db").exists() and smtp_peer.recorder.messages == []


def test_starttls_with_a_trusted_certificate_and_a_login_is_checked(
    cli: Cli, tls_smtp_peer: SmtpPeer, certificate: Certificate
) -> None:
    smtp(cli, tls_smtp_peer.port, "starttls", f'username = "{USER}"', f'password = "{PASSWORD}"',
         f'ca_file = "{certificate.cert}"')  # fmt: skip
    (cli.folder / "notifier.toml").write_text(
        (cli.folder / "notifier.toml").read_text().replace("127.0.0.1", "localhost")
    )
    result = cli("check", "--json")
    assert result.code == 0, result.err
    [found] = result.json()["channels"]
    assert found["channel"] == "smtp"
    assert "STARTTLS, certificate trusted, login as notifier accepted" in found["detail"]


def test_an_untrusted_certificate_is_one_line_naming_the_ca_file(
    cli: Cli, tls_smtp_peer: SmtpPeer
) -> None:
    smtp(cli, tls_smtp_peer.port, "starttls")
    line = one_error(cli, "check")
    assert "not trusted" in line and "smtp.ca_file" in line


def test_a_relay_offering_no_starttls_is_one_line_naming_smtp_security(
    cli: Cli, smtp_peer: SmtpPeer
) -> None:
    smtp(cli, smtp_peer.port, "starttls")
    line = one_error(cli, "check")
    assert "does not offer STARTTLS" in line and "smtp.security" in line


def test_a_wrong_password_is_one_line_naming_the_password_and_never_showing_it(
    cli: Cli,
) -> None:
    logins = Logins()
    with running(SmtpPeer(Recorder(), logins=logins)) as peer:
        smtp(cli, peer.port, "plain", 'username = "notifier"', 'password = "wrong-one"')
        line = one_error(cli, "check")
    assert "smtp.password" in line and "wrong-one" not in line
    assert logins.attempts == 1


def test_a_dead_relay_is_one_line_naming_the_host_and_port(cli: Cli) -> None:
    smtp(cli, free_port())
    line = one_error(cli, "check")
    assert "cannot connect" in line and "smtp.host and smtp.port" in line


def test_a_sender_not_verified_in_ses_is_one_line(cli: Cli, ses_account: AccountEndpoint) -> None:
    ses(cli, ses_account.url)
    line = one_error(cli, "check")
    assert line == (
        "error: email.sender: notices@example.com is not verified in SES (us-east-1); "
        "verify it or the domain example.com"
    )


def test_a_verified_sender_domain_passes_with_the_account_s_state(
    cli: Cli, ses_peer: SesPeer, ses_account: AccountEndpoint
) -> None:
    ses_peer.verify("example.com")
    ses(cli, ses_account.url)
    result = cli("check")
    assert result.code == 0, result.err
    assert result.out.startswith(
        "ses: sending enabled, production access, quota 200/s and 50,000/day, "
        "sender example.com verified (DKIM "
    )
    assert ses_account.asked == 1


def test_the_ses_sandbox_is_named(
    cli: Cli, ses_peer: SesPeer, ses_account: AccountEndpoint
) -> None:
    ses_peer.verify("notices@example.com")
    ses_account.account["ProductionAccessEnabled"] = False
    ses(cli, ses_account.url)
    result = cli("check")
    assert result.code == 0, result.err
    assert "sandbox (only verified recipients get mail)" in result.out
    assert "sender notices@example.com verified" in result.out


def test_paused_ses_sending_is_one_line(
    cli: Cli, ses_peer: SesPeer, ses_account: AccountEndpoint
) -> None:
    ses_peer.verify("example.com")
    ses_account.account["SendingEnabled"] = False
    ses(cli, ses_account.url)
    assert "sending is paused" in one_error(cli, "check")


def test_missing_aws_credentials_are_one_line(
    cli: Cli, ses_account: AccountEndpoint, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # it keeps the credentials it found
    ses(cli, ses_account.url)
    line = one_error(cli, "check")
    assert line.startswith("error: ses: no AWS credentials found; set AWS_PROFILE")


def test_a_missing_event_bus_is_one_line_and_an_existing_one_passes(
    cli: Cli, ses_peer: SesPeer
) -> None:
    bridge = ["[health.eventbridge]", "enabled = true", f'endpoint_url = "{ses_peer.url}"']
    write(cli, *bridge, 'event_bus_name = "notices"')
    line = one_error(cli, "check")
    assert "health.eventbridge.event_bus_name: there is no event bus 'notices'" in line
    write(cli, *bridge)
    result = cli("check")
    assert result.code == 0, result.err
    assert result.out.splitlines()[1] == "eventbridge: event bus default found in us-east-1"


def test_the_outbox_check_leaves_nothing_behind(cli: Cli) -> None:
    write(cli, "[email]", 'outbox_dir = "out/mail"')
    result = cli("check")
    assert result.code == 0, result.err
    assert result.out == "outbox: out/mail can be written\n"
    assert sorted(p.name for p in cli.folder.iterdir()) == ["notifier.toml"]


def test_an_outbox_folder_that_cannot_be_made_is_one_line(cli: Cli) -> None:
    (cli.folder / "taken").write_text("a file")
    write(cli, "[email]", 'outbox_dir = "taken/mail"')
    line = one_error(cli, "check")
    assert line.startswith("error: email.outbox_dir: ") and "a file stands" in line


def test_a_run_with_a_bad_set_up_stops_before_recording_anything(
    cli: Cli, ses_peer: SesPeer, ses_account: AccountEndpoint
) -> None:
    ses(cli, ses_account.url)
    line = one_error(cli, "run", "--as-of", DAY)
    assert "email.sender" in line
    assert not (cli.folder / "n.db").exists()
    assert cli("history", "--json").json() == {"notices": []}
    assert ses_peer.raw_messages() == []


def test_the_library_check_is_what_the_cli_prints(cli: Cli, smtp_peer: SmtpPeer) -> None:
    smtp(cli, smtp_peer.port)
    found = Notifier(cli.folder / "notifier.toml").check()
    assert found.to_json() == cli("check", "--json").json()
    assert found.lines() == cli("check").out.splitlines()


def test_the_library_raises_channel_down_naming_the_setting(cli: Cli) -> None:
    smtp(cli, free_port())
    with pytest.raises(ChannelDown) as caught:
        Notifier(cli.folder / "notifier.toml").check()
    assert caught.value.setting == "smtp.host"


def test_a_run_in_the_ses_sandbox_names_the_day_s_recipients_that_are_not_verified(
    cli: Cli, ses_peer: SesPeer, ses_account: AccountEndpoint
) -> None:
    ses_peer.verify("example.com")
    ses_account.account["ProductionAccessEnabled"] = False
    ses(cli, ses_account.url)
    result = cli("run", "--as-of", DAY, "--json")
    assert result.code == 0, result.err
    sent = {r for n in cli("history", "--json").json()["notices"] for r in n["recipients"]}
    [note] = [line for line in result.err.splitlines() if line.startswith("ses: ")]
    missing = sorted(r.lower() for r in sent if not r.lower().endswith("@example.com"))
    assert note.startswith(
        f"ses: in the sandbox, SES delivers only to verified identities; {len(missing)} of"
    )
    assert missing[0] in note and ses_account.asked == 1
