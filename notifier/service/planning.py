"""Drives the pure planner over the store in bounded batches of accounts."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from itertools import groupby

from notifier.core.domain import Calendar, DatedMilestone, Milestone, Notice
from notifier.core.planner import (
    Affected,
    PairKey,
    PlanContext,
    current_milestone,
    due_from,
    plan,
)
from notifier.core.records import PairCount
from notifier.service.ports import Stores

BATCH_ACCOUNTS = 500


@dataclass(frozen=True)
class PlanInputs:
    as_of: date
    calendar: Calendar
    schedule: Sequence[Milestone]
    recipient_kinds: Sequence[str]

    @property
    def context(self) -> PlanContext:
        return PlanContext(self.as_of, self.calendar, self.schedule, self.recipient_kinds)

    @cached_property
    def current(self) -> dict[str, DatedMilestone | None]:
        """Each runtime's current milestone on the as-of day, worked out once."""
        return {
            r.identifier: current_milestone(r, self.schedule, self.as_of) for r in self.calendar
        }


def active_runtimes(inputs: PlanInputs) -> list[str]:
    """Runtimes with at least one milestone reached on the as-of day: the only ones to look at."""
    return [identifier for identifier, current in inputs.current.items() if current is not None]


def due_batches(
    stores: Stores, inputs: PlanInputs, account_ids: Collection[str] | None = None
) -> Iterator[list[Notice]]:
    """The due notices, a batch of accounts at a time, so memory stays flat at any fleet size."""
    runtimes = active_runtimes(inputs)
    if not runtimes:
        return
    pairs = stores.inventory.affected_pairs(runtimes, account_ids)
    for batch in _account_batches(pairs):
        notices = _plan_batch(stores, inputs, batch)
        if notices:
            yield notices


def _account_batches(pairs: Iterator[PairCount]) -> Iterator[list[PairCount]]:
    batch: list[PairCount] = []
    accounts = 0
    for _, group in groupby(pairs, key=lambda p: p.account_id):
        batch.extend(group)
        accounts += 1
        if accounts >= BATCH_ACCOUNTS:
            yield batch
            batch, accounts = [], 0
    if batch:
        yield batch


def _plan_batch(stores: Stores, inputs: PlanInputs, batch: list[PairCount]) -> list[Notice]:
    """Ask the ledger, keep the pairs with a due milestone, then load only their functions."""
    ids = sorted({p.account_id for p in batch})
    sent = stores.ledger.sent_milestones(ids)
    due = [p for p in batch if _is_due(inputs, p, sent)]
    if not due:
        return []
    keys: list[PairKey] = [(p.account_id, p.runtime) for p in due]
    arns = stores.inventory.function_arns(keys)
    accounts = stores.accounts.accounts({p.account_id for p in due})
    affected = [Affected(accounts[a], r, arns.get((a, r), ())) for a, r in keys if a in accounts]
    return list(plan(inputs.context, affected, sent))


def _is_due(inputs: PlanInputs, pair: PairCount, sent: dict[PairKey, list[DatedMilestone]]) -> bool:
    runtime = inputs.calendar.get(pair.runtime)
    if runtime is None:
        return False
    already = sent.get((pair.account_id, pair.runtime), [])
    return due_from(runtime, inputs.current[pair.runtime], already) is not None
