"""What a recipient reads: every situation renders, with the facts a good notice carries."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from notifier.core.domain import Phase
from notifier.rendering.environment import long_date, plural, relative, wrap
from notifier.rendering.notice import VARIANTS, NoticeRenderer
from notifier.rendering.types import RenderedNotice
from tests.rendering_helpers import (
    SITUATIONS,
    elements,
    notice,
    overlong_lines,
    visible_text,
    with_account_name,
)

LIST_COMMAND = (
    "aws lambda list-functions --region {region} --output text "
    "--query \"Functions[?Runtime=='{id}'].FunctionArn\""
)


@pytest.fixture(scope="module")
def renderer() -> NoticeRenderer:
    return NoticeRenderer()


def render_situation(renderer: NoticeRenderer, name: str, **kwargs: object) -> RenderedNotice:
    phase, days_before = SITUATIONS[name]
    return renderer.render(notice(phase=phase, days_before=days_before, **kwargs))  # type: ignore[arg-type]


def test_the_samples_cover_every_situation_the_renderer_knows(renderer: NoticeRenderer) -> None:
    seen = {renderer.variant(notice(phase=p, days_before=d)) for p, d in SITUATIONS.values()}
    assert seen == set(VARIANTS) == set(SITUATIONS)


@pytest.mark.parametrize(
    ("phase", "days_before", "as_of", "expected"),
    [
        (Phase.DEPRECATION, 180, None, "deprecation_ahead"),
        (Phase.DEPRECATION, 0, None, "deprecated"),
        (Phase.DEPRECATION, 30, date(2026, 11, 2), "deprecated"),  # sent late: date passed
        (Phase.BLOCK_CREATE, 30, None, "create_blocked_soon"),
        (Phase.BLOCK_CREATE, 0, None, "create_blocked"),
        (Phase.BLOCK_UPDATE, 7, None, "update_blocked_soon"),
        (Phase.BLOCK_UPDATE, 7, date(2027, 3, 3), "update_blocked"),
        (Phase.BLOCK_UPDATE, 0, None, "update_blocked"),
    ],
)
def test_the_situation_follows_the_milestone_and_whether_its_date_is_reached(
    renderer: NoticeRenderer, phase: Phase, days_before: int, as_of: date | None, expected: str
) -> None:
    assert renderer.variant(notice(phase=phase, days_before=days_before, as_of=as_of)) == expected


@pytest.mark.parametrize("name", list(SITUATIONS))
def test_every_situation_renders_all_four_parts_with_the_facts(
    renderer: NoticeRenderer, name: str
) -> None:
    out = render_situation(renderer, name)
    assert out.subject.startswith("[Action required] ")
    assert "Python 3.10 (python3.10)" in out.subject
    for body in (out.text, out.html, out.health_description):
        assert "Python 3.10" in body and "python3.10" in body
        assert "invocations are never blocked" in " ".join(body.split())
        assert "Python 3.14 (python3.14)" in body  # the successor
        assert "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html" in body
    assert '"Acme Payments" (123456789012)' in " ".join(out.text.split())
    assert '"Acme Payments" (123456789012)' in visible_text(out.html)


@pytest.mark.parametrize(
    ("name", "subject"),
    [
        (
            "deprecation_ahead",
            "AWS Lambda support for Python 3.10 (python3.10) ends on Saturday, 31 October 2026",
        ),
        (
            "deprecated",
            "Python 3.10 (python3.10) is deprecated on AWS Lambda; new functions refused from "
            "Monday, 1 February 2027",
        ),
        (
            "create_blocked_soon",
            "AWS Lambda refuses new Python 3.10 (python3.10) functions from Monday, "
            "1 February 2027",
        ),
        (
            "create_blocked",
            "AWS Lambda refuses new Python 3.10 (python3.10) functions; updates refused from "
            "Wednesday, 3 March 2027",
        ),
        (
            "update_blocked_soon",
            "AWS Lambda refuses updates to Python 3.10 (python3.10) functions from Wednesday, "
            "3 March 2027",
        ),
        (
            "update_blocked",
            "AWS Lambda refuses updates to Python 3.10 (python3.10) functions since Wednesday, "
            "3 March 2027",
        ),
    ],
)
def test_the_subject_names_the_runtime_and_the_next_date(
    renderer: NoticeRenderer, name: str, subject: str
) -> None:
    assert render_situation(renderer, name).subject == f"[Action required] {subject}"


def test_each_date_is_listed_with_what_changes_and_how_far_away_it_is(
    renderer: NoticeRenderer,
) -> None:
    text = " ".join(render_situation(renderer, "create_blocked_soon").text.split())
    assert (
        "Starting Saturday, 31 October 2026 (past, 86 days ago): the runtime is deprecated" in text
    )
    assert "Starting Monday, 1 February 2027 (in 7 days): requests to create a new function" in text
    assert "Starting Wednesday, 3 March 2027 (in 37 days): requests to change the code" in text


def test_a_date_reached_today_is_marked_today(renderer: NoticeRenderer) -> None:
    text = " ".join(render_situation(renderer, "create_blocked").text.split())
    assert "Starting Monday, 1 February 2027 (today): requests to create" in text


def test_an_unannounced_date_is_said_to_be_unannounced(renderer: NoticeRenderer) -> None:
    out = renderer.render(notice("java17.al2023", Phase.DEPRECATION, 180))
    text = " ".join(out.text.split())
    assert "Date not announced yet: requests to create a new function on java17.al2023" in text
    html = visible_text(out.html)
    assert "Not announced yet Requests to create a new function on java17.al2023" in html
    assert "We will write again once AWS sets a date." in html


def test_the_action_names_the_successor_and_the_date_to_move_by(renderer: NoticeRenderer) -> None:
    text = " ".join(render_situation(renderer, "deprecated").text.split())
    assert (
        "Move your functions to Python 3.14 (python3.14) before Monday, 1 February 2027, "
        "when creating functions on python3.10 is refused." in text
    )


def test_without_a_successor_the_action_points_to_a_supported_runtime_of_the_family(
    renderer: NoticeRenderer,
) -> None:
    out = renderer.render(replace(notice("python3.9", Phase.BLOCK_UPDATE, 30), successor=None))
    text = " ".join(out.text.split())
    assert (
        "Move your functions to a supported python runtime before Wednesday, 3 March 2027" in text
    )


def test_functions_are_grouped_by_region_with_the_command_and_health_event_of_each(
    renderer: NoticeRenderer,
) -> None:
    out = render_situation(renderer, "deprecation_ahead", count=3)
    east = out.text.index("us-east-1: 2 functions")
    west = out.text.index("eu-west-1: 1 function\n")
    assert west < east  # Regions sorted
    for region in ("eu-west-1", "us-east-1"):
        command = LIST_COMMAND.format(region=region, id="python3.10")
        assert command in out.text and command in out.health_description
        assert (
            f"arn:aws:health:{region}::event/LAMBDA/AWS_LAMBDA_PLANNED_LIFECYCLE_EVENT/" in out.text
        )
    assert "arn:aws:lambda:us-east-1:123456789012:function:orders-002" in out.text
    assert "arn:aws:lambda:us-east-1:123456789012:function:orders-002" in out.html


def test_a_long_function_list_is_cut_at_max_functions_and_says_how_many_more() -> None:
    out = NoticeRenderer(max_functions=5).render(notice(count=12))
    listed = [line for line in out.text.splitlines() if ":function:orders-" in line]
    assert len(listed) == 5
    assert "12 functions in 2 Regions use python3.10. The first 5 are listed below" in " ".join(
        out.text.split()
    )
    assert "... and 4 more in eu-west-1" in out.text
    assert "... and 3 more in us-east-1" in out.text
    assert out.html.count(":function:orders-") == 5
    assert "... and 3 more in us-east-1" in visible_text(out.html)


@pytest.mark.parametrize("name", list(SITUATIONS))
def test_text_lines_fit_78_columns_except_urls_arns_and_commands(
    renderer: NoticeRenderer, name: str
) -> None:
    long_name = with_account_name(notice(), "A" * 30 + " Payments Platform Production EU")
    phase, days = SITUATIONS[name]
    sample = notice(phase=phase, days_before=days, account=long_name.account)
    out = renderer.render(sample)
    assert overlong_lines(out.text) == []
    assert overlong_lines(out.health_description) == []


HOSTILE = ["<script>alert(1)</script>", "{{ 7*7 }}", "{% raw %}x", "a & b \"q\" 'p' <b>"]


@pytest.mark.parametrize("name", HOSTILE)
def test_an_account_name_is_shown_as_text_never_as_markup_or_template_code(
    renderer: NoticeRenderer, name: str
) -> None:
    out = renderer.render(with_account_name(notice(), name))
    assert f'"{name}" (123456789012)' in " ".join(out.text.split())
    assert f'"{name}" (123456789012)' in visible_text(out.html)
    assert f'"{name}" (123456789012)' in " ".join(out.health_description.split())
    assert elements(out.html) == elements(renderer.render(notice()).html)  # no tag added
    assert '"49"' not in out.text and '"49"' not in visible_text(out.html)


def test_line_breaks_in_an_account_name_stay_out_of_the_subject_and_the_text_layout(
    renderer: NoticeRenderer,
) -> None:
    out = renderer.render(with_account_name(notice(), "Evil\r\nBcc: victim@example.com\n\nHi"))
    assert "\r" not in out.subject and "\n" not in out.subject
    assert '"Evil Bcc: victim@example.com Hi" (123456789012)' in " ".join(out.text.split())
    assert "\nBcc:" not in out.text and "\r" not in out.text


def test_rendering_the_same_notice_twice_gives_the_same_output(renderer: NoticeRenderer) -> None:
    assert render_situation(renderer, "deprecated") == render_situation(renderer, "deprecated")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2027, 2, 1), "Monday, 1 February 2027"),
        (date(2026, 10, 31), "Saturday, 31 October 2026"),
        (date(2029, 8, 5), "Sunday, 5 August 2029"),
    ],
)
def test_long_dates_spell_out_the_weekday_and_month(day: date, expected: str) -> None:
    assert long_date(day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 5, 4), "today"),
        (date(2026, 5, 5), "tomorrow"),
        (date(2026, 6, 3), "in 30 days"),
        (date(2026, 5, 3), "yesterday"),
        (date(2026, 4, 22), "12 days ago"),
    ],
)
def test_relative_dates_count_days_from_as_of(day: date, expected: str) -> None:
    assert relative(day, date(2026, 5, 4)) == expected


@pytest.mark.parametrize(
    ("count", "args", "expected"),
    [(1, ("function",), "1 function"), (3, ("function",), "3 functions"),
     (0, ("Region",), "0 Regions"), (2, ("entry", "entries"), "2 entries")],
)  # fmt: skip
def test_plural_picks_the_word_for_the_count(
    count: int, args: tuple[str, ...], expected: str
) -> None:
    assert plural(count, *args) == expected


def test_wrap_refills_paragraphs_and_keeps_long_words_whole() -> None:
    url = "https://example.com/" + "x" * 80
    text = "word " * 30 + url + " end\n\n  second   paragraph"
    lines = wrap(text, "    ", "  * ").splitlines()
    assert lines[0].startswith("  * word") and all(
        len(line) <= 78 for line in lines if url not in line
    )
    assert f"    {url}" in lines and lines[-2:] == ["", "    second paragraph"]
