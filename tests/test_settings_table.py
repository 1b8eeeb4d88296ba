"""Each setting is declared once, in the table of keys: the defaults, the variables, the checks and
the README's reference all come from it; misspelt keys and variables are named, with a guess."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import pytest

from notifier.config import KEYS, Settings, load_settings
from notifier.config.reference import BEGIN, END, render, replace_block
from notifier.core.domain import Milestone, Phase
from notifier.core.errors import ConfigError
from tests.cli_helpers import Cli

README = Path(__file__).resolve().parent.parent / "README.md"
NESTED = ("health", "delivery", "smtp", "ses", "retry", "eventbridge")


@pytest.fixture(autouse=True)
def empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A current folder with no notifier.toml in it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(folder: Path, text: str) -> Path:
    path = folder / "notifier.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path | None = None, overrides: Mapping[str, object] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as failure:
        load_settings(path, env={}, overrides=overrides)
    return failure.value.lines()


def attributes(obj: Any, prefix: str = "") -> set[str]:
    """The settings' leaf attributes, as `delivery.smtp.port`."""
    found: set[str] = set()
    for item in fields(obj):
        value = getattr(obj, item.name)
        if item.name in NESTED and is_dataclass(value):
            found |= attributes(value, f"{prefix}{item.name}.")
        elif prefix or item.name not in ("source", "raw"):
            found.add(f"{prefix}{item.name}")
    return found


# The table is the one declaration


def test_settings_read_from_nothing_equal_the_dataclasses_defaults() -> None:
    assert load_settings(None, env={}) == Settings()


def test_every_settings_attribute_is_one_key_of_the_table() -> None:
    assert len(attributes(Settings())) == len(KEYS) == len({key.name for key in KEYS})


def test_every_key_with_a_variable_is_set_by_it() -> None:
    env = {"NOTIFIER_WORKERS": "3", "NOTIFIER_EVENTBRIDGE_BUS": "notices"}
    settings = load_settings(None, env=env)
    assert (settings.workers, settings.health.eventbridge.event_bus_name) == (3, "notices")


# The README's reference


def test_the_readme_reference_is_the_one_generated_from_the_table() -> None:
    text = README.read_text(encoding="utf-8")
    assert replace_block(text, render()) == text, (
        "README.md differs from the table: run python -m notifier.config.reference --write"
    )


def test_the_reference_names_every_key_its_variable_and_its_default() -> None:
    block = render()
    assert "| `smtp.port` | `NOTIFIER_SMTP_PORT` | 587 with starttls" in block
    assert "| `workers` | `NOTIFIER_WORKERS` | `0` | whole number >= 0 |" in block
    assert all(f"| `{key.name}` |" in block for key in KEYS)


def test_writing_the_reference_replaces_only_what_stands_between_the_markers() -> None:
    text = f"# Title\n\nprose before\n{BEGIN}\nold table\n{END}\nprose after\n"
    written = replace_block(text, "new table")
    assert written == f"# Title\n\nprose before\n{BEGIN}\nnew table\n{END}\nprose after\n"


def test_writing_the_reference_without_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="markers"):
        replace_block("no markers here", "table")


# Errors name the variable; misspellings get a guess


def test_a_bad_value_from_the_environment_is_one_error_line_naming_the_variable(
    cli: Cli,
) -> None:
    result = cli.process("calendar", env={"NOTIFIER_WORKERS": "abc"})
    assert (result.code, result.err) == (
        2,
        "error: NOTIFIER_WORKERS: workers: expected a whole number >= 0, got 'abc'\n",
    )


def test_an_unknown_variable_gets_a_warning_with_did_you_mean(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        load_settings(None, env={"NOTIFIER_WORKRS": "2", "NOTIFIER_COLOUR": "blue"})
    assert caplog.messages == [
        "NOTIFIER_COLOUR: not a notifier variable, ignored",
        "NOTIFIER_WORKRS: not a notifier variable, ignored; did you mean NOTIFIER_WORKERS?",
    ]


def test_the_unknown_variable_warning_reaches_stderr_once(cli: Cli) -> None:
    result = cli.process("calendar", "--as-of", "2027-01-01", env={"NOTIFIER_SMTP_HOTS": "x"})
    assert result.code == 0, result.err
    assert result.err.count("NOTIFIER_SMTP_HOTS") == 1
    assert "NOTIFIER_SMTP_HOTS: not a notifier variable, ignored; did you mean " in result.err
    assert result.err.rstrip().endswith("did you mean NOTIFIER_SMTP_HOST?")


@pytest.mark.parametrize(
    "name", ["NOTIFIER_CONFIG", "NOTIFIER_TEST_POSTGRES_URL", "NOTIFIER_UPDATE_GOLDEN"]
)
def test_a_variable_in_use_that_is_not_a_setting_gets_no_warning(
    caplog: pytest.LogCaptureFixture, empty_folder: Path, name: str
) -> None:
    value = str(write(empty_folder, "")) if name == "NOTIFIER_CONFIG" else "1"
    with caplog.at_level(logging.WARNING):
        load_settings(None, env={name: value})
    assert caplog.messages == []


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[email]\nsendr = 'n@x.org'\n", "email.sendr: unknown key; did you mean 'email.sender'?"),
        ('sender = "n@example.com"\n', "sender: unknown key; did you mean 'email.sender'?"),
        ("[smtp]\nprot = 25\n", "smtp.prot: unknown key; did you mean 'smtp.port'?"),
        ("colour = 'blue'\n", "colour: unknown key"),
    ],
)  # fmt: skip
def test_an_unknown_key_in_the_file_gets_did_you_mean_when_a_known_key_is_close(
    empty_folder: Path, toml: str, expected: str
) -> None:
    path = write(empty_folder, toml)
    assert problems(path) == [f"{path}: {expected}"]


