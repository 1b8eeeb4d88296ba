"""The library's health reads: events in AWS Health's API shapes, and the dashboard site."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from notifier.api.base import Base, PathLike
from notifier.api.inputs import account_ids
from notifier.core.health import EntityStatus, EventFilter, EventStatus
from notifier.service import health_api, serving
from notifier.service.dashboard import DashboardSummary, build_dashboard

MAX_RESULTS = health_api.MAX_RESULTS


class HealthReads(Base):
    def health_events(
        self,
        *,
        accounts: Sequence[str] = (),
        regions: Sequence[str] = (),
        statuses: Sequence[EventStatus | str] = (),
        runtimes: Sequence[str] = (),
        max_results: int = MAX_RESULTS,
        next_token: str | None = None,
        as_of: date | None = None,
    ) -> dict[str, object]:
        """Events like AWS Health's DescribeEvents: `{"events": [...], "nextToken": ...}`, the
        same dict `notifier health events --json` prints; with `as_of`, statuses on that day.

        Example: Notifier().health_events(statuses=["open"], regions=["us-east-1"])["events"]
        """
        wanted = EventFilter(
            tuple(account_ids(accounts) or ()),
            tuple(regions),
            tuple(EventStatus(s) for s in statuses),
            tuple(runtimes),
        )
        with self._reading(self._calendar()) as st:
            at = self._instant(as_of)
            return health_api.describe_events(st.health, wanted, max_results, next_token, at)

    def health_details(
        self, arns: Sequence[str], *, as_of: date | None = None
    ) -> dict[str, object]:
        """Events like DescribeEventDetails: `successfulSet`, and `failedSet` for unknown ARNs.

        Example: Notifier().health_details(["arn:aws:health:us-east-1::event/LAMBDA/..."])
        """
        with self._reading(self._calendar()) as st:
            return health_api.describe_event_details(st.health, list(arns), self._instant(as_of))

    def health_entities(
        self,
        arn: str,
        *,
        statuses: Sequence[EntityStatus | str] = (),
        max_results: int = MAX_RESULTS,
        next_token: str | None = None,
        as_of: date | None = None,
    ) -> dict[str, object]:
        """An event's affected functions like DescribeAffectedEntities.

        Example: Notifier().health_entities(arn, statuses=["PENDING"])["entities"]
        """
        wanted = tuple(EntityStatus(s) for s in statuses)
        with self._reading(self._calendar()) as st:
            at = self._instant(as_of)
            return health_api.describe_affected_entities(
                st.health, arn, wanted, max_results, next_token, at
            )

    def health_dashboard(self, out: PathLike, *, as_of: date | None = None) -> DashboardSummary:
        """Write the dashboard site into `out`: accounts with their event counts, the calendar's
        timeline, a page per account and per event; statuses on `as_of` when given.

        Example: Notifier().health_dashboard("site").accounts
        """
        cal = self._calendar()
        with self._reading(cal) as st:
            at = self._instant(as_of)
            return build_dashboard(st, cal, self._day(as_of), Path(out), at=at)

    def serve(self, folder: PathLike, port: int, ready: Callable[[str], None]) -> None:
        """Serve a written site (dashboard or gallery) on 127.0.0.1:`port` until Ctrl-C;
        `ready` gets its URL once it listens (port 0: any free port).

        Example: Notifier().serve("site", 8000, print)
        """
        serving.serve(Path(folder), port, ready)
