"""What the library's reads return: typed values, each with `to_json()` giving exactly the
JSON the matching CLI command prints with `--json`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from notifier.core.domain import DatedMilestone, Notice
from notifier.core.records import HistoryRow, Suppression
from notifier.service.compose import Prepared
from notifier.service.queries import history_json, notice_json
from notifier.service.setup import ChannelCheck
from notifier.service.summary import RunSummary


@dataclass(frozen=True)
class PlannedNotice:
    """A notice a run would send, rendered as it would go out; `problem` says why it could not be
    rendered or built (a run fails its deliveries and goes on)."""

    prepared: Prepared

    @property
    def notice(self) -> Notice:
        return self.prepared.notice

    @property
    def account_id(self) -> str:
        return self.notice.account.account_id

    @property
    def runtime(self) -> str:
        return self.notice.runtime.identifier

    @property
    def milestone(self) -> DatedMilestone:
        return self.notice.milestone

    @property
    def recipients(self) -> tuple[str, ...]:
        return self.notice.recipients

    @property
    def subject(self) -> str:
        return self.prepared.rendered.subject

    @property
    def text(self) -> str:
        return self.prepared.rendered.text

    @property
    def html(self) -> str:
        return self.prepared.rendered.html

    @property
    def problem(self) -> str | None:
        return self.prepared.error

    def to_json(self) -> dict[str, Any]:
        """One notice as `notifier dry-run --json` lists it."""
        return notice_json(self.prepared)


@dataclass(frozen=True)
class DryRun:
    """What a run on `as_of` would send, in account then runtime order."""

    as_of: date
    notices: tuple[PlannedNotice, ...]

    def to_json(self) -> dict[str, Any]:
        """Exactly what `notifier dry-run --json` prints."""
        return {"as_of": self.as_of.isoformat(), "notices": [n.to_json() for n in self.notices]}


@dataclass(frozen=True)
class History:
    """The notices sent, with the day each was sent and each channel's status."""

    rows: tuple[HistoryRow, ...]

    def to_json(self) -> dict[str, Any]:
        """Exactly what `notifier history --json` prints."""
        return {"notices": [history_json(row) for row in self.rows]}


@dataclass(frozen=True)
class Resend:
    """Failed deliveries made pending again (`requeued`), then the run that delivered them."""

    requeued: int
    run: RunSummary

    @property
    def exit_code(self) -> int:
        """The run's: 2 when a channel's set-up stopped it, 1 when a delivery failed, else 0."""
        return self.run.exit_code

    def to_json(self) -> dict[str, Any]:
        """Exactly what `notifier resend --failed --json` prints."""
        return {"requeued": self.requeued, "run": self.run.to_json()}


@dataclass(frozen=True)
class Suppressions:
    """The suppression list: addresses notices are never sent to."""

    rows: tuple[Suppression, ...]

    def to_json(self) -> dict[str, Any]:
        """Exactly what `notifier suppress list --json` prints."""
        return {
            "suppressed": [
                {"address": r.address, "reason": r.reason, "since": r.created_at.isoformat()}
                for r in self.rows
            ]
        }


@dataclass(frozen=True)
class CalendarView:
    """Every runtime with its dates, its phase on `as_of` and its next milestone."""

    as_of: date
    runtimes: tuple[dict[str, Any], ...]

    def to_json(self) -> dict[str, Any]:
        """Exactly what `notifier calendar --json` prints."""
        return {"as_of": self.as_of.isoformat(), "runtimes": list(self.runtimes)}


@dataclass(frozen=True)
class CalendarCheck:
    """The calendar in use: how many runtimes it holds and what looks wrong in it."""

    calendar: str
    runtimes: int
    warnings: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """Exactly what `notifier calendar check --json` prints."""
        return {
            "calendar": self.calendar,
            "runtimes": self.runtimes,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class SetupCheck:
    """What `check` found for each configured channel, in the order they were checked."""

    channels: tuple[ChannelCheck, ...]

    def lines(self) -> list[str]:
        """One line per channel, as `notifier check` prints them."""
        return [str(c) for c in self.channels]

    def to_json(self) -> dict[str, Any]:
        """Exactly what `notifier check --json` prints."""
        return {"channels": [c.to_json() for c in self.channels]}
