"""User templates: a file in the user's folder replaces the bundled one; the rest fall back."""

from __future__ import annotations

from pathlib import Path

import pytest

from notifier.core.domain import Phase
from notifier.core.errors import InputError
from notifier.rendering.notice import NoticeRenderer
from tests.rendering_helpers import SITUATIONS, notice


def write(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_user_file_overrides_its_bundled_twin_and_the_others_fall_back(tmp_path: Path) -> None:
    write(
        tmp_path,
        "deprecated/subject.txt",
        "[Action required] {{ runtime.id }} is past its end of support ({{ account.id }})",
    )
    renderer = NoticeRenderer(templates_dir=tmp_path)
    deprecated = renderer.render(notice(phase=Phase.DEPRECATION, days_before=0))
    assert (
        deprecated.subject
        == "[Action required] python3.10 is past its end of support (123456789012)"
    )
    assert "What changes, and when" in deprecated.text  # bundled body, not overridden
    ahead = renderer.render(notice(phase=Phase.DEPRECATION, days_before=30))
    assert ahead.subject.startswith("[Action required] AWS Lambda support for Python 3.10")


def test_a_user_layout_restyles_every_situation(tmp_path: Path) -> None:
    write(
        tmp_path,
        "layout/body.html",
        "<html><body><p class=brand>ACME</p>{% block lead %}{% endblock %}</body></html>",
    )
    renderer = NoticeRenderer(templates_dir=tmp_path)
    for phase, days in SITUATIONS.values():
        html = renderer.render(notice(phase=phase, days_before=days)).html
        assert "ACME" in html and "Python 3.10 (python3.10)" in html


def test_user_templates_run_sandboxed(tmp_path: Path) -> None:
    write(tmp_path, "deprecated/subject.txt", "x {{ account.__class__.__mro__ }}")
    renderer = NoticeRenderer(templates_dir=tmp_path)
    with pytest.raises(InputError, match=r"deprecated/subject\.txt:1: template failed: access to"):
        renderer.render(notice(phase=Phase.DEPRECATION, days_before=0))


def test_every_broken_user_template_is_reported_with_its_line_at_start_up(tmp_path: Path) -> None:
    write(tmp_path, "deprecated/body.txt", "line one\n{% if %}\n")
    write(tmp_path, "layout/body.html", "<p>\n\n{{ account.name </p>\n")
    with pytest.raises(InputError) as raised:
        NoticeRenderer(templates_dir=tmp_path)
    lines = raised.value.lines()
    assert any(line.startswith(f"{tmp_path / 'deprecated' / 'body.txt'}:2: ") for line in lines)
    assert any(line.startswith(f"{tmp_path / 'layout' / 'body.html'}:3: ") for line in lines)


def test_an_unknown_name_in_a_user_template_is_an_input_error_not_a_blank(tmp_path: Path) -> None:
    write(tmp_path, "deprecated/body.txt", "Hello {{ acount.name }}")
    renderer = NoticeRenderer(templates_dir=tmp_path)
    with pytest.raises(InputError, match="'acount' is undefined"):
        renderer.render(notice(phase=Phase.DEPRECATION, days_before=0))


def test_an_empty_subject_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "deprecated/subject.txt", "  \n ")
    with pytest.raises(InputError, match="expected a non-empty subject"):
        NoticeRenderer(templates_dir=tmp_path).render(
            notice(phase=Phase.DEPRECATION, days_before=0)
        )


def test_a_missing_templates_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="expected a folder of templates"):
        NoticeRenderer(templates_dir=tmp_path / "nowhere")


def test_a_user_subject_cannot_break_the_line(tmp_path: Path) -> None:
    write(
        tmp_path,
        "deprecated/subject.txt",
        "[Action required]\r\n Bcc: x@example.com\n{{ runtime.id }}",
    )
    subject = NoticeRenderer(templates_dir=tmp_path).render(notice(days_before=0)).subject
    assert subject == "[Action required] Bcc: x@example.com python3.10"
