"""Counts and lists: words agree with their numbers, long lists are cut fairly and travel whole
as a CSV attachment."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace

import pytest

from notifier.core.domain import Phase, function_arn
from notifier.rendering.listing import function_list_csv, list_filename_of
from notifier.rendering.notice import NoticeRenderer
from notifier.rendering.types import RenderedNotice
from tests.rendering_helpers import ACCOUNT, notice, overlong_lines, visible_text


@pytest.fixture(scope="module")
def renderer() -> NoticeRenderer:
    return NoticeRenderer()


def flat(out: RenderedNotice) -> tuple[str, str]:
    return " ".join(out.text.split()), visible_text(out.html)


def spread(counts: dict[str, int]) -> tuple[str, ...]:
    return tuple(
        sorted(
            function_arn(region, ACCOUNT.account_id, f"fn-{i:05d}")
            for region, count in counts.items()
            for i in range(count)
        )
    )


@pytest.mark.parametrize(
    ("counts", "phrases"),
    [
        (
            {"us-east-1": 1},
            [
                "has 1 function on the AWS Lambda runtime",
                "1 function in 1 Region uses python3.10, listed below.",
                "The Region's AWS Health event names it too",
                "List it with the AWS CLI",
                "Move your function to Python 3.14",
                "Your function keeps running after every one of these dates",
            ],
        ),
        (
            {"us-east-1": 2},
            [
                "has 2 functions on",
                "2 functions in 1 Region use python3.10, listed below.",
                "The Region's AWS Health event names them too",
                "List them with the AWS CLI",
                "Move your functions to",
                "Your functions keep running",
            ],
        ),
        (
            {"us-east-1": 2, "eu-west-1": 1},
            [
                "3 functions in 2 Regions use python3.10, listed below by Region.",
                "Each Region's AWS Health event names them too",
                "eu-west-1: 1 function",
                "us-east-1: 2 functions",
            ],
        ),
    ],
)
def test_words_agree_with_the_counts_in_text_and_html(
    renderer: NoticeRenderer, counts: dict[str, int], phrases: list[str]
) -> None:
    sample = notice(phase=Phase.DEPRECATION, days_before=0)
    text, html = flat(renderer.render(replace(sample, functions=spread(counts))))
    for phrase in phrases:
        assert phrase in text
        assert phrase in html


def test_big_counts_have_thousands_separators_and_the_html_stays_under_100_kb(
    renderer: NoticeRenderer,
) -> None:
    regions = [
        f"{a}-{b}-{n}" for a in ("us", "eu", "ap", "ca") for b in ("east", "west") for n in (1, 2)
    ]
    counts = {r: 313 if i < 8 else 312 for i, r in enumerate(regions)}
    sample = notice(phase=Phase.BLOCK_UPDATE, days_before=7)
    out = renderer.render(replace(sample, functions=spread(counts)))
    text, html = flat(out)
    assert "5,000 functions in 16 Regions use python3.10. The first 50 are listed below" in text
    assert "lists all 5,000" in text and "lists all 5,000" in html
    assert re.search(r"^    \.\.\. and 3\d\d more in ap-east-1$", out.text, re.MULTILINE)
    assert len(out.html.encode("utf-8")) < 100_000
    assert overlong_lines(out.text) == []


def test_the_list_is_shared_fairly_so_a_small_region_shows_whole() -> None:
    sample = notice(phase=Phase.DEPRECATION, days_before=30)
    arns = spread({"us-east-1": 40, "eu-west-1": 2, "ap-south-1": 9})
    out = NoticeRenderer(max_functions=10).render(replace(sample, functions=arns))
    listed = [line.strip() for line in out.text.splitlines() if ":function:fn-" in line]
    by_region = {
        r: sum(f":{r}:" in a for a in listed) for r in ("us-east-1", "eu-west-1", "ap-south-1")
    }
    assert by_region == {"eu-west-1": 2, "ap-south-1": 4, "us-east-1": 4}
    assert "... and 36 more in us-east-1" in out.text
    assert "... and 5 more in ap-south-1" in out.text


def test_a_cut_list_names_its_csv_attachment_and_a_full_one_has_none(
    renderer: NoticeRenderer,
) -> None:
    full = renderer.render(notice(count=50))
    assert list_filename_of(full) is None
    assert "attached" not in full.text and "Attached" not in visible_text(full.html)
    cut = renderer.render(notice(count=51))
    assert list_filename_of(cut) == "functions-123456789012-python3.10.csv"
    text, html = flat(cut)
    assert "the attached file functions-123456789012-python3.10.csv lists all 51" in text
    assert "Attached: functions-123456789012-python3.10.csv, every affected function (51" in html


@pytest.mark.parametrize(
    ("limit", "phrase"), [(1, "Only the first is listed below"), (0, "None is listed here")]
)
def test_tiny_limits_still_read_well(limit: int, phrase: str) -> None:
    out = NoticeRenderer(max_functions=limit).render(notice(count=3))
    assert phrase in " ".join(out.text.split())


def test_the_csv_lists_every_function_with_account_region_and_runtime() -> None:
    sample = notice(count=7)
    rows = list(csv.reader(io.StringIO(function_list_csv(sample).decode("utf-8"))))
    assert rows[0] == ["account_id", "region", "function_arn", "runtime"]
    assert [r[2] for r in rows[1:]] == list(sample.functions)
    assert {(r[0], r[3]) for r in rows[1:]} == {("123456789012", "python3.10")}
    assert rows[1][1] == "eu-west-1"
    assert function_list_csv(sample).count(b"\r\n") == 8


@pytest.mark.parametrize(
    ("arn", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("-2+3", "'-2+3"),
        ("arn:aws:lambda:us-east-1:1:function:a,b", "arn:aws:lambda:us-east-1:1:function:a,b"),
        ('say "hi"', 'say "hi"'),
        ("two\r\nlines", "two\r\nlines"),
    ],
)
def test_any_cell_reads_back_as_it_was_and_formulas_stay_text(arn: str, cell: str) -> None:
    hostile = replace(notice(count=1), functions=(arn,))
    data = function_list_csv(hostile).decode("utf-8")
    rows = list(csv.reader(io.StringIO(data, newline="")))
    assert len(rows) == 2 and rows[1][2] == cell
