"""The daily burndown of the health events, due notice or not, and posting what it changed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from notifier.channels.base import EventChannel
from notifier.core.domain import Calendar
from notifier.core.health import Burndown
from notifier.service.health import HealthPolicy, PublishingChannel, StoreHealthChannel
from notifier.service.ports import Store

PUBLISH_CHUNK = 500


@dataclass(frozen=True)
class LifecycleSummary:
    """What one refresh did: entities resolved, reopened and added, events changed, posted."""

    resolved: int
    reopened: int
    added: int
    changed: int
    published: dict[str, int]

    def as_dict(self) -> dict[str, object]:
        return {
            "resolved": self.resolved,
            "reopened": self.reopened,
            "added": self.added,
            "changed": self.changed,
            "published": dict(self.published),
        }


def refresh_health(
    store: Store, calendar: Calendar, now: datetime, channels: Sequence[EventChannel] = ()
) -> LifecycleSummary:
    """Bring every event up to date with today's inventory and calendar (in bulk, in the
    store), then post the changed events through the publishing channels among `channels`.
    The policy (zone, end time, event type) is the store channel's; the default without one."""
    policy = next((c.policy for c in channels if isinstance(c, StoreHealthChannel)), HealthPolicy())
    dates = {runtime.identifier: policy.dates(runtime) for runtime in calendar}
    burndown = store.refresh_health(now, dates)
    published = {
        c.name: _publish(c, burndown) for c in channels if isinstance(c, PublishingChannel)
    }
    return LifecycleSummary(
        burndown.resolved, burndown.reopened, burndown.added, len(burndown.changed), published
    )


def _publish(channel: PublishingChannel, burndown: Burndown) -> int:
    changed = burndown.changed
    return sum(
        channel.publish(set(changed[i : i + PUBLISH_CHUNK]))
        for i in range(0, len(changed), PUBLISH_CHUNK)
    )
