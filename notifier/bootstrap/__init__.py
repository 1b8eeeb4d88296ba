"""The composition root: the one place that builds real adapters from settings."""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from notifier.bootstrap.clock import Clock, Seconds, utc_now
from notifier.bootstrap.delivery import check_setup as check_setup
from notifier.bootstrap.delivery import drain_feedback as drain_feedback
from notifier.bootstrap.delivery import email_channel as email_channel
from notifier.bootstrap.delivery import feedback_queue as feedback_queue
from notifier.bootstrap.delivery import quota_plan as quota_plan
from notifier.bootstrap.delivery import sandbox_recipients as sandbox_recipients
from notifier.bootstrap.planning import calendar as calendar
from notifier.bootstrap.planning import plan_inputs as plan_inputs
from notifier.bootstrap.stores import no_accounts as no_accounts
from notifier.bootstrap.stores import prepare_for_run as prepare_for_run
from notifier.bootstrap.stores import reading_store as reading_store
from notifier.bootstrap.stores import run_store as run_store
from notifier.bootstrap.stores import store as store
from notifier.bootstrap.stores import store_to_read as store_to_read
from notifier.channels.base import EmailChannel, EventChannel
from notifier.channels.eventbridge import EventBridgeChannel, make_client
from notifier.channels.ses import SesChannel
from notifier.channels.smtp import SmtpChannel
from notifier.config import Settings
from notifier.core.domain import Calendar
from notifier.core.health import HealthEvent
from notifier.core.instant import run_instant
from notifier.rendering.notice import NoticeRenderer
from notifier.service.breaker import Breaker
from notifier.service.compose import Composer, Prepared
from notifier.service.dispatch import EmailDispatcher, EventDispatcher
from notifier.service.health import (
    HealthPolicy,
    PublishingChannel,
    StoreHealthChannel,
    policy_of,
)
from notifier.service.pacing import SharedPace
from notifier.service.pool import PreparePool
from notifier.service.ports import Pace, Stores
from notifier.service.quota import QuotaPlan
from notifier.service.run import NO_LOCK, Progress, Runner
from notifier.service.sending import EmailSender, RetryPolicy
from notifier.store.engine import display_url as display_url
from notifier.store.lock import HeldLock
from notifier.store.owner import Owner

__all__ = ["Clock", "Seconds", "utc_now"]


def today(settings: Settings, clock: Clock = utc_now) -> date:
    """The as-of default: today in the configured time zone."""
    return clock().astimezone(settings.zone).date()


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


def check_run(settings: Settings) -> None:
    """Load the templates and set up the email channel, before a run writes anything: a bad
    templates folder or channel setting fails here, not after an import or a ledger row."""
    NoticeRenderer(settings.templates_dir, max_functions=settings.max_functions)
    email_channel(settings)


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
