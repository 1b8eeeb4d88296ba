"""Reading SES bounce and complaint notifications from SQS message bodies, in every shape AWS
documents: SNS envelopes, raw delivery, EventBridge events."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from notifier.core.feedback import Feedback, FeedbackKind, Recipient
from notifier.parsing.feedback import MalformedFeedback, read_feedback
from tests.feedback_samples import SES_ID, bounce, complaint, eventbridge, raw, sns

OURS = "<notice.0123456789abcdef01234567@notifier.invalid>"
BOUNCED = Feedback(
    kind=FeedbackKind.BOUNCE,
    subtype="Permanent",
    recipients=(Recipient("ops@example.com", "smtp; 550 5.1.1 user unknown"),),
    at=datetime(2027, 1, 15, 9, 0, 5, 456000, tzinfo=UTC),
    message_id=OURS,
    ses_message_id=SES_ID,
)


@pytest.mark.parametrize(
    "body",
    [
        sns(bounce(message_id=OURS)),
        raw(bounce(message_id=OURS)),
        sns(bounce(message_id=OURS, event=True)),
        eventbridge(bounce(message_id=OURS, event=True)),
    ],
    ids=["sns", "raw", "sns-event-publishing", "eventbridge"],
)
def test_a_permanent_bounce_reads_the_same_in_every_documented_shape(body: str) -> None:
    assert read_feedback(body) == BOUNCED


@pytest.mark.parametrize(
    ("notification", "kind", "subtype", "suppresses", "status", "reason"),
    [
        (bounce(), "bounce", "Permanent", True, "bounced", "bounce: smtp; 550 5.1.1 user unknown"),
        (
            bounce("Transient"),
            "bounce",
            "Transient",
            False,
            "bounced",
            "bounce: smtp; 550 5.1.1 user unknown",
        ),
        (
            bounce("Undetermined"),
            "bounce",
            "Undetermined",
            False,
            "bounced",
            "bounce: smtp; 550 5.1.1 user unknown",
        ),
        (complaint(), "complaint", "abuse", True, "complained", "complaint: abuse"),
        (
            complaint(feedback_type=None),
            "complaint",
            "",
            True,
            "complained",
            "complaint: no feedback type given",
        ),
        (complaint(event=True), "complaint", "abuse", True, "complained", "complaint: abuse"),
    ],
)
def test_what_each_kind_of_feedback_means(
    notification: dict[str, object],
    kind: str,
    subtype: str,
    suppresses: bool,
    status: str,
    reason: str,
) -> None:
    found = read_feedback(raw(notification))
    assert found is not None
    assert (found.kind.value, found.subtype, found.suppresses) == (kind, subtype, suppresses)
    assert (found.status, found.reason(found.recipients[0])) == (status, reason)


def test_a_complaint_is_dated_by_the_complaint_not_the_send() -> None:
    found = read_feedback(sns(complaint()))
    assert found is not None and found.at == datetime(2027, 1, 16, 10, 0, tzinfo=UTC)


def test_without_the_original_headers_only_the_ses_message_id_is_known() -> None:
    found = read_feedback(sns(bounce()))
    assert found is not None and (found.message_id, found.ses_message_id) == (None, SES_ID)


def test_common_headers_give_our_message_id_when_the_header_list_is_missing() -> None:
    notification = bounce(message_id=OURS)
    del notification["mail"]["headers"]
    found = read_feedback(raw(notification))
    assert found is not None and found.message_id == OURS


def test_addresses_are_lower_cased_and_stripped_of_display_names() -> None:
    found = read_feedback(raw(bounce(to="Ops Team <Ops@Example.COM>")))
    assert found is not None and found.recipients[0].address == "ops@example.com"


@pytest.mark.parametrize(
    "body",
    [
        raw({"notificationType": "Delivery", "mail": {}, "delivery": {}}),
        eventbridge({**bounce(event=True), "eventType": "Bounce"}).replace('"Bounce"', '"Send"'),
        sns({"x": 1}, kind="SubscriptionConfirmation"),
    ],
    ids=["delivery", "send-event", "sns-subscription-confirmation"],
)
def test_other_well_formed_notifications_are_not_feedback(body: str) -> None:
    assert read_feedback(body) is None


def _broken_sns() -> str:
    envelope = json.loads(sns(bounce()))
    envelope["Message"] = "{not json"
    return json.dumps(envelope)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("not json at all", "the message body is not JSON"),
        ("[1, 2]", "the message body is not a JSON object"),
        (_broken_sns(), "the SNS Message is not JSON"),
        (raw({"mail": {}}), "neither notificationType nor eventType"),
        (raw({k: v for k, v in bounce().items() if k != "mail"}), "no mail object"),
        (raw({**bounce(), "bounce": {"bounceType": "Permanent"}}), "no bouncedRecipients"),
        (
            raw({**complaint(), "complaint": {"complainedRecipients": [{"name": "x"}]}}),
            "complainedRecipients: an entry without an emailAddress",
        ),
        (
            raw({**bounce(), "bounce": {**bounce()["bounce"], "timestamp": "yesterday"}}),
            "timestamp 'yesterday' is not an ISO 8601 time",
        ),
        (json.dumps({"detail-type": "Email Bounced", "detail": "x"}), "detail is not an object"),
    ],
)
def test_malformed_messages_are_refused_with_the_reason(body: str, says: str) -> None:
    with pytest.raises(MalformedFeedback, match=says):
        read_feedback(body)
