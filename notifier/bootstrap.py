"""The composition root: the one place that builds real adapters from settings."""

from __future__ import annotations

import functools
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine

from notifier.channels.base import Checkable, EmailChannel, EventChannel
from notifier.channels.eventbridge import EventBridgeChannel, make_client
from notifier.channels.feedback import SqsFeedbackQueue
from notifier.channels.outbox import OutboxChannel
from notifier.channels.ses import SesChannel
from notifier.channels.smtp import SmtpChannel
from notifier.config import Settings
from notifier.core.domain import Calendar
from notifier.core.errors import ConfigError, DeliveryError, Problem
from notifier.core.health import HealthEvent
from notifier.core.instant import run_instant
from notifier.parsing.calendar import load_calendar
from notifier.rendering.notice import NoticeRenderer
from notifier.service.breaker import Breaker
from notifier.service.compose import Composer, Prepared
from notifier.service.dispatch import EmailDispatcher, EventDispatcher
from notifier.service.feedback import FeedbackRecorder, FeedbackSummary, drain
from notifier.service.health import (
    HealthPolicy,
    PublishingChannel,
    StoreHealthChannel,
    policy_of,
)
from notifier.service.imports import sample_account_ids, seed_if_new, seed_sample
from notifier.service.pacing import SharedPace
from notifier.service.planning import PlanInputs
from notifier.service.pool import PreparePool
from notifier.service.ports import Pace, Stores
from notifier.service.quota import QuotaPlan, plan_quota
from notifier.service.run import NO_LOCK, Progress, Runner
from notifier.service.sending import EmailSender, RetryPolicy
from notifier.service.setup import CheckedSetup, check_channels, day_recipients, sandbox_note
from notifier.store.engine import (
    check_folder,
    make_engine,
    parse_url,
    readonly_engine,
    sqlite_path,
)
from notifier.store.engine import display_url as display_url
from notifier.store.guard import check_open
from notifier.store.lock import HeldLock
from notifier.store.owner import Owner
from notifier.store.schema import has_schema, is_current, upgrade
from notifier.store.stores import SqlStores

Clock = Callable[[], datetime]
Seconds = Callable[[], float]  # wall seconds, the same in every process: the shared send budget


def utc_now() -> datetime:
    return datetime.now(UTC)


def today(settings: Settings, clock: Clock = utc_now) -> date:
    """The as-of default: today in the configured time zone."""
    return clock().astimezone(settings.zone).date()


def calendar(settings: Settings) -> Calendar:
    return load_calendar(settings.calendar)


def plan_inputs(settings: Settings, cal: Calendar, as_of: date) -> PlanInputs:
    return PlanInputs(as_of, cal, settings.schedule, settings.recipients)


def composer(settings: Settings, clock: Clock = utc_now, parallel: bool = False) -> Composer:
    """Renders and builds messages; with `parallel`, large batches go to worker processes."""
    renderer = NoticeRenderer(settings.templates_dir, max_functions=settings.max_functions)
    workers = settings.workers if settings.workers else (os.cpu_count() or 1)
    pool = None
    if parallel and workers > 1:
        pool = PreparePool(functools.partial(composer, settings, clock), workers)
    return Composer(
        renderer, settings.sender, settings.message_id_domain, settings.zone, clock, pool
    )


@contextmanager
def preparing(settings: Settings, clock: Clock = utc_now) -> Iterator[Composer]:
    """A parallel composer whose worker processes stop when the block ends."""
    made = composer(settings, clock, parallel=True)
    try:
        yield made
    finally:
        if isinstance(made.pool, PreparePool):
            made.pool.close()


def email_channel(settings: Settings) -> SmtpChannel | SesChannel | OutboxChannel:
    if settings.email_channel == "smtp":
        return SmtpChannel(settings.delivery.smtp)
    if settings.email_channel == "ses":
        return SesChannel(settings.delivery.ses, sender=settings.sender)
    if settings.email_channel == "outbox":
        return OutboxChannel(settings.outbox_dir)
    raise ConfigError(
        [Problem(settings.source, "this channel is not available yet", field="email.channel")]
    )


def feedback_queue(settings: Settings) -> SqsFeedbackQueue | None:
    """The SQS queue of SES bounces and complaints, when ses.feedback_queue_url is set."""
    ses = settings.delivery.ses
    if not ses.feedback_queue_url:
        return None
    return SqsFeedbackQueue(ses.feedback_queue_url, ses.region)


def drain_feedback(settings: Settings, st: Stores) -> FeedbackSummary | None:
    """Record and delete every bounce and complaint waiting; None when no queue is set."""
    queue = feedback_queue(settings)
    if queue is None:
        return None
    try:
        return drain(queue, FeedbackRecorder(st.suppressions, st.deliveries))
    finally:
        queue.close()


