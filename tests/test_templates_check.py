"""`notifier templates check [DIR]`: every problem of a templates folder, as template:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_helpers import Cli


def write(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_built_in_templates_pass(cli: Cli) -> None:
    result = cli("templates", "check")
    assert result.code == 0, result.err
    assert result.out.startswith("templates ok: 29 files compiled, every situation rendered in ")
    assert result.out.strip().endswith("(the built-in templates)")
    assert len(result.out.splitlines()) == 1


def test_a_folder_overriding_a_few_files_passes(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path / "mine", "deprecated/subject.txt", "[Action required] {{ runtime.id }} is out")
    write(tmp_path / "mine", "README.md", "our wording")
    result = cli("templates", "check", "mine")
    assert result.code == 0, result.err
    assert "(mine over the built-in templates)" in result.out


PROBLEMS = [
    (
        "deprecated/body.txt",
        "line one\n{% if %}\n",
        "mine/deprecated/body.txt:2: syntax error: Expected an expression",
    ),
    (
        "create_blocked/body.txt",
        "Hello\n{{ acount.name }}\n",
        "mine/create_blocked/body.txt:2: undefined variable: 'acount' is undefined "
        "(sample 'create_blocked')",
    ),
    (
        "update_blocked/body.txt",
        '{% extends "layout/body.txt" %}{% block lead %}\n'
        "{% if attachment %}\n{{ attachment.fielname }}{% endif %}{% endblock %}",
        "mine/update_blocked/body.txt:3: undefined variable: "
        "'notifier.rendering.context.AttachmentView object' has no attribute 'fielname' "
        "(sample 'update_blocked' with a list cut short)",
    ),
    (
        "deprecated/body.html",
        "",
        "mine/deprecated/body.html:1: missing part: the HTML body renders empty",
    ),
    (
        "update_blocked_soon/subject.txt",
        "{# nothing yet #}",
        "mine/update_blocked_soon/subject.txt:1: missing part: the subject renders empty",
    ),
    (
        "deprecatd/subject.txt",
        "x",
        "mine/deprecatd/subject.txt: never used: no notice reads this file; "
        "did you mean deprecated/subject.txt?",
    ),
    (
        "deprecated/health.txt",
        "{{ account.__class__.__mro__ }}",
        "mine/deprecated/health.txt:1: unsafe: access to attribute '__class__'",
    ),
    (
        "partials/wording.txt",
        "{% macro mark(p) %}{{ p.date|relativ }}{% endmacro %}",
        "mine/partials/wording.txt:1: syntax error: No filter named 'relativ'.",
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), PROBLEMS, ids=[p[0] for p in PROBLEMS])
def test_a_problem_is_reported_as_template_line_message_with_exit_code_2(
    cli: Cli, tmp_path: Path, name: str, text: str, expected: str
) -> None:
    write(tmp_path / "mine", name, text)
    result = cli("templates", "check", "mine")
    assert result.code == 2
    assert result.out == ""
    assert f"error: {expected}" in result.err
    assert "Traceback" not in result.err


def test_every_problem_is_reported_at_once(cli: Cli, tmp_path: Path) -> None:
    for name, text, _ in PROBLEMS[:5]:
        write(tmp_path / "mine", name, text)
    result = cli("templates", "check", "mine")
    assert result.code == 2
    for _, _, expected in PROBLEMS[:5]:
        assert expected.split(" (sample")[0] in result.err
    assert all(line.startswith("error: mine/") for line in result.err.splitlines())


def test_without_dir_the_configured_templates_dir_is_checked(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path / "house", "layout/subject.txt", "[Action required] {{ headline }")
    (tmp_path / "notifier.toml").write_text('templates_dir = "house"\n')
    result = cli("templates", "check")
    assert result.code == 2
    assert "error: house/layout/subject.txt:1: syntax error:" in result.err


def test_the_sample_data_is_checked_too(cli: Cli, tmp_path: Path) -> None:
    write(
        tmp_path / "mine",
        "samples/notices.toml",
        '[account]\nid = "12"\nname = "A"\nprimary_email = "a@example.com"\n\n'
        '[functions]\nus-east-1 = ["f"]\n\n'
        '[samples.first]\nruntime = "python9"\nmilestone = "deprecation:30"\n\n'
        '[samples.second]\nruntime = "python3.9"\nmilestone = "later"\n',
    )
    result = cli("templates", "check", "mine")
    assert result.code == 2
    source = "error: mine/samples/notices.toml"
    assert f"{source}:2: account.id: expected a 12-digit account id as a string, got '12'" in (
        result.err
    )
    assert f"{source}:10: samples.first.runtime: expected a runtime identifier" in result.err
    assert f"{source}:15: samples.second.milestone: expected PHASE:DAYS" in result.err


def test_samples_must_show_every_situation(cli: Cli, tmp_path: Path) -> None:
    write(
        tmp_path / "mine",
        "samples/notices.toml",
        '[account]\nid = "123456789012"\nprimary_email = "a@example.com"\n'
        "[functions]\nus-east-1 = 3\n"
        '[samples.only]\nruntime = "python3.9"\nmilestone = "block_create:7"\n',
    )
    result = cli("templates", "check", "mine")
    assert result.code == 2
    assert "missing part: no sample shows the 'deprecated' situation" in result.err
    assert "'create_blocked_soon' situation" not in result.err


def test_a_missing_folder_is_an_error(cli: Cli) -> None:
    result = cli("templates", "check", "nowhere")
    assert result.code == 2
    assert "error: nowhere: expected a folder of templates" in result.err
