"""The library's `to_json()` is exactly what the matching CLI command prints with --json."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from notifier import Notifier
from tests.cli_helpers import Cli

DAY = date(2027, 1, 15)
ACCOUNT = "111122223333"


def _library(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Notifier:
    """The library configured as the CLI is in `folder` (its notifier.db, its outbox)."""
    monkeypatch.chdir(folder)
    return Notifier()


def _without_timings(found: Any) -> Any:
    if isinstance(found, dict):
        return {k: _without_timings(v) for k, v in found.items() if k != "seconds"}
    return found


def test_dry_run_json_is_the_cli_json(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    printed = cli("dry-run", "--as-of", "2027-01-15", "--json").json()
    nt = _library(cli.folder, monkeypatch)
    assert nt.dry_run(as_of=DAY).to_json() == printed
    one = cli("dry-run", "--as-of", "2027-01-15", "--account", ACCOUNT, "--json").json()
    assert nt.dry_run(as_of=DAY, accounts=[ACCOUNT]).to_json() == one


def test_run_json_is_the_cli_json(
    cli: Cli, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    printed = cli("run", "--as-of", "2027-01-15", "--json").json()
    nt = _library(tmp_path_factory.mktemp("library"), monkeypatch)
    assert _without_timings(nt.run(as_of=DAY).to_json()) == _without_timings(printed)


def test_history_json_is_the_cli_json(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("run", "--as-of", "2027-01-15").code == 0
    nt = _library(cli.folder, monkeypatch)
    assert nt.history().to_json() == cli("history", "--json").json()
    one = cli("history", "--account", ACCOUNT, "--json").json()
    assert nt.history(accounts=[ACCOUNT]).to_json() == one


def test_calendar_and_suppression_json_are_the_cli_json(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("suppress", "add", "ops@example.com", "--reason", "bounce").code == 0
    nt = _library(cli.folder, monkeypatch)
    assert nt.suppressions().to_json() == cli("suppress", "list", "--json").json()
    calendar = cli("calendar", "--as-of", "2027-01-15", "--json").json()
    assert nt.calendar(DAY).to_json() == calendar
    assert nt.check_calendar().to_json() == cli("calendar", "check", "--json").json()


def test_health_reads_are_the_cli_json(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("run", "--as-of", "2027-01-15").code == 0
    nt = _library(cli.folder, monkeypatch)
    events = cli("health", "events", "--as-of", "2027-06-01", "--json").json()
    assert nt.health_events(as_of=date(2027, 6, 1)) == events
    arn = events["events"][0]["arn"]
    details = cli("health", "details", arn, "--json").json()
    assert nt.health_details([arn]) == details
    assert nt.health_entities(arn) == cli("health", "entities", arn, "--json").json()
