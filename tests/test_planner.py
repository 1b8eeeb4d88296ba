"""The planner's rules, each pinned by a table."""

from __future__ import annotations

from datetime import date

import pytest

from notifier.core.domain import (
    DEFAULT_SCHEDULE,
    Account,
    Calendar,
    DatedMilestone,
    Milestone,
    Phase,
    Runtime,
)
from notifier.core.planner import Affected, PlanContext, current_milestone, due_milestone, plan

DEP, BC, BU = Phase.DEPRECATION, Phase.BLOCK_CREATE, Phase.BLOCK_UPDATE
D = date.fromisoformat

PY311 = Runtime(
    "python3.11", "Python 3.11", "python", "", D("2027-06-30"), D("2027-07-31"), D("2027-08-31")
)
PY313 = Runtime(
    "python3.13", "Python 3.13", "python", "", D("2029-06-30"), D("2029-07-31"), D("2029-08-31")
)
PREVIEW = Runtime("python3.15", "Python 3.15", "python", note="public preview")
# deprecation:0 and block_create:30 fall on the same day
SAME_DAY = Runtime("ruby9", "Ruby 9", "ruby", "", D("2027-07-01"), D("2027-07-31"), None)
ONLY_DEP = Runtime("go1.x", "Go 1.x", "go", "", D("2027-03-01"), None, None)
CAL = Calendar({r.identifier: r for r in (PY311, PY313, PREVIEW, SAME_DAY, ONLY_DEP)})
ACCOUNT = Account("111122223333", "Payments", "Root@Example.com", "root@example.com")


def sent(*items: tuple[Phase, int, str]) -> list[DatedMilestone]:
    return [DatedMilestone(p, n, D(d)) for p, n, d in items]


def test_milestones_are_ordered_by_date_then_phase() -> None:
    reached = [current_milestone(SAME_DAY, DEFAULT_SCHEDULE, D("2027-07-01"))]
    assert reached[0] == DatedMilestone(BC, 30, D("2027-07-01"))


@pytest.mark.parametrize(
    ("runtime", "as_of", "already", "expected"),
    [
        # before the first milestone: nothing
        (PY311, "2026-12-31", [], None),
        # the first milestone's day
        (PY311, "2027-01-01", [], (DEP, 180)),
        # catch-up: 180 and 90 both passed, only the newest is sent
        (PY311, "2027-05-01", [], (DEP, 90)),
        (PY311, "2027-05-01", [(DEP, 180, "2027-01-01")], (DEP, 90)),
        # already sent the current one: nothing
        (PY311, "2027-05-01", [(DEP, 90, "2027-04-01")], None),
        # never send anything older than the last one sent
        (PY311, "2027-05-01", [(DEP, 30, "2027-05-31")], None),
        # the deprecation day itself
        (PY311, "2027-06-30", [(DEP, 7, "2027-06-23")], (DEP, 0)),
        # block_create:30 is the day after deprecation:0
        (PY311, "2027-07-01", [(DEP, 0, "2027-06-30")], (BC, 30)),
        (PY311, "2028-01-01", [(BC, 0, "2027-07-31")], (BU, 0)),
        (PY311, "2028-01-01", [(BU, 0, "2027-08-31")], None),
        # two milestones on one day: the later phase wins
        (SAME_DAY, "2027-07-01", [], (BC, 30)),
        (SAME_DAY, "2027-07-01", [(DEP, 0, "2027-07-01")], (BC, 30)),
        # an empty phase date has no milestones
        (ONLY_DEP, "2030-01-01", [], (DEP, 0)),
        (ONLY_DEP, "2030-01-01", [(DEP, 0, "2027-03-01")], None),
        # preview runtimes have no dates, so never a notice
        (PREVIEW, "2030-01-01", [], None),
    ],
)
def test_due_milestone_rule_table(
    runtime: Runtime,
    as_of: str,
    already: list[tuple[Phase, int, str]],
    expected: tuple[Phase, int] | None,
) -> None:
    due = due_milestone(runtime, DEFAULT_SCHEDULE, D(as_of), sent(*already))
    assert (None if due is None else (due.phase, due.days_before)) == expected


def test_a_sent_milestone_is_judged_by_the_calendar_in_force() -> None:
    # deprecation:30 was sent when the date was 2027-03-01; the date moved to 2027-06-30.
    moved_from = sent((DEP, 30, "2027-01-30"))
    assert due_milestone(PY311, DEFAULT_SCHEDULE, D("2027-05-31"), moved_from) is None
    due = due_milestone(PY311, DEFAULT_SCHEDULE, D("2027-06-23"), moved_from)
    assert due == DatedMilestone(DEP, 7, D("2027-06-23"))


def test_a_configured_schedule_replaces_the_default() -> None:
    schedule = (Milestone(DEP, 365), Milestone(DEP, 0))
    due = due_milestone(PY311, schedule, D("2027-05-01"), [])
    assert due == DatedMilestone(DEP, 365, D("2026-06-30"))


def context(as_of: str) -> PlanContext:
    return PlanContext(D(as_of), CAL, DEFAULT_SCHEDULE, ("primary", "operations"))


def test_plan_sends_at_most_one_notice_per_account_and_runtime() -> None:
    twice = [
        Affected(ACCOUNT, "python3.11", ("arn:b",)),
        Affected(ACCOUNT, "python3.11", ("arn:a",)),
    ]
    notices = list(plan(context("2027-05-01"), twice, {}))
    assert len(notices) == 1


def test_plan_skips_accounts_without_functions_and_unknown_runtimes() -> None:
    items = [Affected(ACCOUNT, "python3.11", ()), Affected(ACCOUNT, "nodejs99.x", ("arn:a",))]
    assert list(plan(context("2027-05-01"), items, {})) == []


def test_a_notice_carries_sorted_functions_deduplicated_recipients_and_successor() -> None:
    arns = (
        "arn:aws:lambda:us-west-2:111122223333:function:b",
        "arn:aws:lambda:eu-west-1:111122223333:function:a",
    )
    (notice,) = plan(context("2027-05-01"), [Affected(ACCOUNT, "python3.11", arns)], {})
    assert notice.functions == tuple(sorted(arns))
    assert notice.recipients == ("Root@Example.com",)
    assert notice.successor == PY313
    assert notice.milestone == DatedMilestone(DEP, 90, D("2027-04-01"))
    assert list(notice.regions()) == ["eu-west-1", "us-west-2"]


def test_plan_respects_what_the_ledger_already_holds() -> None:
    ledger = {("111122223333", "python3.11"): sent((DEP, 90, "2027-04-01"))}
    items = [Affected(ACCOUNT, "python3.11", ("arn:a",))]
    assert list(plan(context("2027-05-01"), items, ledger)) == []
    (later,) = plan(context("2027-06-01"), items, ledger)
    assert later.milestone.days_before == 30
