"""The channels a run delivers through, built and checked once, and what comes before
sending: the feedback queue, the SES sandbox and quota."""

from __future__ import annotations

from datetime import date

from notifier.bootstrap.planning import plan_inputs
from notifier.channels.base import Checkable, EmailChannel
from notifier.channels.eventbridge import EventBridgeChannel, make_client
from notifier.channels.feedback import SqsFeedbackQueue
from notifier.channels.outbox import OutboxChannel
from notifier.channels.ses import SesChannel
from notifier.channels.smtp import SmtpChannel
from notifier.config import Settings
from notifier.core.domain import Calendar
from notifier.core.errors import ConfigError, DeliveryError, Problem
from notifier.service.feedback import FeedbackRecorder, FeedbackSummary, drain
from notifier.service.ports import Stores
from notifier.service.quota import QuotaPlan, plan_quota
from notifier.service.setup import CheckedSetup, check_channels, day_recipients, sandbox_note
from notifier.store.engine import display_url as display_url


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