def check_run(settings: Settings) -> None:
    """Load the templates and set up the email channel, before a run writes anything: a bad
    templates folder or channel setting fails here, not after an import or a ledger row."""
    NoticeRenderer(settings.templates_dir, max_functions=settings.max_functions)
    email_channel(settings)


def check_setup(settings: Settings) -> CheckedSetup:
    """Try each configured channel once (ChannelDown or ConfigError when one fails)."""
    email = email_channel(settings)
    channels: list[Checkable] = [email]
    bridge = settings.health.eventbridge
    if settings.health.enabled and bridge.enabled:
        client = make_client(bridge.region, bridge.endpoint_url)
        channels.append(EventBridgeChannel(client, bridge.source, bridge.event_bus_name))
    return CheckedSetup(email, check_channels(channels))


def sandbox_recipients(
    settings: Settings, st: Stores, cal: Calendar, as_of: date, email: EmailChannel
) -> str | None:
    """In the SES sandbox (as the check found), which of the day's recipients SES will refuse."""
    if not isinstance(email, SesChannel) or not email.sandbox:
        return None
    recipients = day_recipients(st, plan_inputs(settings, cal, as_of))
    try:
        return sandbox_note(email.unverified, recipients) if recipients else None
    except DeliveryError as exc:  # a note, never a reason to stop the run
        return f"ses: in the sandbox; could not check the day's recipients: {exc.reason}"


def quota_plan(
    settings: Settings, st: Stores, cal: Calendar, as_of: date, email: EmailChannel
) -> QuotaPlan | None:
    """The day's notices that do not fit in what is left of SES's 24-hour quota (as the check
    found), the least urgent ones; None when no quota is known."""
    left = email.quota_left if isinstance(email, SesChannel) else None
    if left is None:
        return None
    return plan_quota(st, plan_inputs(settings, cal, as_of), email.name, left)


def email_sender(
    settings: Settings,
    channel: EmailChannel,
    build: Composer,
    pace: Pace | None = None,
    seconds: Seconds = time.time,
) -> EmailSender:
    """The channel behind in-run retries, with parallel connections for SMTP, paced by the
    send budget in the store (`pace`) when a rate is known."""
    r = settings.delivery.retry
    parallel = settings.delivery.smtp.connections if settings.email_channel == "smtp" else 1
    policy = RetryPolicy(r.max_attempts, r.backoff_base, r.backoff_max)
    breaker = Breaker(channel.name, r.breaker)
    rate = send_rate(settings, channel)
    pacer = SharedPace(pace, channel.name, rate, seconds, time.sleep) if pace and rate else None
    return EmailSender(channel, build.email, policy, parallel, breaker=breaker, pace=pacer)


def send_rate(settings: Settings, channel: EmailChannel) -> float | None:
    """The email channel's shared rate: smtp.max_send_rate, or SES's (setting, else account)."""
    if isinstance(channel, SmtpChannel):
        return settings.delivery.smtp.max_send_rate
    if isinstance(channel, SesChannel):
        return channel.send_rate
    return None


@contextmanager
def store(settings: Settings) -> Iterator[SqlStores]:
    """The store, its schema upgraded to the newest migration."""
    engine = _opened(settings.database_url)
    try:
        upgrade(engine)
        yield SqlStores.on(engine)
    finally:
        engine.dispose()


@contextmanager
def run_store(settings: Settings, wait: bool) -> Iterator[tuple[SqlStores, HeldLock]]:
    """The store for a run, under the run lock, taken before the schema is created or
    upgraded: two first runs on a brand-new database never race to create it."""
    engine = _opened(settings.database_url)
    try:
        stores = SqlStores.on(engine)
        with stores.lock.hold(wait) as held:
            upgrade(engine)
            yield stores, held
    finally:
        engine.dispose()


