"""Where files go and when: relative paths in a config file resolve against its folder, read
commands write nothing, and a bad setting stops a run before anything is written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from notifier.resources import bundled
from tests.cli_helpers import Cli

PY39 = ("--runtime", "python3.9", "--milestone", "block_create:30")


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def config_folder(folder: Path) -> Path:
    """A folder holding a config file whose every path is relative."""
    folder.mkdir()
    (folder / "templates").mkdir()
    shutil.copy(bundled("data") / "calendar.csv", folder / "dates.csv")
    (folder / "notifier.toml").write_text(
        'database_url = "sqlite:///notifier.db"\n'
        'calendar = "dates.csv"\n'
        'templates_dir = "templates"\n'
        '[email]\noutbox_dir = "outbox"\n'
        '[health]\njson_dir = "health-json"\n'
    )
    return folder


def test_relative_paths_in_a_config_file_resolve_against_its_folder(
    cli: Cli, tmp_path: Path
) -> None:
    elsewhere = config_folder(tmp_path / "a")

    result = cli("--quiet", "--config", "a/notifier.toml", "run")

    assert result.code == 0, result.err
    assert listing(tmp_path) == ["a", *(f"a/{name}" for name in listing(elsewhere))]
    assert (elsewhere / "notifier.db").is_file()
    assert any((elsewhere / "outbox").rglob("*.eml"))
    assert any((elsewhere / "health-json").rglob("*.json"))
    assert cli("--config", "a/notifier.toml", "history", "--json").json()["notices"]


def test_relative_paths_from_the_environment_resolve_against_the_current_folder(
    cli: Cli, tmp_path: Path
) -> None:
    config_folder(tmp_path / "a")
    here = Cli(tmp_path, cli.capsys, {"NOTIFIER_OUTBOX_DIR": "sent"})

    assert here("--quiet", "--config", "a/notifier.toml", "run").code == 0

    assert any((tmp_path / "sent").rglob("*.eml"))
    assert not (tmp_path / "a" / "outbox").exists()


@pytest.mark.parametrize(
    "command",
    [
        ["history"],
        ["suppress", "list"],
        ["templates", "check"],
        ["calendar"],
        ["preview", *PY39],
        ["health", "events"],
        ["dry-run"],
    ],
)
def test_read_commands_leave_an_empty_folder_empty(
    cli: Cli, tmp_path: Path, command: list[str]
) -> None:
    assert listing(tmp_path) == []

    assert cli(*command).code == 0

    assert listing(tmp_path) == []


@pytest.mark.parametrize(
    ("config", "says"),
    [
        ('templates_dir = "nope"\n', "nope: expected a folder of templates"),
        ('calendar = "dates.csv"\n', "dates.csv:1: family: missing required column"),
        (
            '[email]\nchannel = "smtp"\n[smtp]\nhost = "localhost"\nca_file = "missing.pem"\n',
            "missing.pem",
        ),
    ],
)
def test_a_bad_setting_stops_a_run_before_anything_is_written(
    cli: Cli, tmp_path: Path, config: str, says: str
) -> None:
    (tmp_path / "notifier.toml").write_text(config)
    (tmp_path / "dates.csv").write_text("identifier,name\npython3.9,Python 3.9,extra\n")

    result = cli("run")

    assert result.code == 2 and "Traceback" not in result.err
    assert says in result.err
    assert listing(tmp_path) == ["dates.csv", "notifier.toml"]
