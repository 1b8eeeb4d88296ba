"""Bounce and complaint feedback from Amazon SES, as plain values: what happened to which
addresses of which message, and what it means for the suppression list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class FeedbackKind(StrEnum):
    BOUNCE = "bounce"
    COMPLAINT = "complaint"


@dataclass(frozen=True)
class Recipient:
    """One address the feedback is about, with what the receiver said (may be empty)."""

    address: str
    detail: str = ""


@dataclass(frozen=True)
class Feedback:
    """One SES bounce or complaint notification.

    `subtype` is the bounce type (Permanent, Transient, Undetermined) or the complaint's
    feedback type (abuse, ...; empty when not given). `message_id` is our Message-ID header
    (when SES passed the headers on), `ses_message_id` the id SES gave the message."""

    kind: FeedbackKind
    subtype: str
    recipients: tuple[Recipient, ...]
    at: datetime
    message_id: str | None
    ses_message_id: str | None

    @property
    def suppresses(self) -> bool:
        """Permanent bounces and complaints put the addresses on the suppression list."""
        return self.kind is FeedbackKind.COMPLAINT or self.subtype == "Permanent"

    @property
    def status(self) -> str:
        """The delivery's status once this arrived."""
        return "complained" if self.kind is FeedbackKind.COMPLAINT else "bounced"

    def reason(self, recipient: Recipient) -> str:
        """`bounce: <diagnostic>` or `complaint: <feedback type>`, for the suppression list."""
        if self.kind is FeedbackKind.COMPLAINT:
            return f"complaint: {self.subtype or 'no feedback type given'}"
        return f"bounce: {recipient.detail or self.subtype}"


@dataclass(frozen=True)
class QueuedMessage:
    """One message read from a queue: its body and the handle that deletes it."""

    message_id: str
    body: str
    receipt: str
