"""Health-dashboard events in AWS Health's model: one per (account, Region, runtime)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

LAMBDA_EVENT_TYPE = "AWS_LAMBDA_PLANNED_LIFECYCLE_EVENT"


class EventStatus(str, Enum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


class EntityStatus(str, Enum):
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
    """AWS's ARN form; the id is stable per (account, Region, runtime) since the ARN has no account."""
    digest = hashlib.sha256(f"{account_id}/{region}/{runtime}".encode()).hexdigest()[:32].upper()
    return f"arn:aws:health:{region}::event/{service}/{event_type_code}/{event_type_code}_{digest}"


def status_at(start_time: datetime | None, now: datetime, all_resolved: bool) -> EventStatus:
    """upcoming before the start, open from it, closed once every entity is resolved."""
    if all_resolved:
        return EventStatus.CLOSED
    if start_time is not None and now < start_time:
        return EventStatus.UPCOMING
    return EventStatus.OPEN
