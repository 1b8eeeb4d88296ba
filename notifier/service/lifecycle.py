"""The daily burndown of the health events, due notice or not, and posting what it changed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from notifier.channels.base import EventChannel
from notifier.core.domain import Calendar
from notifier.service.compose import Composer
from notifier.service.health import PublishingChannel, StoreHealthChannel, policy_of
from notifier.service.health_texts import rewrite_moved_dates
from notifier.service.ports import Stores

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
    stores: Stores,
    calendar: Calendar,
    now: datetime,
    channels: Sequence[EventChannel] = (),
    composer: Composer | None = None,
) -> LifecycleSummary:
    """Bring every event up to date at the run's instant `now` with today's inventory and
    calendar (in bulk, in the store): text rewritten where a date moved (descriptions rendered
    again by `composer`), then the burndown. Then write the changed events' JSON files and post
    them through the publishing channels among `channels`."""
    policy = policy_of(channels)
    rewritten = rewrite_moved_dates(stores, calendar, now, composer)
    dates = {r.identifier: policy.schedule(r) for r in calendar}
    burndown = stores.upkeep.refresh_health(now, dates)
    changed = tuple(sorted({*burndown.changed, *rewritten}))
    for channel in channels:
        if isinstance(channel, StoreHealthChannel):
            channel.write_json(changed)
    published = {c.name: _publish(c, changed) for c in channels if isinstance(c, PublishingChannel)}
    return LifecycleSummary(
        burndown.resolved, burndown.reopened, burndown.added, len(changed), published
    )


def _publish(channel: PublishingChannel, changed: tuple[str, ...]) -> int:
    return sum(
        channel.publish(set(changed[i : i + PUBLISH_CHUNK]))
        for i in range(0, len(changed), PUBLISH_CHUNK)
    )
