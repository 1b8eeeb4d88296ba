"""The HTML body is built for mail clients: tables for layout, styles inlined, nothing fetched
from elsewhere, small, and with the same facts as the text part."""

from __future__ import annotations

import re

import pytest

from notifier.rendering.notice import NoticeRenderer
from tests.rendering_helpers import SITUATIONS, notice, parse_html, visible_text


@pytest.fixture(scope="module")
def renderer() -> NoticeRenderer:
    return NoticeRenderer()


def html_of(renderer: NoticeRenderer, name: str, count: int = 20) -> str:
    phase, days_before = SITUATIONS[name]
    return renderer.render(notice(phase=phase, days_before=days_before, count=count)).html


@pytest.mark.parametrize("name", list(SITUATIONS))
def test_the_layout_is_tables_with_inlined_styles(renderer: NoticeRenderer, name: str) -> None:
    tags = parse_html(html_of(renderer, name)).tags
    tables = [attrs for tag, attrs in tags if tag == "table"]
    assert len(tables) >= 3 and all(a.get("role") == "presentation" for a in tables)
    styled = [tag for tag, attrs in tags if "style" in attrs]
    for tag in ("td", "h1", "h2", "p", "a", "pre"):
        assert tag in styled, f"<{tag}> carries no inlined style"


@pytest.mark.parametrize("name", list(SITUATIONS))
def test_the_html_loads_nothing_from_elsewhere(renderer: NoticeRenderer, name: str) -> None:
    html = html_of(renderer, name)
    tags = parse_html(html).tags
    assert not {t for t, _ in tags} & {"img", "link", "script", "iframe", "object", "embed"}
    assert not [a for _, a in tags if "src" in a or "srcset" in a or "background" in a]
    assert "url(" not in html and "@import" not in html
    hrefs = [a["href"] or "" for t, a in tags if t == "a"]
    assert hrefs and all(h.startswith("https://") for h in hrefs)


@pytest.mark.parametrize("name", list(SITUATIONS))
def test_the_html_carries_the_facts_of_the_text(renderer: NoticeRenderer, name: str) -> None:
    phase, days_before = SITUATIONS[name]
    out = renderer.render(notice(phase=phase, days_before=days_before, count=3))
    shown = visible_text(out.html)
    for fact in (
        '"Acme Payments" (123456789012)',
        "Python 3.10 (python3.10)",
        "Saturday, 31 October 2026",
        "Monday, 1 February 2027",
        "Wednesday, 3 March 2027",
        "invocations are never blocked",
        "Python 3.14 (python3.14)",
        "aws lambda list-functions --region us-east-1 --output text",
        "arn:aws:lambda:us-east-1:123456789012:function:orders-000",
        "https://aws.amazon.com/support",
    ):
        assert fact in shown, fact
        assert fact in " ".join(out.text.split()), fact
    assert out.subject.removeprefix("[Action required] ") in shown


def test_the_health_event_is_linked_from_each_region(renderer: NoticeRenderer) -> None:
    out = renderer.render(notice(count=2))
    links = [a["href"] for t, a in parse_html(out.html).tags if t == "a"]
    events = [h for h in links if h and "event-log?eventID=arn:aws:health:" in h]
    assert len(events) == 2
    for href in events:
        assert href in out.text
        assert re.fullmatch(r"https://health\.aws\.amazon\.com/\S+", href or "")


def test_the_inbox_preview_line_comes_first_and_says_what_is_next(
    renderer: NoticeRenderer,
) -> None:
    shown = visible_text(html_of(renderer, "create_blocked_soon", count=5))
    assert shown.startswith(
        '5 functions in "Acme Payments" (123456789012) run on Python 3.10 (python3.10). '
        "Next: new functions refused from Monday, 1 February 2027 (in 7 days)."
    )


def test_a_situation_whose_date_is_reached_is_marked_in_red(renderer: NoticeRenderer) -> None:
    ahead = html_of(renderer, "create_blocked_soon")
    reached = html_of(renderer, "create_blocked")
    assert "#d97706" in ahead and "#b3261e" not in ahead.split("</style>")[1]
    assert "#b3261e" in reached.split("</style>")[1]
