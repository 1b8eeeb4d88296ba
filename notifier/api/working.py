"""The library's worker: delivering what runs recorded, on any host, as many at once as wanted."""

from __future__ import annotations

import threading
from datetime import date

from notifier import bootstrap
from notifier.api.base import Base
from notifier.api.inputs import checked_channel
from notifier.channels.base import EmailChannel
from notifier.core.domain import Calendar
from notifier.service.ports import Stores
from notifier.service.run import NO_PROGRESS
from notifier.service.summary import RunSummary


class Working(Base):
    def work(
        self,
        as_of: date | None = None,
        *,
        once: bool = True,
        channel: str | None = None,
        stop: threading.Event | None = None,
    ) -> RunSummary:
        """Deliver the pending deliveries (recorded by `run`, or `run(plan_only=True)`) without
        planning and without the run lock: claim a chunk (no other worker can hold it), render
        it from the ledger, deliver and settle it with the same Message-ID. Claims left by a
        worker that is gone are taken back after their lease (at once when its process is
        seen dead on this host) and sent again with the same Message-ID.

        `once`: drain what is pending and return; else poll every `delivery.poll_seconds`
        until `stop` is set, which finishes the chunk under way first. `channel`: only that
        configured channel's deliveries. `as_of`: the day the deliveries are settled at.
        The summary adds up every poll; `exit_code` as `run`'s.

        Example: Notifier().work(once=True).to_json()["channels"]["smtp"]["delivered"]
        """
        cal, day = self._calendar(), self._day(as_of)
        bootstrap.check_run(self._settings)
        email = bootstrap.check_setup(self._settings).email
        halt = stop or threading.Event()
        with bootstrap.store(self._settings) as st:
            total = self._poll(st, cal, day, email, channel, halt)
            while not (
                once or total.halted or halt.wait(self._settings.delivery.retry.poll_seconds)
            ):
                total.absorb(self._poll(st, cal, day, email, channel, halt))
        return total

    def _poll(
        self,
        st: Stores,
        cal: Calendar,
        day: date,
        email: EmailChannel,
        channel: str | None,
        stop: threading.Event,
    ) -> RunSummary:
        """One pass over what is pending, by a runner of its own (a channel found down in one
        pass is tried again in the next)."""
        settings, clock = self._settings, self._clock
        with bootstrap.runner(settings, st, cal, day, NO_PROGRESS, clock, email=email) as run:
            run.only = checked_channel(channel, run.channel_names)
            run.stopping = stop.is_set
            return run.work()
