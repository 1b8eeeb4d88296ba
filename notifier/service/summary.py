"""What a run reports: per channel and in total, as the CLI prints it and as the run record keeps
it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from notifier.service.sending import EmailStats


@dataclass
class ChannelStats(EmailStats):
    resent_unknown: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "delivered": self.delivered,
            "failed": self.failed,
            "reasons": dict(self.reasons),
            "retried": self.retried,
            "suppressed": self.suppressed,
            "undeliverable": self.undeliverable,
            "deferred": self.deferred,
            "resent_unknown": self.resent_unknown,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class RunSummary:
    as_of: date
    halted: str | None = None  # why a channel stopped: its set-up is wrong (exit 2)
    notices: int = 0
    retried: int = 0
    resent_unknown: int = 0
    seconds: float = 0.0
    channels: dict[str, ChannelStats] = field(default_factory=dict)
    emailed: Counter[str] = field(default_factory=Counter)
    health: dict[str, object] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return sum(s.failed for s in self.channels.values())

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
        }


def counts(summary: RunSummary) -> dict[str, int]:
    counts = {
        "notices": summary.notices,
        "retried": summary.retried,
        "resent_unknown": summary.resent_unknown,
    }
    for name, stats in summary.channels.items():
        for what in ("delivered", "failed", "retried", "suppressed", "undeliverable", "deferred"):
            counts[f"{name}.{what}"] = getattr(stats, what)
    return counts
