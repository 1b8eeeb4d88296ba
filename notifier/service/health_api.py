"""The AWS Health API's read operations on our events: DescribeEvents, DescribeEventDetails,
DescribeAffectedEntities, with their shapes and their nextToken paging."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime

from notifier.core.errors import InputError, Problem
from notifier.core.health import (
    EntityStatus,
    EventFilter,
    HealthEvent,
    entity_to_api,
    event_details_to_api,
    event_to_api,
    unknown_event_error,
)
from notifier.core.lifecycle import seen_at
from notifier.service.ports import HealthEvents

MAX_RESULTS = 100


def _token(last: str) -> str:
    return base64.urlsafe_b64encode(last.encode()).decode()


def _after(token: str | None) -> str | None:
    """The key a nextToken stands for; an InputError for one we did not hand out."""
    if token is None:
        return None
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        problem = Problem("--next-token", "expected a nextToken from an earlier answer")
        raise InputError([problem]) from exc


def _check(max_results: int) -> None:
    if not 1 <= max_results <= MAX_RESULTS:
        raise InputError([Problem("max_results", f"expected 1..{MAX_RESULTS}")])


def _at(event: HealthEvent, at: datetime | None) -> HealthEvent:
    return event if at is None else seen_at(event, at)


def describe_events(
    health: HealthEvents,
    wanted: EventFilter,
    max_results: int = MAX_RESULTS,
    token: str | None = None,
    at: datetime | None = None,
) -> dict[str, object]:
    """`{"events": [...], "nextToken": ...}`, nextToken only while more remain; with `at`,
    statuses as they stand at that instant (a status filter, too)."""
    _check(max_results)
    page = health.health_event_page(replace(wanted, at=at), _after(token), max_results + 1)
    shown = [event_to_api(_at(e, at)) for e in page[:max_results]]
    answer: dict[str, object] = {"events": shown}
    if len(page) > max_results:
        answer["nextToken"] = _token(page[max_results - 1].arn)
    return answer


def describe_event_details(
    health: HealthEvents, arns: Sequence[str], at: datetime | None = None
) -> dict[str, object]:
    """`{"successfulSet": [...], "failedSet": [...]}` in the order the ARNs were asked."""
    found = {e.arn: _at(e, at) for e in health.health_events_by_arn(arns)}
    return {
        "successfulSet": [event_details_to_api(found[a]) for a in arns if a in found],
        "failedSet": [unknown_event_error(a) for a in arns if a not in found],
    }


def describe_affected_entities(
    health: HealthEvents,
    event_arn: str,
    statuses: Collection[EntityStatus] = (),
    max_results: int = MAX_RESULTS,
    token: str | None = None,
    at: datetime | None = None,
) -> dict[str, object]:
    """`{"entities": [...], "nextToken": ...}` for one event; an InputError for an unknown ARN.
    The entities are as stored; `at` is taken for symmetry with the other reads."""
    _check(max_results)
    found = health.health_event_page(EventFilter(arns=(event_arn,)), None, 1)
    if not found:
        raise InputError([Problem(event_arn, "no such event")])
    event = found[0]
    page = health.health_entity_page(event_arn, statuses, _after(token), max_results + 1)
    answer: dict[str, object] = {"entities": [entity_to_api(event, e) for e in page[:max_results]]}
    if len(page) > max_results:
        answer["nextToken"] = _token(page[max_results - 1].entity_value)
    return answer
