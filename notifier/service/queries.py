"""Read-only use cases: dry run, history, the calendar on a day, and their JSON forms."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import date
from typing import Any

from notifier.core.domain import Calendar, Notice
from notifier.core.planner import current_milestone
from notifier.core.records import HistoryRow
from notifier.service.compose import Composer, Prepared
from notifier.service.planning import PlanInputs, due_batches
from notifier.service.ports import Ledger, Stores


def dry_run(
    stores: Stores,
    inputs: PlanInputs,
    composer: Composer,
    account_ids: Collection[str] | None = None,
) -> Iterator[Prepared]:
    """What a run on `inputs.as_of` would send, rendered, in account then runtime order."""
    for batch in due_batches(stores, inputs, account_ids):
        yield from composer.prepare_all(batch).values()


def milestone_json(notice: Notice) -> dict[str, Any]:
    m = notice.milestone
    return {"phase": m.phase.value, "days_before": m.days_before, "date": m.date.isoformat()}


def notice_json(prepared: Prepared) -> dict[str, Any]:
    """One notice in the dry-run JSON contract."""
    notice = prepared.notice
    found = {
        "account_id": notice.account.account_id,
        "runtime": notice.runtime.identifier,
        "milestone": milestone_json(notice),
        "recipients": sorted(notice.recipients),
        "functions": sorted(notice.functions),
        "subject": prepared.rendered.subject,
    }
    return found if prepared.error is None else {**found, "problem": prepared.error}


def history(
    ledger: Ledger, account_ids: Collection[str] | None = None, status: str | None = None
) -> list[HistoryRow]:
    """The notices sent (with a delivery in `status`, when given), by account, runtime and
    milestone date (the store's order)."""
    return ledger.history(account_ids, status)


def history_json(row: HistoryRow) -> dict[str, Any]:
    """One sent notice in the history JSON contract."""
    n = row.notice
    return {
        "account_id": n.key.account_id,
        "runtime": n.key.runtime,
        "milestone": {
            "phase": n.milestone.phase.value,
            "days_before": n.milestone.days_before,
            "date": n.milestone.date.isoformat(),
        },
        "recipients": sorted(n.recipients),
        "functions": sorted(n.functions),
        "subject": n.subject,
        "sent_on": row.sent_on.isoformat(),
        "channels": dict(sorted(row.channels.items())),
        "refused": {
            channel: [{"address": r.address, "reason": r.reason} for r in refusals]
            for channel, refusals in sorted(row.refused.items())
        },
    }


def calendar_rows(calendar: Calendar, inputs: PlanInputs) -> list[dict[str, Any]]:
    """Each runtime with its three dates, its phase on the as-of day and its next milestone."""
    return [_calendar_row(calendar, inputs, r.identifier) for r in calendar]


def _calendar_row(calendar: Calendar, inputs: PlanInputs, identifier: str) -> dict[str, Any]:
    runtime = calendar.runtimes[identifier]
    successor = calendar.successor(runtime, inputs.as_of)
    current = current_milestone(runtime, inputs.schedule, inputs.as_of)
    return {
        "identifier": runtime.identifier,
        "name": runtime.name,
        "family": runtime.family,
        "deprecation": _iso(runtime.deprecation),
        "block_create": _iso(runtime.block_create),
        "block_update": _iso(runtime.block_update),
        "phase": runtime.status_on(inputs.as_of),
        "current_milestone": None if current is None else str(current.milestone),
        "successor": successor.identifier if successor else None,
        "note": runtime.note,
    }


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()
