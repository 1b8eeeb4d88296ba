"""Health-dashboard events in AWS Health's model: one per (account, Region, runtime)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
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


def _iso(moment: datetime | None) -> str | None:
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
            "startTime": _iso(event.start_time),
            "endTime": _iso(event.end_time),
            "lastUpdatedTime": _iso(event.last_updated_time),
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
        "lastUpdatedTime": _iso(entity.last_updated_time),
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


# EventBridge --------------------------------------------------------------------------------

ENTRY_LIMIT = 256 * 1024  # PutEvents: the most one entry may weigh, in bytes
DETAIL_TYPE = "AWS Health Event"
ENVELOPE = 1024


def rfc1123(moment: datetime | None) -> str:
    """'Thu, 27 Aug 2026 13:19:03 GMT', as AWS Health writes times in EventBridge."""
    return "" if moment is None else format_datetime(moment.astimezone(UTC), usegmt=True)


def communication_id(event: HealthEvent) -> str:
    """The same for every page of one version of an event; a new version gets a new one."""
    raw = f"{event.arn}/{_iso(event.last_updated_time)}"
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


@dataclass(frozen=True)
class BusEntry:
    """One page of an event as a PutEvents entry: its detail and the ARNs it names."""

    resources: tuple[str, ...]
    detail: str

    def size(self, source: str) -> int:
        """The entry's size as EventBridge counts it: time, source, detail-type, detail,
        resources."""
        parts = (source, DETAIL_TYPE, self.detail, *self.resources)
        return 14 + sum(len(p.encode()) for p in parts)


def _detail(event: HealthEvent, entities: Sequence[AffectedEntity], page: int, pages: int) -> str:
    detail = {
        "eventArn": event.arn,
        "service": event.service,
        "eventTypeCode": event.event_type_code,
        "eventTypeCategory": event.event_type_category,
        "eventScopeCode": event.event_scope_code,
        "communicationId": f"{communication_id(event)}-{page}",
        "startTime": rfc1123(event.start_time),
        "endTime": rfc1123(event.end_time),
        "lastUpdatedTime": rfc1123(event.last_updated_time),
        "statusCode": event.status_code.value,
        "eventRegion": event.region,
        "eventDescription": [{"language": "en_US", "latestDescription": event.description}],
        "eventMetadata": dict(event.metadata),
        "affectedEntities": [
            {
                "entityValue": e.entity_value,
                "lastUpdatedTime": rfc1123(e.last_updated_time),
                "status": e.status.value,
            }
            for e in entities
        ],
        "affectedAccount": event.account_id,
        "page": str(page),
        "totalPages": str(pages),
        "backupEvent": "false",
        "actionability": event.actionability,
        "personas": list(event.personas),
    }
    if event.end_time is None:
        del detail["endTime"]
    return json.dumps(detail, separators=(",", ":"), ensure_ascii=False)


def _entity_weight(entity: AffectedEntity) -> int:
    """Bytes one entity adds to an entry: its detail item, a comma, and its resource ARN."""
    item = {"entityValue": entity.entity_value, "lastUpdatedTime": "", "status": "RESOLVED"}
    text = json.dumps(item, separators=(",", ":"), ensure_ascii=False)
    # the ARN again in `resources`, quoted and comma-separated once the event is delivered
    return len(text.encode()) + 29 + 1 + len(entity.entity_value.encode()) + 3


def _split(entities: Sequence[AffectedEntity], room: int) -> list[list[AffectedEntity]]:
    pages: list[list[AffectedEntity]] = [[]]
    used = 0
    for entity in entities:
        weight = _entity_weight(entity)
        if pages[-1] and used + weight > room:
            pages.append([])
            used = 0
        pages[-1].append(entity)
        used += weight
    return pages


def bus_entries(event: HealthEvent, source: str, limit: int = ENTRY_LIMIT) -> list[BusEntry]:
    """The event as EventBridge entries: one, or pages sharing eventArn and communicationId
    when one entry would weigh more than `limit` bytes."""
    bare = BusEntry((), _detail(event, (), 99999, 99999)).size(source)
    # room for the envelope EventBridge wraps around it (id, time, account...), so that the
    # delivered event fits a 256 KB target such as an SQS message too
    pages = _split(event.entities, limit - bare - ENVELOPE)
    return [
        BusEntry(tuple(e.entity_value for e in page), _detail(event, page, number, len(pages)))
        for number, page in enumerate(pages, start=1)
    ]


@dataclass(frozen=True)
class EventFilter:
    """DescribeEvents' filter, as far as our events need it; an empty tuple filters nothing."""

    account_ids: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    statuses: tuple[EventStatus, ...] = ()
    runtimes: tuple[str, ...] = ()
    arns: tuple[str, ...] = ()


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
