"""Posting health events to Amazon EventBridge in AWS Health's event form.

Each event becomes one entry, or several pages when one entry would exceed 256 KB. put_events
takes at most 10 entries and 256 KB per call; entries it reports as failed are tried again.
Errors from botocore become DeliveryError (channels/aws.py), retryable when a later try may succeed.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from notifier.channels.aws import AWS_ERRORS, TRANSIENT_CODES, delivery_error, setup_error
from notifier.channels.base import ChannelDown, DeliveryError, DeliveryResult
from notifier.core.health import AffectedEntity, HealthEvent, iso_time

MAX_ENTRIES = 10
ATTEMPTS = 4


# EventBridge --------------------------------------------------------------------------------

ENTRY_LIMIT = 256 * 1024  # PutEvents: the most one entry may weigh, in bytes
DETAIL_TYPE = "AWS Health Event"
ENVELOPE = 1024


def rfc1123(moment: datetime | None) -> str:
    """'Thu, 27 Aug 2026 13:19:03 GMT', as AWS Health writes times in EventBridge."""
    return "" if moment is None else format_datetime(moment.astimezone(UTC), usegmt=True)


def communication_id(event: HealthEvent) -> str:
    """The same for every page of one version of an event; a new version gets a new one."""
    raw = f"{event.arn}/{iso_time(event.last_updated_time)}"
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


def make_client(region: str | None, endpoint_url: str | None) -> Any:
    """A boto3 EventBridge client, built when a run needs it (never at import)."""
    import boto3

    return boto3.client("events", region_name=region or "us-east-1", endpoint_url=endpoint_url)


class EventBridgeChannel:
    """An EventChannel: `deliver` buffers an event's entries, `flush` posts them."""

    name = "eventbridge"

    def __init__(
        self,
        client: Any,
        source: str,
        bus: str = "default",
        limit: int = ENTRY_LIMIT,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client, self.source, self.bus, self.limit = client, source, bus, limit
        self.sleep = sleep
        self._pending: list[BusEntry] = []
        self.posted = 0

    def deliver(self, message: HealthEvent) -> DeliveryResult:
        self._pending += bus_entries(message, self.source, self.limit)
        return DeliveryResult(provider_id=message.arn)

    def check(self) -> str:
        """DescribeEventBus for the configured bus: credentials, region and the bus itself."""
        region = str(self.client.meta.region_name)
        try:
            self.client.describe_event_bus(Name=self.bus)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                raise ChannelDown(
                    f"health.eventbridge.event_bus_name: there is no event bus {self.bus!r} in "
                    f"{region}; create it, or check health.eventbridge.region",
                    setting="health.eventbridge.event_bus_name",
                ) from exc
            raise self._setup_error(exc) from exc
        except AWS_ERRORS as exc:
            raise self._setup_error(exc) from exc
        return f"event bus {self.bus} found in {region}"

    def _setup_error(self, exc: ClientError | BotoCoreError) -> ChannelDown:
        keys = "health.eventbridge.region and health.eventbridge.endpoint_url"
        return setup_error("eventbridge", "DescribeEventBus", exc, keys)

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        for batch in _batches(pending, self.source, self.limit):
            self._post(batch)

    def close(self) -> None:
        self.flush()

    def _post(self, batch: list[BusEntry]) -> None:
        """Post one batch, trying again the entries that failed, with a growing pause."""
        for attempt in range(ATTEMPTS):
            failed = self._put(batch)
            self.posted += len(batch) - len(failed)
            if not failed:
                return
            codes = {code for _, code in failed}
            if not codes <= TRANSIENT_CODES or attempt == ATTEMPTS - 1:
                reason = f"EventBridge refused {len(failed)} entries: {', '.join(sorted(codes))}"
                raise DeliveryError(reason, retryable=codes <= TRANSIENT_CODES)
            batch = [entry for entry, _ in failed]
            self.sleep(0.2 * 2**attempt)

    def _put(self, batch: list[BusEntry]) -> list[tuple[BusEntry, str]]:
        entries = [self._entry(e) for e in batch]
        try:
            answer = self.client.put_events(Entries=entries)
        except AWS_ERRORS as exc:
            raise delivery_error("eventbridge", exc) from exc
        results = answer.get("Entries", [])
        return [
            (entry, str(result.get("ErrorCode")))
            for entry, result in zip(batch, results, strict=False)
            if result.get("ErrorCode")
        ]

    def _entry(self, entry: BusEntry) -> dict[str, Any]:
        return {
            "Source": self.source,
            "DetailType": DETAIL_TYPE,
            "Detail": entry.detail,
            "Resources": list(entry.resources),
            "EventBusName": self.bus,
        }


def _batches(entries: Sequence[BusEntry], source: str, limit: int) -> Iterator[list[BusEntry]]:
    """At most MAX_ENTRIES entries and `limit` bytes per call."""
    batch: list[BusEntry] = []
    size = 0
    for entry in entries:
        weight = entry.size(source)
        if batch and (len(batch) == MAX_ENTRIES or size + weight > limit):
            yield batch
            batch, size = [], 0
        batch.append(entry)
        size += weight
    if batch:
        yield batch
