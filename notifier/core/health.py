"""Health-dashboard events in AWS Health's model: one per (account, Region, runtime)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

LAMBDA_EVENT_TYPE = "AWS_LAMBDA_PLANNED_LIFECYCLE_EVENT"


class EventStatus(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


class EntityStatus(StrEnum):
    PENDING = "PENDING"
    RESOLVED = "RESOLVED"


@dataclass(frozen=True)
class AffectedEntity:
    entity_value: str  # the unqualified function ARN
    status: EntityStatus
    last_updated_time: datetime


@dataclass(frozen=True)
class HealthEvent:
    arn: str
    account_id: str
    region: str
    runtime: str
    start_time: datetime | None
    end_time: datetime | None
    last_updated_time: datetime
    status_code: EventStatus
    description: str
    metadata: Mapping[str, str]
    entities: tuple[AffectedEntity, ...] = ()
    service: str = "LAMBDA"
    event_type_code: str = LAMBDA_EVENT_TYPE
    event_type_category: str = "scheduledChange"
    event_scope_code: str = "ACCOUNT_SPECIFIC"
    actionability: str = "ACTION_REQUIRED"
    personas: tuple[str, ...] = field(default=("OPERATIONS",))


def event_arn(
    account_id: str,
    region: str,
    runtime: str,
    service: str = "LAMBDA",
    event_type_code: str = LAMBDA_EVENT_TYPE,
) -> str:
    """AWS's ARN form; its id digests account, Region and runtime (the ARN names no account)."""
    digest = hashlib.sha256(f"{account_id}/{region}/{runtime}".encode()).hexdigest()[:32].upper()
    return f"arn:aws:health:{region}::event/{service}/{event_type_code}/{event_type_code}_{digest}"


def status_at(start_time: datetime | None, now: datetime, all_resolved: bool) -> EventStatus:
    """upcoming before the start, open from it, closed once every entity is resolved."""
    if all_resolved:
        return EventStatus.CLOSED
    if start_time is not None and now < start_time:
        return EventStatus.UPCOMING
    return EventStatus.OPEN


def entity_status(still_on_runtime: bool) -> EntityStatus:
    """PENDING while the function is still on the event's runtime, RESOLVED once moved or gone."""
    return EntityStatus.PENDING if still_on_runtime else EntityStatus.RESOLVED


def changed_time(before: datetime, now: datetime, changed: bool) -> datetime:
    """lastUpdatedTime moves to `now` only when something about the thing changed."""
    return now if changed else before


def entity_arn(event: str, entity_value: str) -> str:
    """A stable entity ARN under its event: the same function always gets the same one."""
    return f"{event}/{hashlib.sha256(entity_value.encode()).hexdigest()[:32]}"


def iso_time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _present(data: dict[str, object]) -> dict[str, object]:
    """AWS leaves unset members out rather than sending null."""
    return {k: v for k, v in data.items() if v is not None}


def event_to_api(event: HealthEvent) -> dict[str, object]:
    """The event in the AWS Health API's Event shape (timestamps as ISO 8601 strings)."""
    return _present(
        {
            "arn": event.arn,
            "service": event.service,
            "eventTypeCode": event.event_type_code,
            "eventTypeCategory": event.event_type_category,
            "region": event.region,
            "startTime": iso_time(event.start_time),
            "endTime": iso_time(event.end_time),
            "lastUpdatedTime": iso_time(event.last_updated_time),
            "statusCode": event.status_code.value,
            "eventScopeCode": event.event_scope_code,
            "actionability": event.actionability,
            "personas": list(event.personas),
        }
    )


def entity_to_api(event: HealthEvent, entity: AffectedEntity) -> dict[str, object]:
    """One AffectedEntity in the AWS Health API's shape."""
    return {
        "entityArn": entity_arn(event.arn, entity.entity_value),
        "eventArn": event.arn,
        "entityValue": entity.entity_value,
        "awsAccountId": event.account_id,
        "lastUpdatedTime": iso_time(entity.last_updated_time),
        "statusCode": entity.status.value,
    }


def event_details_to_api(event: HealthEvent) -> dict[str, object]:
    """EventDetails exactly as DescribeEventDetails returns it: event, description, metadata."""
    return {
        "event": event_to_api(event),
        "eventDescription": {"latestDescription": event.description},
        "eventMetadata": dict(event.metadata),
    }


def details_to_api(event: HealthEvent) -> dict[str, object]:
    """EventDetails plus its affected entities (the JSON file form, one file per event)."""
    return {
        **event_details_to_api(event),
        "affectedEntities": [entity_to_api(event, e) for e in event.entities],
    }


def unknown_event_error(arn: str) -> dict[str, str]:
    """A DescribeEventDetails failedSet item for an ARN the store does not hold."""
    return {
        "eventArn": arn,
        "errorName": "NotFoundException",
        "errorMessage": f"no event with ARN {arn}",
    }


@dataclass(frozen=True)
class EventFilter:
    """DescribeEvents' filter, as far as our events need it; an empty tuple filters nothing."""

    account_ids: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    statuses: tuple[EventStatus, ...] = ()
    runtimes: tuple[str, ...] = ()
    arns: tuple[str, ...] = ()
    at: datetime | None = None  # statuses as they stand at this instant, not as stored


@dataclass(frozen=True)
class StatusCounts:
    """How many of an account's events are upcoming, open and closed."""

    account_id: str
    upcoming: int = 0
    open: int = 0
    closed: int = 0


@dataclass(frozen=True)
class Burndown:
    """What one lifecycle refresh changed, and the ARNs of the events it changed."""

    resolved: int
    reopened: int
    added: int
    changed: tuple[str, ...]
