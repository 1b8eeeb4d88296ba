"""Bad input, bad config, and the documentation of every command."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer.main

from notifier.cli.main import app
from tests.cli_helpers import Cli

README = Path(__file__).resolve().parent.parent / "README.md"


def test_bad_accounts_give_one_line_per_problem_and_write_nothing(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "accounts.csv"
    bad.write_text(
        "account_id,name,primary_email,operations_email,security_email,billing_email\n"
        "111122223333,Good,good@example.com,,,\n"
        "12,Short id,short@example.com,,,\n"
        "444455556666,Bad mail,not-an-address,,,\n"
    )
    result = cli("accounts", "import", "accounts.csv")
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("error: accounts.csv:3: account_id:")
    assert lines[1].startswith("error: accounts.csv:4: primary_email:")
    assert "Traceback" not in result.err
    assert not (tmp_path / "notifier.db").exists() or cli("history", "--json").json() == {
        "notices": []
    }


def test_a_bad_inventory_file_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    cli("run", "--as-of", "2026-11-27")
    before = cli("dry-run", "--as-of", "2027-06-01", "--json").json()
    (tmp_path / "inv.csv").write_text(
        "account_id,region,function_name,runtime\n111122223333,us-east-1,f,python3.9\nbad,,,\n"
    )
    result = cli("inventory", "import", "inv.csv")
    assert result.code == 2
    assert "inv.csv:3" in result.err
    assert cli("dry-run", "--as-of", "2027-06-01", "--json").json() == before


def test_a_bad_config_names_the_key_and_what_is_expected(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "notifier.toml").write_text(
        'timezone = "Mars/Olympus"\n[email]\nchannel = "pigeon"\n[milestones]\ndeprecation = [-3]\n'
    )
    result = cli("calendar")
    assert result.code == 2
    assert "timezone: expected an IANA time zone" in result.err
    assert "email.channel: expected one of outbox" in result.err
    assert "milestones.deprecation: expected a list of whole numbers" in result.err


def test_invalid_toml_is_reported_with_its_line(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "notifier.toml").write_text('timezone = "UTC"\nthis is not toml\n')
    result = cli("calendar")
    assert result.code == 2
    assert result.err.startswith("error: notifier.toml:2: invalid TOML")


def test_debug_shows_the_traceback(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "notifier.toml").write_text('timezone = "Mars/Olympus"\n')
    result = cli("--debug", "calendar")
    assert result.code == 2
    assert "Traceback" in result.err


def _commands(group: Any, prefix: str = "notifier") -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if hasattr(command, "commands"):
            if command.invoke_without_command:
                found.append((path, command))
            found += _commands(command, path)
        else:
            found.append((path, command))
    return found


COMMANDS = _commands(typer.main.get_command(app))


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_has_help_with_an_example_and_is_in_the_readme(
    path: str, command: Any
) -> None:
    assert command.help and "Example:" in command.help, f"{path} needs help with an example"
    assert re.search(rf"`{re.escape(path)}( |`)", README.read_text()), f"{path} missing in README"
