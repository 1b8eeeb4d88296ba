"""Data is never markup or template code, wherever it comes from (accounts, inventory, calendar),
and no value, however long or strange, breaks a line, a header or the layout."""

from __future__ import annotations

from dataclasses import replace

import pytest

from notifier.core.domain import Phase
from notifier.rendering.environment import wrap
from notifier.rendering.notice import NoticeRenderer
from tests.rendering_helpers import (
    elements,
    notice,
    overlong_lines,
    visible_text,
    with_account_name,
)

HOSTILE_NAMES = ["{{ 7*7 }}", "{% raw %}", "<script>alert(1)</script>", "<b>x</b>", "&amp;"]


@pytest.fixture(scope="module")
def renderer() -> NoticeRenderer:
    return NoticeRenderer()


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_function_names_from_the_inventory_are_shown_as_they_are(
    renderer: NoticeRenderer, name: str
) -> None:
    base = notice(count=1)
    arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
    out = renderer.render(replace(base, functions=(arn,)))
    assert arn in out.text
    assert arn in visible_text(out.html)
    assert elements(out.html) == elements(renderer.render(base).html)  # no element added
    assert "49" not in out.text.replace("49 ", "")  # nothing evaluated


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_runtime_names_from_the_calendar_are_shown_as_they_are(
    renderer: NoticeRenderer, name: str
) -> None:
    base = notice()
    out = renderer.render(replace(base, runtime=replace(base.runtime, name=name)))
    assert f"{name} (python3.10)" in out.subject
    assert f"{name} (python3.10)" in visible_text(out.html)
    assert elements(out.html) == elements(renderer.render(base).html)


def test_a_region_with_a_line_break_stays_on_one_line_and_its_command_is_quoted(
    renderer: NoticeRenderer,
) -> None:
    base = notice(count=1)
    arn = "arn:aws:lambda:us-east-1\r\n$(rm -rf ~):123456789012:function:f"
    out = renderer.render(replace(base, functions=(arn,)))
    assert "\r" not in out.text and "\n$(rm" not in out.text
    assert "--region 'us-east-1 $(rm -rf ~)' --output" in out.text


def test_a_very_long_account_name_is_cut_and_never_swamps_the_notice(
    renderer: NoticeRenderer,
) -> None:
    long_name = "Payments " * 2_000
    out = renderer.render(with_account_name(notice(), long_name))
    shown = " ".join(out.text.split())
    assert '"Payments Payments' in shown and 'Payments…" (123456789012)' in shown
    assert len(out.text) < 12_000 and len(out.html) < 40_000
    assert overlong_lines(out.text) == []


def test_a_long_unbroken_value_is_cut_at_the_line_width_in_text(renderer: NoticeRenderer) -> None:
    out = renderer.render(with_account_name(notice(), "X" * 110))
    assert overlong_lines(out.text) == []
    assert "X" * 70 in out.text


def test_wrap_cuts_long_words_but_keeps_urls_and_arns_whole() -> None:
    url = "https://example.com/" + "u" * 90
    arn = "arn:aws:lambda:us-east-1:123456789012:function:" + "f" * 60
    lines = wrap(f"{'w' * 100} {url} {arn} end").splitlines()
    assert lines[:2] == ["w" * 78, "w" * 22]
    assert url in lines and arn in lines


@pytest.mark.parametrize(("phase", "days"), [(Phase.DEPRECATION, 30), (Phase.BLOCK_UPDATE, 0)])
def test_a_runtime_name_with_line_breaks_cannot_break_the_subject(
    renderer: NoticeRenderer, phase: Phase, days: int
) -> None:
    base = notice(phase=phase, days_before=days)
    evil = replace(base.runtime, name="Py\r\nBcc: victim@example.com")
    subject = renderer.render(replace(base, runtime=evil)).subject
    assert "\r" not in subject and "\n" not in subject
    assert "Py Bcc: victim@example.com (python3.10)" in subject
