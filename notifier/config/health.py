"""The [health] section: health-dashboard events and where they are posted."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from notifier.config.reader import Reader

HEALTH_KEYS = ("health.enabled", "health.json_dir")
HEALTH_ENV = {"NOTIFIER_HEALTH_JSON_DIR": "health.json_dir"}


@dataclass(frozen=True)
class HealthSettings:
    enabled: bool = True
    json_dir: Path | None = None


def read_health(r: Reader) -> HealthSettings:
    return HealthSettings(
        enabled=r.flag("health.enabled", True),
        json_dir=r.path("health.json_dir", None),
    )
