"""SES bounce and complaint notifications in the shapes AWS documents (SES developer guide:
"Amazon SNS notification contents", "Contents of event data that Amazon SES publishes", and the
EventBridge events reference for source aws.ses), and the envelopes that carry them to SQS."""

from __future__ import annotations

import json
from typing import Any

SES_ID = "0100018c5f2a7b3e-5d2c9e61-1a2b-4c3d-9e8f-0a1b2c3d4e5f-000000"
SENT = "2027-01-15T09:00:01.123Z"


def mail(message_id: str | None = None, ses_id: str = SES_ID, to: str = "ops@example.com") -> Any:
    """The `mail` object; with `message_id`, the original headers are included."""
    found: dict[str, Any] = {
        "timestamp": SENT,
        "source": "Cloud Platform Notices <notices@example.com>",
        "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com",
        "sendingAccountId": "123456789012",
        "messageId": ses_id,
        "destination": [to],
    }
    if message_id is not None:
        found["headersTruncated"] = False
        found["headers"] = [
            {"name": "From", "value": "Cloud Platform Notices <notices@example.com>"},
            {"name": "To", "value": to},
            {"name": "Message-ID", "value": message_id},
            {"name": "Subject", "value": "Action needed"},
        ]
        found["commonHeaders"] = {
            "from": ["Cloud Platform Notices <notices@example.com>"],
            "to": [to],
            "messageId": message_id,
            "subject": "Action needed",
        }
    return found


def bounce(
    kind: str = "Permanent",
    to: str = "ops@example.com",
    message_id: str | None = None,
    ses_id: str = SES_ID,
    event: bool = False,
) -> dict[str, Any]:
    """A bounce notification (`eventType` instead of `notificationType` with `event`)."""
    return {
        ("eventType" if event else "notificationType"): "Bounce",
        "bounce": {
            "bounceType": kind,
            "bounceSubType": "General" if kind == "Permanent" else "MailboxFull",
            "bouncedRecipients": [
                {
                    "emailAddress": to,
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                }
            ],
            "timestamp": "2027-01-15T09:00:05.456Z",
            "feedbackId": "0100018c5f2a7c00-aaaa-bbbb-cccc-dddd-000000",
            "reportingMTA": "dsn; mta.example.com",
        },
        "mail": mail(message_id, ses_id, to),
    }


def complaint(
    to: str = "ops@example.com",
    message_id: str | None = None,
    ses_id: str = SES_ID,
    feedback_type: str | None = "abuse",
    event: bool = False,
) -> dict[str, Any]:
    details: dict[str, Any] = {
        "userAgent": "ExampleCorp Feedback Loop (V0.01)",
        "complainedRecipients": [{"emailAddress": to}],
        "timestamp": "2027-01-16T10:00:00.000Z",
        "feedbackId": "0100018c5f2a7d00-eeee-ffff-0000-1111-000000",
        "arrivalDate": "2027-01-16T09:59:58.000Z",
    }
    if feedback_type is not None:
        details["complaintFeedbackType"] = feedback_type
    return {
        ("eventType" if event else "notificationType"): "Complaint",
        "complaint": details,
        "mail": mail(message_id, ses_id, to),
    }


def sns(notification: dict[str, Any], kind: str = "Notification") -> str:
    """An SQS body as SNS delivers it (not raw): the notification as a JSON string."""
    return json.dumps(
        {
            "Type": kind,
            "MessageId": "7c9e2a51-3b2f-5d4e-8a6b-1c2d3e4f5a6b",
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:ses-feedback",
            "Message": json.dumps(notification),
            "Timestamp": "2027-01-15T09:00:06.000Z",
            "SignatureVersion": "1",
            "Signature": "EXAMPLE",
            "SigningCertURL": "https://sns.us-east-1.amazonaws.com/cert.pem",
            "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
        }
    )


def raw(notification: dict[str, Any]) -> str:
    """An SQS body under SNS raw message delivery: the notification itself."""
    return json.dumps(notification)


DETAIL_TYPES = {"Bounce": "Email Bounced", "Complaint": "Email Complaint Received"}


def eventbridge(event: dict[str, Any]) -> str:
    """An SQS body as an EventBridge rule on source aws.ses delivers it."""
    return json.dumps(
        {
            "version": "0",
            "id": "3a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
            "detail-type": DETAIL_TYPES[event["eventType"]],
            "source": "aws.ses",
            "account": "123456789012",
            "time": "2027-01-15T09:00:06Z",
            "region": "us-east-1",
            "resources": ["arn:aws:ses:us-east-1:123456789012:configuration-set/notices"],
            "detail": event,
        }
    )
