"""Health-dashboard events in AWS Health's model: one per (account, Region, runtime)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
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


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def event_to_api(event: HealthEvent) -> dict[str, object]:
    """The event in the AWS Health API's Event shape (timestamps as ISO 8601 strings)."""
    return {
        "arn": event.arn,
        "service": event.service,
        "eventTypeCode": event.event_type_code,
        "eventTypeCategory": event.event_type_category,
        "region": event.region,
        "startTime": _iso(event.start_time),
        "endTime": _iso(event.end_time),
        "lastUpdatedTime": _iso(event.last_updated_time),
        "statusCode": event.status_code.value,
        "eventScopeCode": event.event_scope_code,
        "actionability": event.actionability,
        "personas": list(event.personas),
    }


def details_to_api(event: HealthEvent) -> dict[str, object]:
    """EventDetails: the event, its description and its metadata, plus its affected entities."""
    return {
        "event": event_to_api(event),
        "eventDescription": {"latestDescription": event.description},
        "eventMetadata": dict(event.metadata),
        "affectedEntities": [
            {
                "entityArn": f"{event.arn}/{index}",
                "eventArn": event.arn,
                "entityValue": e.entity_value,
                "awsAccountId": event.account_id,
                "lastUpdatedTime": _iso(e.last_updated_time),
                "statusCode": e.status.value,
            }
            for index, e in enumerate(event.entities)
        ],
    }
