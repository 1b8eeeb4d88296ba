"""The health channels: events kept in the store, and posting them where others read them."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from notifier.channels.base import DeliveryError, DeliveryResult, EventChannel
from notifier.core.domain import Runtime
from notifier.core.health import LAMBDA_EVENT_TYPE, HealthEvent, event_arn, event_details_to_api
from notifier.core.instant import start_of
from notifier.core.lifecycle import Schedule
from notifier.files import PUBLIC, write_atomically
from notifier.service.ports import HealthEvents, Publications


@dataclass(frozen=True)
class HealthPolicy:
    """How events are dated and typed: the zone of the start day, the end-time rule
    (none | block_update), and the event type code."""

    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    end_time: str = "none"
    event_type_code: str = LAMBDA_EVENT_TYPE

    def schedule(self, runtime: Runtime) -> Schedule:
        """The event's start (deprecation day) and planned end (block-update day, when the
        policy says so), each at the start of the day in the configured zone, in UTC."""
        end = runtime.block_update if self.end_time == "block_update" else None
        return Schedule(start_of(runtime.deprecation, self.zone), start_of(end, self.zone))

    def typed(self, event: HealthEvent) -> HealthEvent:
        """The event under the configured event type code (which its ARN names)."""
        if event.event_type_code == self.event_type_code:
            return event
        code = self.event_type_code
        arn = event_arn(event.account_id, event.region, event.runtime, event.service, code)
        return dataclasses.replace(event, arn=arn, event_type_code=code)


def policy_of(channels: Sequence[object]) -> HealthPolicy:
    """The store channel's policy among `channels`; the default without one."""
    found = (c.policy for c in channels if isinstance(c, StoreHealthChannel))
    return next(found, HealthPolicy())


class StoreHealthChannel:
    """Buffers events and writes them to the store in one transaction per flush."""

    name = "health"

    def __init__(
        self,
        health: HealthEvents,
        json_dir: Path | None = None,
        policy: HealthPolicy | None = None,
    ) -> None:
        self.health = health
        self.json_dir = json_dir
        self.policy = policy or HealthPolicy()
        self._buffer: dict[str, HealthEvent] = {}

    def deliver(self, message: HealthEvent) -> DeliveryResult:
        event = self.policy.typed(message)
        self._buffer[event.arn] = event
        return DeliveryResult(provider_id=event.arn)

    def flush(self) -> None:
        if not self._buffer:
            return
        events = list(self._buffer.values())
        try:
            self.health.upsert_health_events(events)
            self.write_json([e.arn for e in events])
        except OSError as exc:
            raise DeliveryError(
                f"could not write health event JSON: {exc}", retryable=True
            ) from exc
        finally:
            self._buffer.clear()

    def write_json(self, arns: Sequence[str]) -> None:
        """Write the stored version of each event among `arns` to `json_dir`, if set."""
        if self.json_dir is None or not arns:
            return
        for event in self.health.health_events_by_arn(arns):
            write_event_json(self.json_dir, event)

    def close(self) -> None:
        self.flush()


class PublishingChannel:
    """Posts the stored version of each event through `inner` (EventBridge, say), and only
    when that version was not posted before: an unchanged event is not posted again."""

    def __init__(
        self,
        health: HealthEvents,
        publications: Publications,
        inner: EventChannel,
        policy: HealthPolicy,
    ) -> None:
        self.health, self.publications = health, publications
        self.inner, self.policy = inner, policy
        self.name = inner.name
        self._arns: set[str] = set()

    def deliver(self, message: HealthEvent) -> DeliveryResult:
        arn = self.policy.typed(message).arn
        self._arns.add(arn)
        return DeliveryResult(provider_id=arn)

    def flush(self) -> None:
        arns, self._arns = self._arns, set()
        self.publish(arns)

    def publish(self, arns: set[str]) -> int:
        """Post the events among `arns` changed since last posted; returns how many."""
        if not arns:
            return 0
        known = self.publications.published_versions(self.name, arns)
        fresh = [
            e
            for e in self.health.health_events_by_arn(arns)
            if known.get(e.arn) != e.last_updated_time
        ]
        for event in fresh:
            self.inner.deliver(event)
        self.inner.flush()
        self.publications.mark_published(self.name, {e.arn: e.last_updated_time for e in fresh})
        return len(fresh)

    def close(self) -> None:
        self.flush()
        self.inner.close()


def details_json(event: HealthEvent) -> str:
    """The event as `notifier health details --json` prints it, byte for byte."""
    answer = {"successfulSet": [event_details_to_api(event)], "failedSet": []}
    return json.dumps(answer, indent=2, ensure_ascii=False) + "\n"


def write_event_json(folder: Path, event: HealthEvent) -> Path:
    """<folder>/<account>/<region>/<runtime>.json, written atomically: what
    `notifier health details --json` prints for the event."""
    target = folder / event.account_id / event.region / f"{event.runtime}.json"
    write_atomically(target, details_json(event).encode("utf-8"), PUBLIC)
    return target
