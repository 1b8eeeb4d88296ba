"""The built-in health channel: events kept in the store, optionally also written as JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path

from notifier.channels.base import DeliveryError, DeliveryResult
from notifier.core.health import HealthEvent, details_to_api
from notifier.service.ports import Store


class StoreHealthChannel:
    """Buffers events and writes them to the store in one transaction per flush."""

    name = "health"

    def __init__(self, store: Store, json_dir: Path | None = None) -> None:
        self.store = store
        self.json_dir = json_dir
        self._buffer: dict[str, HealthEvent] = {}

    def deliver(self, message: HealthEvent) -> DeliveryResult:
        self._buffer[message.arn] = message
        return DeliveryResult(provider_id=message.arn)

    def flush(self) -> None:
        if not self._buffer:
            return
        events = list(self._buffer.values())
        try:
            self.store.upsert_health_events(events)
            if self.json_dir is not None:
                for event in events:
                    write_event_json(self.json_dir, event)
        except OSError as exc:
            raise DeliveryError(
                f"could not write health event JSON: {exc}", retryable=True
            ) from exc
        finally:
            self._buffer.clear()

    def close(self) -> None:
        self.flush()


def write_event_json(folder: Path, event: HealthEvent) -> Path:
    """<folder>/<account>/<region>/<runtime>.json, written atomically."""
    target = folder / event.account_id / event.region / f"{event.runtime}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(details_to_api(event), indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, target)
    return target
