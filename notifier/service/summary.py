"""What a run reports: per channel and in total, as the CLI prints it and as the run record keeps
it. Every figure is counted from outcomes, in one place (`RunSummary.count`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from notifier.core.domain import NoticeKey
from notifier.core.records import Outcome

FIGURES = ("delivered", "failed", "retried", "suppressed", "undeliverable", "deferred")


@dataclass
class ChannelStats:
    delivered: int = 0
    failed: int = 0
    retried: int = 0  # in-run retries: each outcome's tries after the first
    suppressed: int = 0  # recipients left out
    undeliverable: int = 0
    deferred: int = 0  # left pending for the next run: the channel was down or stopped
    resent_unknown: int = 0
    seconds: float = 0.0
    reasons: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, outcomes: list[Outcome]) -> ChannelStats:
        stats = cls()
        for outcome in outcomes:
            stats.count(outcome)
        return stats

    def count(self, outcome: Outcome) -> None:
        self.retried += max(outcome.attempts - 1, 0)
        self.suppressed += len(outcome.skipped)
        status = "deferred" if outcome.status == "pending" else outcome.status
        setattr(self, status, getattr(self, status) + 1)
        if status == "failed":
            self.reasons[outcome.error or "unknown"] += 1

    def requeued(self, reason: str) -> None:
        """A delivery counted failed for `reason` went back to pending (the breaker)."""
        self.failed -= 1
        self.deferred += 1
        self.reasons[reason] -= 1
        if self.reasons[reason] <= 0:
            del self.reasons[reason]

    def absorb(self, other: ChannelStats) -> None:
        """Add another count of the same channel (a worker's next poll) to this one."""
        for name in (*FIGURES, "resent_unknown"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.seconds += other.seconds
        self.reasons.update(other.reasons)

    def as_dict(self) -> dict[str, Any]:
        figures: dict[str, Any] = {name: getattr(self, name) for name in FIGURES}
        return {
            "delivered": self.delivered,
            "failed": self.failed,
            "reasons": dict(self.reasons),
            **figures,
            "resent_unknown": self.resent_unknown,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class RunSummary:
    as_of: date
    email_channel: str
    channel_names: list[str]
    halted: str | None = None  # why a channel stopped: its set-up is wrong (exit 2)
    notices: int = 0
    retried: int = 0
    resent_unknown: int = 0
    seconds: float = 0.0
    channels: dict[str, ChannelStats] = field(default_factory=dict)
    emailed: Counter[str] = field(default_factory=Counter)
    health: dict[str, object] = field(default_factory=dict)
    feedback: dict[str, object] | None = None  # the bounces and complaints read first, if any
    quota: tuple[int, int] | None = None  # the 24-hour quota left, the notices deferred for it

    def __post_init__(self) -> None:
        self.channels = {name: ChannelStats() for name in self.channel_names}

    @property
    def failed(self) -> int:
        return sum(s.failed for s in self.channels.values())

    def count(self, channel: str, outcome: Outcome, key: NoticeKey | None = None) -> None:
        """The one place a delivery's outcome is counted."""
        self.channels[channel].count(outcome)
        if key is not None and channel == self.email_channel and outcome.status == "delivered":
            self.emailed[f"{key.runtime} {key.phase.value}:{key.days_before}"] += 1

    def requeued(self, channel: str, reason: str) -> None:
        """A delivery counted failed for `reason` went back to pending: its channel's breaker
        tripped (the set-up's fault, not the message's), so it counts as left for the next run."""
        self.channels[channel].requeued(reason)

    def absorb(self, other: RunSummary) -> None:
        """Add a later summary of the same channels (a worker's next poll) to this one."""
        self.notices += other.notices
        self.retried += other.retried
        self.resent_unknown += other.resent_unknown
        self.seconds += other.seconds
        self.halted = self.halted or other.halted
        self.emailed.update(other.emailed)
        for name, stats in other.channels.items():
            self.channels[name].absorb(stats)

    @property
    def exit_code(self) -> int:
        """The CLI's: 2 when a channel's set-up stopped it, 1 when a delivery failed, else 0."""
        return 2 if self.halted else 1 if self.failed else 0

    def to_json(self) -> dict[str, Any]:
        """Exactly what `notifier run --json` prints."""
        return self.as_dict()

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "notices": self.notices,
            "retried_from_earlier_runs": self.retried,
            "resent_unknown": self.resent_unknown,
            "seconds": round(self.seconds, 3),
            "channels": {name: s.as_dict() for name, s in self.channels.items()},
            "emailed": dict(sorted(self.emailed.items())),
            "health_events": self.health,
            "halted": self.halted,
            **({} if self.feedback is None else {"feedback": self.feedback}),
            **(
                {}
                if self.quota is None
                else {"quota_left": self.quota[0], "deferred_for_quota": self.quota[1]}
            ),
        }


def counts(summary: RunSummary) -> dict[str, int]:
    """The run record's figures."""
    found = {
        "notices": summary.notices,
        "retried": summary.retried,
        "resent_unknown": summary.resent_unknown,
    }
    for name, stats in summary.channels.items():
        found |= {f"{name}.{what}": getattr(stats, what) for what in FIGURES}
    return found