def _opened(url: str) -> Engine:
    """A read-write engine on a database that answered (else a one-line error)."""
    engine = make_engine(url)
    try:
        check_open(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


@contextmanager
def store_to_read(settings: Settings) -> Iterator[Stores]:
    """The database opened read-only: never created, upgraded or written (it may be on a
    read-only file system). A database not there yet, or still empty, reads as empty."""
    if not _database_exists(settings.database_url):
        with _empty_store() as empty:
            yield empty
        return
    with readonly_engine(settings.database_url) as engine:
        check_open(engine)
        if not has_schema(engine):
            with _empty_store() as empty:
                yield empty
            return
        if not is_current(engine):
            problem = "the database schema is older than this notifier: run `notifier db upgrade`"
            raise ConfigError([Problem(display_url(settings.database_url), problem)])
        yield SqlStores.on(engine)


@contextmanager
def _empty_store() -> Iterator[Stores]:
    empty = SqlStores.open("sqlite://")
    try:
        yield empty
    finally:
        empty.close()


@contextmanager
def reading_store(settings: Settings, cal: Calendar) -> Iterator[tuple[Stores, str | None]]:
    """A store to read without writing anything. When the database is brand-new (missing, or
    holding nothing at all) and `sample_data` is on, a throw-away copy holding the bundled
    sample stands in for it."""
    with store_to_read(settings) as found:
        if found.accounts.count_accounts() > 0:
            yield found, None
            return
        if not settings.sample_data or found.accounts.holds_data(sample_account_ids()):
            raise no_accounts(settings)
    with _sample_store(cal) as sample:
        where = display_url(settings.database_url)
        yield sample, f"{where} is a new database: showing the bundled sample data"


def no_accounts(settings: Settings) -> ConfigError:
    """The error of a command that needs accounts, on a database holding none."""
    message = "the database holds no accounts; import them with `notifier accounts import FILE`"
    return ConfigError([Problem(display_url(settings.database_url), message)])


@contextmanager
def _sample_store(cal: Calendar) -> Iterator[Stores]:
    with tempfile.TemporaryDirectory(prefix="notifier-sample-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'sample.db'}")
        try:
            upgrade(engine)
            sample = SqlStores.on(engine)
            seed_sample(sample, cal, utc_now())
            yield sample
        finally:
            engine.dispose()


def _database_exists(url: str) -> bool:
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        return True
    path = sqlite_path(parsed)
    if path is None:
        return False
    check_folder(url, path, writable=False)
    return path.is_file()


def event_channels(settings: Settings, st: Stores) -> list[EventChannel]:
    """The store's health channel first (publishers post what it stored), then EventBridge."""
    health = settings.health
    if not health.enabled:
        return []
    policy = HealthPolicy(settings.zone, health.end_time, health.event_type_code)
    channels: list[EventChannel] = [StoreHealthChannel(st.health, health.json_dir, policy)]
    bridge = health.eventbridge
    if bridge.enabled:
        client = make_client(bridge.region, bridge.endpoint_url)
        poster = EventBridgeChannel(client, bridge.source, bridge.event_bus_name)
        channels.append(PublishingChannel(st.health, st.publications, poster, policy))
    return channels


@contextmanager
def runner(
    settings: Settings,
    st: Stores,
    cal: Calendar,
    as_of: date,
    progress: Progress,
    clock: Clock = utc_now,
    lock: HeldLock | None = None,
    email: EmailChannel | None = None,
    seconds: Seconds = time.time,
    quota: QuotaPlan | None = None,
) -> Iterator[Runner]:
    """A Runner wired to the configured channels (`email`: one already checked); its worker
    processes stop with the block. `seconds` paces the email channel's shared budget."""
    at = run_instant(as_of, settings.zone, clock())
    with preparing(settings, clock) as built:
        channel = email or email_channel(settings)
        sender = email_sender(settings, channel, built, st.pace, seconds)
        yield Runner(
            stores=st,
            calendar=cal,
            inputs=plan_inputs(settings, cal, as_of),
            composer=built,
            email=EmailDispatcher(sender, st.suppressions.suppressed),
            events=event_dispatchers(event_channels(settings, st), built, at),
            claimant=Owner.this_process(),
            at=at,
            progress=progress,
            lock=lock or NO_LOCK,
            deferred=quota.deferred if quota else frozenset(),
        )


def event_dispatchers(
    channels: list[EventChannel], built: Composer, at: datetime
) -> list[EventDispatcher]:
    """Each event channel's dispatcher: events first written at the run's instant, dated by
    the health policy's schedule."""
    policy = policy_of(channels)

    def events(item: Prepared) -> list[HealthEvent]:
        return built.health_events(item, at, policy.schedule(item.notice.runtime))

    return [EventDispatcher(channel, events) for channel in channels]


def prepare_for_run(settings: Settings, st: Stores, cal: Calendar) -> str | None:
    """Seed the bundled sample into a brand-new store when allowed, and say so. A store with
    no account that gets no sample is refused, as by dry-run."""
    if st.accounts.count_accounts() > 0:
        return None
    seeded = seed_if_new(st, cal, utc_now()) if settings.sample_data else None
    if seeded is None:
        raise no_accounts(settings)
    accounts, inventory = seeded
    return (
        f"{display_url(settings.database_url)} is a new database: imported the bundled sample "
        f"({accounts.read} accounts, {inventory.functions} functions)"
    )