# Ports


@pytest.mark.parametrize("port", [0, 70000, -1])
def test_an_smtp_port_out_of_range_is_refused(empty_folder: Path, port: int) -> None:
    path = write(empty_folder, f"[smtp]\nport = {port}\n")
    assert problems(path) == [
        f"{path}: smtp.port: expected a whole number from 1 to 65535, got {port}"
    ]


@pytest.mark.parametrize("key", ["ses.endpoint_url", "health.eventbridge.endpoint_url"])
@pytest.mark.parametrize("url", ["http://127.0.0.1:70000", "http://127.0.0.1:0", "127.0.0.1:4566"])
def test_an_endpoint_with_a_port_out_of_range_or_no_scheme_is_refused(key: str, url: str) -> None:
    lines = problems(overrides={key: url})
    assert len(lines) == 1 and lines[0].startswith(f"overrides: {key}: expected an http(s) URL")


def test_an_endpoint_with_a_port_in_range_is_accepted() -> None:
    settings = load_settings(None, env={"NOTIFIER_SES_ENDPOINT_URL": "http://127.0.0.1:4566"})
    assert settings.delivery.ses.endpoint_url == "http://127.0.0.1:4566"


# Overrides from Python


def test_overrides_win_over_the_file_and_the_environment(empty_folder: Path) -> None:
    path = write(empty_folder, 'workers = 2\n[email]\nchannel = "ses"\n')
    env = {"NOTIFIER_WORKERS": "3", "NOTIFIER_EMAIL_CHANNEL": "smtp"}
    settings = load_settings(path, env=env, overrides={"workers": 4})
    assert (settings.workers, settings.email_channel) == (4, "smtp")


def test_a_nested_override_is_read_like_a_table_of_the_file(empty_folder: Path) -> None:
    path = write(empty_folder, '[email]\nsender = "n@example.com"\n')
    overrides = {"email": {"channel": "smtp"}, "health": {"eventbridge": {"enabled": True}}}
    settings = load_settings(path, env={}, overrides=overrides)
    assert (settings.email_channel, settings.sender) == ("smtp", "n@example.com")
    assert settings.health.eventbridge.enabled is True


def test_a_library_style_override_sets_the_database_and_the_sample() -> None:
    overrides = {"database_url": "sqlite:///n.db", "sample_data": False}
    settings = load_settings(None, env={}, overrides=overrides)
    assert (settings.database_url, settings.sample_data) == ("sqlite:///n.db", False)


def test_an_override_of_none_leaves_the_key_to_the_file(empty_folder: Path) -> None:
    path = write(empty_folder, "workers = 2\n")
    assert load_settings(path, env={}, overrides={"workers": None}).workers == 2


def test_milestones_and_contacts_are_taken_from_python_values() -> None:
    overrides = {"milestones": {"deprecation": (30, 0)}, "recipients": {"contacts": ("billing",)}}
    settings = load_settings(None, env={}, overrides=overrides)
    assert settings.schedule == (Milestone(Phase.DEPRECATION, 30), Milestone(Phase.DEPRECATION, 0))
    assert settings.recipients == ("billing",)


def test_a_bad_override_names_the_key_and_the_overrides() -> None:
    assert problems(overrides={"email": {"channel": "pigeon"}, "workers": "many"}) == [
        "overrides: workers: expected a whole number >= 0, got 'many'",
        "overrides: email.channel: expected one of outbox, smtp, ses, got 'pigeon'",
    ]


def test_an_unknown_override_is_an_error_with_did_you_mean() -> None:
    assert problems(overrides={"email": {"chanel": "smtp"}}) == [
        "overrides: email.chanel: unknown key; did you mean 'email.channel'?"
    ]


def test_a_relative_path_override_is_taken_from_the_current_folder(empty_folder: Path) -> None:
    conf = empty_folder / "conf"
    conf.mkdir()
    path = write(conf, 'templates_dir = "mine"\ndatabase_url = "sqlite:///n.db"\n')
    from_file = load_settings(path, env={})
    assert from_file.templates_dir == conf / "mine"
    assert from_file.database_url == f"sqlite:///{conf / 'n.db'}"
    overrides = {"templates_dir": Path("ours"), "database_url": "sqlite:///o.db"}
    settings = load_settings(path, env={}, overrides=overrides)
    assert (settings.templates_dir, settings.database_url) == (Path("ours"), "sqlite:///o.db")


def test_a_password_override_that_is_no_string_is_not_echoed() -> None:
    lines = problems(overrides={"smtp": {"username": "u", "password": 12345678}})
    assert lines == ["overrides: smtp.password: expected a string (value hidden)"]
