"""The scheduled run and the dry run, end to end through the CLI on the bundled sample."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from tests.cli_helpers import Cli

DAY = "2026-11-27"


def eml_files(folder: Path) -> list[Path]:
    return sorted((folder / "outbox").rglob("*.eml"))


def test_a_run_on_an_empty_database_sends_the_sample_notices_once(cli: Cli, tmp_path: Path) -> None:
    first = cli("run", "--as-of", DAY)
    assert first.code == 0, first.err
    assert "imported the bundled sample" in first.err
    sent = eml_files(tmp_path)
    assert len(sent) > 10
    assert f"run for {DAY}: {len(sent)} new notices" in first.out
    second = cli("run", "--as-of", DAY)
    assert second.code == 0
    assert f"run for {DAY}: 0 new notices, 0 retried" in second.out
    assert eml_files(tmp_path) == sent


def test_each_email_is_a_multipart_message_with_text_and_html(cli: Cli, tmp_path: Path) -> None:
    cli("run", "--as-of", DAY)
    message = email.message_from_bytes(
        eml_files(tmp_path)[0].read_bytes(), policy=email.policy.default
    )
    assert message["Message-ID"].startswith("<notice.")
    types = [part.get_content_type() for part in message.walk()]
    assert "text/plain" in types and "text/html" in types


def test_dry_run_json_follows_the_contract_and_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    result = cli("dry-run", "--as-of", DAY, "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["as_of"] == DAY
    notices = data["notices"]
    assert notices, "the sample must have notices due"
    keys = [(n["account_id"], n["runtime"]) for n in notices]
    assert keys == sorted(keys)
    for n in notices:
        assert set(n) >= {
            "account_id",
            "runtime",
            "milestone",
            "recipients",
            "functions",
            "subject",
        }
        assert set(n["milestone"]) == {"phase", "days_before", "date"}
        assert n["recipients"] == sorted(n["recipients"])
        assert n["functions"] == sorted(n["functions"])
    assert list(tmp_path.iterdir()) == []


def test_dry_run_shows_what_the_run_then_sends(cli: Cli) -> None:
    planned = cli("dry-run", "--as-of", DAY, "--json").json()["notices"]
    cli("run", "--as-of", DAY)
    history = cli("history", "--json").json()["notices"]
    strip = [
        {k: v for k, v in n.items() if k not in ("sent_on", "channels", "refused")} for n in history
    ]
    assert strip == planned
    assert {n["sent_on"] for n in history} == {DAY}
    assert all(set(n["channels"].values()) == {"delivered"} for n in history)


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_dry_run_on_an_existing_database_leaves_every_file_as_it_was(
    cli: Cli, tmp_path: Path
) -> None:
    cli("run", "--as-of", DAY)
    before = files_of(tmp_path)

    result = cli("dry-run", "--as-of", "2027-03-15")

    assert result.code == 0, result.err
    assert "would be sent" in result.out
    assert files_of(tmp_path) == before


def test_dry_run_for_one_account_prints_whole_notices(cli: Cli) -> None:
    result = cli("dry-run", "--as-of", DAY, "--account", "111122223333")
    assert result.code == 0, result.err
    assert "=== 111122223333" in result.out
    assert "Subject: " in result.out and "To: " in result.out


def test_a_later_day_sends_only_the_next_milestones(cli: Cli) -> None:
    cli("run", "--as-of", DAY)
    before = len(cli("history", "--json").json()["notices"])
    later = cli("run", "--as-of", "2027-01-25")
    assert later.code == 0
    after = cli("history", "--json").json()["notices"]
    assert len(after) > before
    assert {n["sent_on"] for n in after} == {DAY, "2027-01-25"}


def test_a_bad_account_id_is_a_usage_error(cli: Cli) -> None:
    result = cli("dry-run", "--account", "12345")
    assert result.code == 2
    assert "12-digit" in result.err
