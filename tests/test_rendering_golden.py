"""Golden files: every situation's subject, text, health description and HTML, reviewed by eye.

After a deliberate wording or layout change, rewrite them and review the diff:

    NOTIFIER_UPDATE_GOLDEN=1 pytest tests/test_rendering_golden.py

The .html files open in a browser as the mail client would show them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from notifier.rendering.notice import NoticeRenderer
from notifier.rendering.types import RenderedNotice
from tests.rendering_helpers import SITUATIONS, notice

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = {
    **{name: {"phase": p, "days_before": d, "count": 5} for name, (p, d) in SITUATIONS.items()},
    # one function (singular wording), and a list cut short with the CSV attached
    "one_function": {"phase": SITUATIONS["deprecated"][0], "days_before": 0, "count": 1},
    "long_list": {"phase": SITUATIONS["create_blocked_soon"][0], "days_before": 7, "count": 130},
}


@pytest.fixture(scope="module")
def renderer() -> NoticeRenderer:
    return NoticeRenderer()


def as_text(out: RenderedNotice) -> str:
    attached = getattr(out, "list_filename", "") or "(none)"
    return (
        f"Subject: {out.subject}\nAttachment: {attached}\n\n{out.text}\n"
        f"===== Health event description =====\n{out.health_description}\n"
    )


def check(path: Path, actual: str) -> None:
    if os.environ.get("NOTIFIER_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.is_file(), f"{path.name} missing: run NOTIFIER_UPDATE_GOLDEN=1 pytest {__file__}"
    assert actual == path.read_text(encoding="utf-8"), f"{path.name} changed: review, regenerate"


@pytest.mark.parametrize("name", list(CASES))
def test_the_text_and_health_description_match_the_golden_files(
    renderer: NoticeRenderer, name: str
) -> None:
    check(GOLDEN / f"{name}.txt", as_text(renderer.render(notice(**CASES[name]))))  # type: ignore[arg-type]


@pytest.mark.parametrize("name", list(CASES))
def test_the_html_matches_the_golden_files(renderer: NoticeRenderer, name: str) -> None:
    check(GOLDEN / f"{name}.html", renderer.render(notice(**CASES[name])).html)  # type: ignore[arg-type]
