"""Rewriting a health event's stored text when the calendar moves one of its runtime's dates."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import replace
from datetime import datetime

from notifier.core.domain import Calendar, DatedMilestone, Runtime
from notifier.core.records import StoredNotice
from notifier.service.compose import Composer, notice_from_ledger
from notifier.service.ports import Ledger, Stores


def calendar_dates(runtime: Runtime) -> dict[str, str]:
    """The metadata's date members as the calendar has them now."""
    days = (runtime.deprecation, runtime.block_create, runtime.block_update)
    keys = ("deprecation_date", "block_function_create_date", "block_function_update_date")
    return {key: "" if day is None else str(day) for key, day in zip(keys, days, strict=True)}


def rewrite_moved_dates(
    stores: Stores, calendar: Calendar, at: datetime, composer: Composer | None
) -> tuple[str, ...]:
    """Rewrite the description and metadata of every event whose runtime's dates moved since
    it was written (lastUpdatedTime moves to `at`); returns their ARNs."""
    changed: list[str] = []
    upkeep = stores.upkeep
    for runtime_id, text in upkeep.health_metadata_versions():
        runtime = calendar.get(runtime_id)
        metadata = json.loads(text)
        fresh = _moved(metadata, runtime)
        if runtime is None or fresh == metadata:
            continue
        events = upkeep.health_events_with_metadata(runtime_id, text)
        texts = _descriptions(stores.ledger, calendar, runtime, {a for _, a in events}, composer)
        upkeep.rewrite_health_texts([(arn, texts.get(a), fresh) for arn, a in events], at)
        changed += [arn for arn, _ in events]
    return tuple(changed)


def _moved(metadata: dict[str, str], runtime: Runtime | None) -> dict[str, str]:
    """The metadata with the date members it holds as the calendar has them now."""
    if runtime is None:
        return metadata
    dates = calendar_dates(runtime)
    return {key: dates.get(key, value) for key, value in metadata.items()}


def _descriptions(
    ledger: Ledger,
    calendar: Calendar,
    runtime: Runtime,
    accounts: Collection[str],
    composer: Composer | None,
) -> dict[str, str]:
    """Each account's description rendered again from its newest notice, on the new dates."""
    if composer is None:
        return {}
    found = ledger.latest_notices(runtime.identifier, accounts)
    texts = {a: _description(composer, calendar, runtime, n) for a, n in found.items()}
    return {a: text for a, text in texts.items() if text is not None}


def _description(
    composer: Composer, calendar: Calendar, runtime: Runtime, stored: StoredNotice
) -> str | None:
    notice = notice_from_ledger(stored, calendar)
    old = notice.milestone
    day = runtime.phase_date(old.phase) or old.date
    prepared = composer.prepare(
        replace(notice, milestone=DatedMilestone(old.phase, old.days_before, day))
    )
    return None if prepared.error else prepared.rendered.health_description
