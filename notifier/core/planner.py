"""The planner: which notices are due on a given day. Pure: takes `as_of`, never reads the clock."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from notifier.core.domain import (
    Account,
    Calendar,
    DatedMilestone,
    Milestone,
    Notice,
    Runtime,
)
from notifier.core.notices import NoticeDay, build_notice, dated

PairKey = tuple[str, str]  # (account_id, runtime identifier)


@dataclass(frozen=True)
class Affected:
    """An account with at least one in-scope function on a runtime (rule 1), and those functions."""

    account: Account
    runtime: str
    functions: tuple[str, ...]


def milestones_for(runtime: Runtime, schedule: Sequence[Milestone]) -> list[DatedMilestone]:
    """The runtime's dated milestones ordered by date, then phase (rule 2); none for empty dates."""
    found = (dated(runtime, m) for m in schedule)
    return sorted((d for d in found if d is not None), key=lambda d: d.order_key)


def current_milestone(
    runtime: Runtime, schedule: Sequence[Milestone], as_of: date
) -> DatedMilestone | None:
    """The latest milestone dated on or before `as_of` (rule 3), or None before the first."""
    reached = [m for m in milestones_for(runtime, schedule) if m.date <= as_of]
    return reached[-1] if reached else None


def due_milestone(
    runtime: Runtime,
    schedule: Sequence[Milestone],
    as_of: date,
    sent: Sequence[DatedMilestone],
) -> DatedMilestone | None:
    """The milestone to notify now, if any: the current one, when it orders after all sent ones.

    A sent milestone is ordered by its date in today's calendar when the phase still has a date,
    else by the date recorded when it was sent, so moved dates are judged by the calendar in force.
    """
    return due_from(runtime, current_milestone(runtime, schedule, as_of), sent)


def due_from(
    runtime: Runtime, current: DatedMilestone | None, sent: Sequence[DatedMilestone]
) -> DatedMilestone | None:
    """`due_milestone` given the runtime's current milestone (the same for every pair)."""
    if current is None:
        return None
    last = max((_recomputed(runtime, s).order_key for s in sent), default=None)
    if last is not None and current.order_key <= last:
        return None
    return current


def _recomputed(runtime: Runtime, sent: DatedMilestone) -> DatedMilestone:
    return dated(runtime, sent.milestone) or sent


@dataclass(frozen=True)
class PlanContext:
    """The facts a plan needs besides the affected pairs."""

    as_of: date
    calendar: Calendar
    schedule: Sequence[Milestone]
    recipient_kinds: Sequence[str]


@dataclass(frozen=True)
class _RuntimeFacts:
    """What a plan knows of a runtime on its day, worked out once per plan, not per pair."""

    day: NoticeDay
    current: DatedMilestone | None


def plan(
    context: PlanContext,
    affected: Iterable[Affected],
    sent: Mapping[PairKey, Sequence[DatedMilestone]],
) -> Iterator[Notice]:
    """The notices due on `context.as_of`, at most one per (account, runtime) (rule 4)."""
    seen: set[PairKey] = set()
    facts: dict[str, _RuntimeFacts | None] = {}
    for item in affected:
        pair = (item.account.account_id, item.runtime)
        if pair in seen or not item.functions:
            continue
        seen.add(pair)
        if item.runtime not in facts:
            facts[item.runtime] = _facts(context, item.runtime)
        known = facts[item.runtime]
        notice = None if known is None else _notice_for(context, known, item, sent.get(pair, ()))
        if notice is not None:
            yield notice


def _facts(context: PlanContext, identifier: str) -> _RuntimeFacts | None:
    runtime = context.calendar.get(identifier)
    if runtime is None:
        return None
    return _RuntimeFacts(
        NoticeDay.of(context.calendar, runtime, context.as_of),
        current_milestone(runtime, context.schedule, context.as_of),
    )


def _notice_for(
    context: PlanContext, facts: _RuntimeFacts, item: Affected, sent: Sequence[DatedMilestone]
) -> Notice | None:
    milestone = due_from(facts.day.runtime, facts.current, sent)
    if milestone is None:
        return None
    return build_notice(facts.day, item.account, milestone, item.functions, context.recipient_kinds)
