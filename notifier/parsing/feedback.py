"""SES bounce and complaint notifications, from the bodies of the SQS messages carrying them.

Three shapes reach the queue (pure functions over the decoded JSON):
- an SNS envelope (`Type: Notification`, the SES notification as a JSON string in `Message`);
- SNS raw message delivery: the SES notification itself (`notificationType`, or `eventType`
  when a configuration set publishes the events);
- an EventBridge event (`source: aws.ses`, `detail-type: Email Bounced` ...): the SES event in
  `detail`.
A well-formed message about anything else (a delivery, an SNS subscription confirmation) reads
as None; anything unreadable raises MalformedFeedback."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parseaddr
from typing import Any

from notifier.core.feedback import Feedback, FeedbackKind, Recipient

KINDS = {"Bounce": FeedbackKind.BOUNCE, "Complaint": FeedbackKind.COMPLAINT}
# The object holding the details of each kind, and its list of addresses.
PARTS = {
    FeedbackKind.BOUNCE: ("bounce", "bouncedRecipients", "bounceType"),
    FeedbackKind.COMPLAINT: ("complaint", "complainedRecipients", "complaintFeedbackType"),
}


class MalformedFeedback(ValueError):
    """A queued message that is not a notification this reader understands."""


def read_feedback(body: str) -> Feedback | None:
    """The bounce or complaint in an SQS message body; None for other well-formed messages."""
    notification = unwrap(_json_object(body, "the message body"))
    return None if notification is None else feedback_of(notification)


def unwrap(message: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The SES notification inside an SNS envelope or an EventBridge event (or the message
    itself, under raw delivery); None for an SNS message that is not a notification."""
    if "TopicArn" in message and "Type" in message:
        if message["Type"] != "Notification":
            return None
        return _json_object(message.get("Message"), "the SNS Message")
    if "detail-type" in message and "detail" in message:
        detail = message["detail"]
        if not isinstance(detail, Mapping):
            raise MalformedFeedback("the EventBridge detail is not an object")
        return detail
    return message


def feedback_of(notification: Mapping[str, Any]) -> Feedback | None:
    """A Bounce or Complaint notification as Feedback; None for other notification types."""
    name = notification.get("notificationType") or notification.get("eventType")
    if not isinstance(name, str) or not name:
        raise MalformedFeedback("neither notificationType nor eventType")
    kind = KINDS.get(name)
    if kind is None:
        return None
    part, listed, subtype = PARTS[kind]
    details = _object(notification, part)
    mail = _object(notification, "mail")
    return Feedback(
        kind=kind,
        subtype=_text(details.get(subtype)),
        recipients=_recipients(details.get(listed), listed),
        at=_when(details.get("timestamp") or mail.get("timestamp")),
        message_id=our_message_id(mail),
        ses_message_id=_text(mail.get("messageId")) or None,
    )


def our_message_id(mail: Mapping[str, Any]) -> str | None:
    """Our Message-ID header, from `mail.headers` or else `mail.commonHeaders.messageId`
    (present only when the identity or configuration set includes the original headers)."""
    headers = mail.get("headers")
    if isinstance(headers, list):
        for header in headers:
            if isinstance(header, Mapping) and _text(header.get("name")).lower() == "message-id":
                return _text(header.get("value")) or None
    common = mail.get("commonHeaders")
    if isinstance(common, Mapping):
        return _text(common.get("messageId")) or None
    return None


def _recipients(listed: object, name: str) -> tuple[Recipient, ...]:
    if not isinstance(listed, list) or not listed:
        raise MalformedFeedback(f"no {name}")
    found: list[Recipient] = []
    for item in listed:
        address = parseaddr(_text(item.get("emailAddress")))[1] if isinstance(item, Mapping) else ""
        if "@" not in address:
            raise MalformedFeedback(f"{name}: an entry without an emailAddress")
        found.append(Recipient(address.lower(), _text(item.get("diagnosticCode"))))
    return tuple(found)


def _when(value: object) -> datetime:
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise MalformedFeedback(f"timestamp {value!r} is not an ISO 8601 time") from exc
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _json_object(text: object, what: str) -> Mapping[str, Any]:
    if not isinstance(text, str):
        raise MalformedFeedback(f"{what} is not text")
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise MalformedFeedback(f"{what} is not JSON: {exc}") from exc
    if not isinstance(value, Mapping):
        raise MalformedFeedback(f"{what} is not a JSON object")
    return value


def _object(parent: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = parent.get(name)
    if not isinstance(value, Mapping):
        raise MalformedFeedback(f"no {name} object")
    return value


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
