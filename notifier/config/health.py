"""The [health] section: health-dashboard events and where they are posted. Their keys,
defaults and checks are in the table (keys.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from notifier.config.keys import default, pick


@dataclass(frozen=True)
class EventBridgeSettings:
    enabled: bool = default("health.eventbridge.enabled")
    source: str = default("health.eventbridge.source")
    event_bus_name: str = default("health.eventbridge.event_bus_name")
    region: str | None = default("health.eventbridge.region")
    endpoint_url: str | None = default("health.eventbridge.endpoint_url")


@dataclass(frozen=True)
class HealthSettings:
    enabled: bool = default("health.enabled")
    json_dir: Path | None = default("health.json_dir")
    event_type_code: str = default("health.event_type_code")
    end_time: str = default("health.end_time")  # none | block_update
    eventbridge: EventBridgeSettings = field(default_factory=EventBridgeSettings)


def health_from(values: Mapping[str, Any]) -> HealthSettings:
    bridge = EventBridgeSettings(**pick(values, "health.eventbridge"))
    return HealthSettings(**pick(values, "health"), eventbridge=bridge)
