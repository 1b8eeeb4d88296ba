"""What fits in what is left of SES's 24-hour sending quota, by urgency.

Before a run, the day's planned notices and the deliveries still open from earlier runs (sent
first) are compared with what the account may still send (Max24HourSend - SentLast24Hours, as
the set-up check found). When they do not fit, the notices nearest their phase date go first;
the rest are not recorded this run: the next run plans them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from notifier.core.domain import Notice, NoticeKey
from notifier.service.planning import PlanInputs, due_batches
from notifier.service.ports import Stores

PAGE = 1000


@dataclass(frozen=True)
class QuotaPlan:
    left: int  # messages the provider still takes in its 24 hours
    deferred: frozenset[NoticeKey]  # the day's notices left for the next run

    def note(self) -> str | None:
        if not self.deferred:
            return None
        return (
            f"ses: {self.left} messages left in the 24-hour quota; sending the most urgent "
            f"first, {len(self.deferred)} notices left pending for the next run"
        )


def plan_quota(stores: Stores, inputs: PlanInputs, channel: str, left: int) -> QuotaPlan:
    """The notices of the day that do not fit in `left`, the least urgent ones."""
    room = max(0, left - open_deliveries(stores, channel))
    planned = sorted((_urgency(n), n.key) for batch in due_batches(stores, inputs) for n in batch)
    if len(planned) <= room:
        return QuotaPlan(left, frozenset())
    return QuotaPlan(left, frozenset(key for _, key in planned[room:]))


def open_deliveries(stores: Stores, channel: str) -> int:
    """Deliveries on `channel` still to be sent from earlier runs."""
    count, cursor = 0, 0
    while page := stores.deliveries.pending_deliveries([channel], cursor, PAGE):
        count += sum(d.status != "sending" for d in page)
        cursor = page[-1].delivery_id
    return count


def _urgency(notice: Notice) -> tuple[date, str]:
    """The phase date first (the milestone's date plus its days before), then a stable order."""
    milestone = notice.milestone
    return milestone.date + timedelta(days=milestone.days_before), str(notice.key)
