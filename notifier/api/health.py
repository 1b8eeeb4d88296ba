"""The library's health reads: events in AWS Health's API shapes, and the dashboard site."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from notifier.api.base import Base, PathLike, Ready, unheard
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

    def health_dashboard(
        self,
        out: PathLike,
        *,
        as_of: date | None = None,
        serve: int | None = None,
        ready: Ready[DashboardSummary] | None = None,
    ) -> DashboardSummary:
        """Write the dashboard site into `out`: accounts with their event counts, the calendar's
        timeline, a page per account and per event; statuses on `as_of` when given.

        With `serve`, 127.0.0.1:`serve` (0: any free port) is taken before anything is written
        (a busy port is an InputError and nothing is written), then the site is served until
        Ctrl-C; `ready(summary, url)` is called once it is written and listening.

        Example: Notifier().health_dashboard("site", serve=8000, ready=print)
        """
        cal, folder = self._calendar(), Path(out)
        with serving.listening(folder, serve) as site:
            with self._reading(cal) as st:
                at = self._instant(as_of)
                built = build_dashboard(st, cal, self._day(as_of), folder, at=at)
            if site is not None:
                site.serve(lambda url: (ready or unheard)(built, url))
        return built
