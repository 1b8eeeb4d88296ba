"""The [health] section: health-dashboard events and where they are posted."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from notifier.config.reader import Reader
from notifier.core.health import LAMBDA_EVENT_TYPE

END_TIME_POLICIES = ("none", "block_update")

HEALTH_KEYS = (
    "health.enabled",
    "health.json_dir",
    "health.event_type_code",
    "health.end_time",
    "health.eventbridge.enabled",
    "health.eventbridge.source",
    "health.eventbridge.event_bus_name",
    "health.eventbridge.region",
    "health.eventbridge.endpoint_url",
)
HEALTH_ENV = {
    "NOTIFIER_HEALTH_JSON_DIR": "health.json_dir",
    "NOTIFIER_EVENTBRIDGE_ENABLED": "health.eventbridge.enabled",
    "NOTIFIER_EVENTBRIDGE_BUS": "health.eventbridge.event_bus_name",
    "NOTIFIER_EVENTBRIDGE_REGION": "health.eventbridge.region",
    "NOTIFIER_EVENTBRIDGE_ENDPOINT_URL": "health.eventbridge.endpoint_url",
}


@dataclass(frozen=True)
class EventBridgeSettings:
    enabled: bool = False
    source: str = "notifier.health"
    event_bus_name: str = "default"
    region: str | None = None
    endpoint_url: str | None = None


@dataclass(frozen=True)
class HealthSettings:
    enabled: bool = True
    json_dir: Path | None = None
    event_type_code: str = LAMBDA_EVENT_TYPE
    end_time: str = "none"  # none | block_update: the event ends when updates are blocked
    eventbridge: EventBridgeSettings = field(default_factory=EventBridgeSettings)


def read_health(r: Reader) -> HealthSettings:
    return HealthSettings(
        enabled=r.flag("health.enabled", True),
        json_dir=r.path("health.json_dir", None),
        event_type_code=_event_type_code(r),
        end_time=r.choice("health.end_time", "none", END_TIME_POLICIES),
        eventbridge=_eventbridge(r),
    )


def _event_type_code(r: Reader) -> str:
    code = r.text("health.event_type_code", LAMBDA_EVENT_TYPE)
    if not code.replace("_", "").isalnum() or not code.isupper():
        r.bad("health.event_type_code", "upper-case letters, digits and underscores")
        return LAMBDA_EVENT_TYPE
    return code


def _eventbridge(r: Reader) -> EventBridgeSettings:
    base = EventBridgeSettings()
    source = r.text("health.eventbridge.source", base.source)
    if source.lower().startswith("aws."):
        r.bad("health.eventbridge.source", "a source not starting with 'aws.' (AWS reserves it)")
        source = base.source
    return EventBridgeSettings(
        enabled=r.flag("health.eventbridge.enabled", False),
        source=source,
        event_bus_name=r.text("health.eventbridge.event_bus_name", base.event_bus_name),
        region=r.optional_text("health.eventbridge.region"),
        endpoint_url=r.optional_text("health.eventbridge.endpoint_url"),
    )
