"""`Notifier`: everything the CLI does, from Python. The CLI is a thin shell over it.

>>> from datetime import date
>>> from notifier import Notifier
>>> nt = Notifier(database_url="sqlite:///n.db", sample_data=False)
>>> nt.import_accounts("accounts.csv")                  # doctest: +SKIP
>>> nt.dry_run(as_of=date(2027, 1, 15)).to_json()       # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path

from notifier import bootstrap
from notifier.api.base import PathLike
from notifier.api.health import HealthReads
from notifier.api.inputs import account_ids, checked_address, checked_channel, checked_status
from notifier.api.previews import Previews
from notifier.api.results import (
    CalendarCheck,
    CalendarView,
    DryRun,
    History,
    PlannedNotice,
    Resend,
    SetupCheck,
    Suppressions,
)
from notifier.api.working import Working
from notifier.channels.base import EmailChannel
from notifier.core.domain import Calendar
from notifier.core.errors import ConfigError, InputError, Problem
from notifier.core.records import InventorySummary
from notifier.parsing.calendar import calendar_warnings
from notifier.service import imports, queries
from notifier.service.feedback import FeedbackSummary
from notifier.service.ports import Stores
from notifier.service.quota import QuotaPlan
from notifier.service.run import NO_PROGRESS, Progress
from notifier.service.summary import RunSummary


class Notifier(HealthReads, Previews, Working):
    """One configuration of notifier: its settings, database, calendar and channels.

    `config`: a notifier.toml (default: $NOTIFIER_CONFIG, else ./notifier.toml if present);
    keyword `overrides` set any setting by its name (`database_url="sqlite:///n.db"`,
    `email={"channel": "smtp"}`) over the file and the environment. `on_note` receives side
    remarks (such as "a new database: showing the bundled sample"); `clock` is the only clock
    every call reads, once, to choose the day and instant it acts at.

    Example: Notifier("notifier.toml", sample_data=False).history().to_json()
    """

    def calendar(self, as_of: date | None = None) -> CalendarView:
        """Each runtime's dates and its phase on `as_of`.

        Example: Notifier().calendar(date(2027, 2, 1)).to_json()["runtimes"][0]["phase"]
        """
        cal, day = self._calendar(), self._day(as_of)
        rows = queries.calendar_rows(cal, bootstrap.plan_inputs(self._settings, cal, day))
        return CalendarView(day, tuple(rows))

    def check_calendar(self) -> CalendarCheck:
        """Load the calendar (an InputError lists every problem) and list its warnings.

        Example: Notifier(calendar="my-calendar.csv").check_calendar().warnings
        """
        cal = self._calendar()
        warnings = tuple(calendar_warnings(cal))
        return CalendarCheck(str(self._settings.calendar), len(cal), warnings)

    def import_accounts(
        self, path: PathLike, *, check_deliverability: bool = False
    ) -> imports.AccountsSummary:
        """Import or update accounts and their contacts from a CSV file; all or nothing.

        Example: Notifier().import_accounts("data/accounts.csv").inserted
        """
        with bootstrap.store(self._settings) as st:
            at = self._clock()
            return imports.import_accounts(st.accounts, Path(path), check_deliverability, at=at)

    def import_inventory(self, *paths: PathLike) -> InventorySummary:
        """Replace each listed account's functions with the snapshot in the files or folders.

        Example: Notifier().import_inventory("data/inventory").functions
        """
        cal = self._calendar()
        with bootstrap.store(self._settings) as st:
            return imports.import_inventory(st.inventory, [Path(p) for p in paths], cal)

    def dry_run(self, as_of: date | None = None, accounts: Sequence[str] | None = None) -> DryRun:
        """What a run on `as_of` would send, rendered, writing nothing anywhere.

        Example: Notifier().dry_run(date(2027, 1, 15), accounts=["111122223333"]).notices
        """
        day = self._day(as_of)
        return DryRun(day, tuple(self.planned(day, accounts)))

    def planned(
        self, as_of: date | None = None, accounts: Sequence[str] | None = None
    ) -> Iterator[PlannedNotice]:
        """The dry run's notices one at a time, for estates too large to hold in memory.

        Example: sum(1 for _ in Notifier().planned(date(2027, 1, 15)))
        """
        wanted, cal, day = account_ids(accounts), self._calendar(), self._day(as_of)
        with self._reading(cal) as st, bootstrap.preparing(self._settings, self._clock) as built:
            inputs = bootstrap.plan_inputs(self._settings, cal, day)
            for prepared in queries.dry_run(st, inputs, built, wanted):
                yield PlannedNotice(prepared)

    def run(
        self,
        as_of: date | None = None,
        *,
        wait: bool = False,
        force: bool = False,
        progress: Progress | None = None,
        plan_only: bool = False,
    ) -> RunSummary:
        """Check the set-up (as `check` does), then plan, record, render and deliver every
        notice due on `as_of`; see `exit_code`.

        `plan_only`: plan and record the notices, their pending deliveries and health events,
        and deliver nothing (no channel is tried): `work` delivers them, on any host.

        `wait`: wait for another run to finish instead of raising RunLockedError. `force`: allow
        an `as_of` more than `max_future_days` ahead (every notice due until then is recorded).
        With `ses.feedback_queue_url` set, the bounces and complaints waiting are read first
        (see `feedback`), so that this run already leaves out the addresses they suppress.
        Through SES, the notices that do not fit in what is left of its 24-hour quota (the
        least urgent: the farthest phase date) are left for the next run, with a note.

        Example: Notifier().run(date(2027, 1, 15)).to_json()["notices"]
        """
        cal, day = self._calendar(), self._day(as_of)
        if not force:
            self._check_not_too_far(day)
        bootstrap.check_run(self._settings)
        email = None if plan_only else bootstrap.check_setup(self._settings).email
        with bootstrap.run_store(self._settings, wait) as (st, lock):
            fed, quota = self._before_run(st, cal, day, email)
            bar = progress or NO_PROGRESS
            with bootstrap.runner(
                self._settings, st, cal, day, bar, self._clock, lock, email, quota=quota
            ) as run:
                run.plan_only = plan_only
                summary = run.run()
        summary.feedback = None if fed is None else fed.to_json()
        summary.quota = None if quota is None else (quota.left, len(quota.deferred))
        return summary

    def _before_run(
        self, st: Stores, cal: Calendar, day: date, email: EmailChannel | None
    ) -> tuple[FeedbackSummary | None, QuotaPlan | None]:
        """Before anything is recorded: seed a brand-new database, name the sandbox's
        unverified recipients, read the feedback queue, fit the day into SES's quota."""
        self._say(bootstrap.prepare_for_run(self._settings, st, cal))
        if email is None:  # plan only: no channel is tried
            return bootstrap.drain_feedback(self._settings, st), None
        self._say(bootstrap.sandbox_recipients(self._settings, st, cal, day, email))
        fed = bootstrap.drain_feedback(self._settings, st)
        quota = bootstrap.quota_plan(self._settings, st, cal, day, email)
        self._say(None if quota is None else quota.note())
        return fed, quota

    def _say(self, note: str | None) -> None:
        if note:
            self._note(note)

    def check(self) -> SetupCheck:
        """Try each configured channel once (SMTP: connect, TLS, login; SES: account and
        sender identity; EventBridge: the bus; outbox: the folder), sending and recording
        nothing. A bad set-up raises ChannelDown or ConfigError: one line naming the setting.

        Example: print("\\n".join(Notifier().check().lines()))
        """
        bootstrap.check_run(self._settings)
        return SetupCheck(bootstrap.check_setup(self._settings).checks)

    def feedback(self) -> FeedbackSummary:
        """Read the SQS queue of SES bounces and complaints (ses.feedback_queue_url): suppress
        the addresses of permanent bounces and complaints, mark their deliveries `bounced` or
        `complained`, and delete each message once recorded. `run` does this first, too.

        Example: Notifier(ses={"feedback_queue_url": "https://sqs..."}).feedback().to_json()
        """
        if not self._settings.delivery.ses.feedback_queue_url:
            problem = "not set: the SQS queue SES notifies of bounces and complaints"
            where = self._settings.source
            raise ConfigError([Problem(where, problem, field="ses.feedback_queue_url")])
        with bootstrap.store(self._settings) as st:
            found = bootstrap.drain_feedback(self._settings, st)
        assert found is not None
        return found

    def resend_failed(
        self,
        accounts: Sequence[str] | None = None,
        since: date | None = None,
        channel: str | None = None,
        *,
        wait: bool = False,
        progress: Progress | None = None,
    ) -> Resend:
        """Make the failed deliveries (permanent ones and lost outcomes included) pending again,
        as never tried, then deliver what is pending as `work` does (nothing new is planned):
        under the run lock, each message rebuilt from the ledger with its original Message-ID.

        `accounts`: only theirs; `since`: only notices recorded on or after that day (the day
        `history` shows); `channel`: only that configured channel's deliveries.

        Example: Notifier().resend_failed(accounts=["111122223333"]).to_json()["requeued"]
        """
        wanted, cal, day = account_ids(accounts), self._calendar(), self.today()
        bootstrap.check_run(self._settings)
        email = bootstrap.check_setup(self._settings).email
        with bootstrap.run_store(self._settings, wait) as (st, lock):
            bar = progress or NO_PROGRESS
            with bootstrap.runner(
                self._settings, st, cal, day, bar, self._clock, lock, email
            ) as run:
                run.only = checked_channel(channel, run.channel_names)
                requeued = st.deliveries.requeue_failed(run.only, wanted, since, run.at)
                return Resend(requeued, run.work())

    def history(self, accounts: Sequence[str] | None = None, status: str | None = None) -> History:
        """The notices sent, with the day each was sent and each channel's status; with
        `status` (pending, sending, delivered, failed, undeliverable) only those with a
        delivery in that status.

        Example: Notifier().history(accounts=["111122223333"], status="failed").to_json()
        """
        wanted, checked = account_ids(accounts), checked_status(status)
        with bootstrap.store_to_read(self._settings) as st:
            return History(tuple(queries.history(st.ledger, wanted, checked)))

    def suppress_add(self, address: str, reason: str = "manual") -> bool:
        """Never send to `address` again; False when it was already suppressed (reason updated).

        Example: Notifier().suppress_add("ops@example.com", reason="hard bounce")
        """
        checked = checked_address(address)
        with bootstrap.store(self._settings) as st:
            return st.suppressions.add_suppression(checked, reason, self._clock())

    def suppress_remove(self, address: str) -> bool:
        """Send to `address` again; False when it was not suppressed.

        Example: Notifier().suppress_remove("ops@example.com")
        """
        checked = checked_address(address)
        with bootstrap.store(self._settings) as st:
            return st.suppressions.remove_suppression(checked)

    def suppressions(self) -> Suppressions:
        """The suppressed addresses, with the reason and when each was added.

        Example: Notifier().suppressions().to_json()["suppressed"]
        """
        with bootstrap.store_to_read(self._settings) as st:
            return Suppressions(tuple(st.suppressions.suppressions()))

    def upgrade_database(self) -> str:
        """Create or upgrade the schema to the newest migration; returns the database's name.

        Example: Notifier(database_url="postgresql+psycopg://db/nt").upgrade_database()
        """
        with bootstrap.store(self._settings):
            return bootstrap.display_url(self._settings.database_url)

    def _check_not_too_far(self, day: date) -> None:
        """A run records every milestone up to its day as sent: a day far ahead is a typo."""
        days = self._settings.max_future_days
        if day > self.today() + timedelta(days=days):
            problem = (
                f"{day} is more than {days} days from today (max_future_days); a run records "
                "every notice due until then as sent. Pass --force if you mean it"
            )
            raise InputError([Problem("as_of", problem)])
