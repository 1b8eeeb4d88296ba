"""`notifier health dashboard`: the static site, rendered by headless Chromium."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from notifier.core.health import event_arn
from notifier.rendering.dashboard import event_slug, timeline_svg
from notifier.service.dashboard import build_dashboard
from notifier.service.lifecycle import refresh_health
from notifier.store.stores import SqlStores
from tests.browser import dump_dom
from tests.store_builders import NOW, account, function
from tests.test_health_lifecycle import CALENDAR, day, inventory, notice_event, post_notice

A, B = "111111111111", "222222222222"
TODAY = date(2026, 4, 3)


def render(page: Path, profile: Path) -> str:
    """The DOM Chromium built from the page."""
    done = dump_dom(page.as_uri(), profile)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def text_of(dom: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</', dom, re.DOTALL)
    assert match, f"no element {element_id}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


@pytest.fixture
def site(store: SqlStores, tmp_path: Path) -> Path:
    """A closed event (A), an open one (B, one function resolved, one pending)."""
    store.accounts.upsert_accounts([account(A), account(B)], NOW)
    inventory(store, function(A, "one"), function(B, "x"), function(B, "y"))
    post_notice(store, notice_event(A, "one", when=day(1)))
    post_notice(store, notice_event(B, "x", "y", when=day(1)))
    inventory(store, function(B, "y"))
    refresh_health(store, CALENDAR, day(34))
    build_dashboard(store, CALENDAR, TODAY, tmp_path / "site")
    return tmp_path / "site"


def test_the_index_and_an_event_page_render_with_the_expected_counts(
    site: Path, tmp_path: Path
) -> None:
    dom = render(site / "index.html", tmp_path / "profile")
    totals = [text_of(dom, f"total-{s}") for s in ("upcoming", "open", "closed")]
    assert totals == ["0", "1", "1"]
    assert 'id="timeline"' in dom and "python3.9" in dom
    assert f"accounts/{A}.html" in dom and f"accounts/{B}.html" in dom

    slug = event_slug(event_arn(B, "us-east-1", "python3.9"))
    event = render(site / "events" / f"{slug}.html", tmp_path / "profile")
    assert text_of(event, "status") == "open"
    assert (text_of(event, "pending"), text_of(event, "resolved")) == ("1", "1")
    assert f"arn:aws:lambda:us-east-1:{B}:function:x" in event
    assert "Python 3.9 reaches end of support" in event


def test_the_account_index_is_split_into_pages(store: SqlStores, tmp_path: Path) -> None:
    ids = [f"{n:012d}" for n in range(1, 6)]
    store.accounts.upsert_accounts([account(i) for i in ids], NOW)
    inventory_of = {i: [function(i, "f")] for i in ids}
    store.inventory.replace_inventory(inventory_of, ("python3.9",))
    for i in ids:
        post_notice(store, notice_event(i, "f", when=day(1)))

    summary = build_dashboard(store, CALENDAR, TODAY, tmp_path / "site", per_page=2)

    assert (summary.index_pages, summary.accounts, summary.events) == (3, 5, 5)
    pages = ["index.html", "index-2.html", "index-3.html"]
    assert sorted(p.name for p in (tmp_path / "site").glob("index*.html")) == sorted(pages)
    last = (tmp_path / "site" / "index-3.html").read_text()
    assert f"{ids[4]}.html" in last and f"{ids[0]}.html" not in last
    assert len(list((tmp_path / "site" / "accounts").iterdir())) == 5


def test_the_timeline_draws_each_runtimes_three_dates_and_today() -> None:
    svg = timeline_svg(list(CALENDAR), TODAY)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<title>python3.9 ") == 3
    assert ">today<" in svg
    assert "python3.12" not in svg  # no dates announced
