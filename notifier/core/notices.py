"""How a notice is built: one rule for the planner's notices and the previews' sample notices,
so a preview shows what a run would send. Pure: takes its day, never reads the clock."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from notifier.core.domain import Account, Calendar, DatedMilestone, Milestone, Notice, Runtime


def dated(runtime: Runtime, milestone: Milestone) -> DatedMilestone | None:
    """The milestone's day: `days_before` the runtime's phase date; None when it has no date."""
    when = runtime.phase_date(milestone.phase)
    if when is None:
        return None
    day = when - timedelta(days=milestone.days_before)
    return DatedMilestone(milestone.phase, milestone.days_before, day)


@dataclass(frozen=True)
class NoticeDay:
    """A runtime as its notices tell of it on one day: the day, and the runtime's successor then.
    Worked out once per runtime and day (a plan has thousands of notices on the same one)."""

    runtime: Runtime
    as_of: date
    successor: Runtime | None

    @classmethod
    def of(cls, calendar: Calendar, runtime: Runtime, as_of: date) -> NoticeDay:
        return cls(runtime, as_of, calendar.successor(runtime, as_of))


def build_notice(
    day: NoticeDay,
    account: Account,
    milestone: DatedMilestone,
    functions: Iterable[str],
    recipient_kinds: Sequence[str],
) -> Notice:
    """The notice to `account` on `day` at `milestone`: its functions sorted, and the addresses of
    its contacts of the given kinds as recipients."""
    return Notice(
        account=account,
        runtime=day.runtime,
        successor=day.successor,
        milestone=milestone,
        functions=tuple(sorted(functions)),
        recipients=account.recipients(recipient_kinds),
        as_of=day.as_of,
    )


def milestone_notice(
    calendar: Calendar,
    account: Account,
    runtime: Runtime,
    milestone: Milestone,
    functions: Iterable[str],
    recipient_kinds: Sequence[str],
    as_of: date | None = None,
) -> Notice:
    """The notice the planner sends at `milestone` (`as_of` defaults to the milestone's day).
    ValueError when the runtime has no date for the milestone's phase."""
    found = dated(runtime, milestone)
    if found is None:
        raise ValueError(
            f"{runtime.identifier} has no {milestone.phase.value} date in the calendar"
        )
    day = NoticeDay.of(calendar, runtime, as_of or found.date)
    return build_notice(day, account, found, functions, recipient_kinds)
