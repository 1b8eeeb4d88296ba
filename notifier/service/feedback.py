"""Bounces and complaints: drain the queue SES notifies, put addresses on the suppression
list and mark the deliveries they belong to.

Each message is deleted only after what it says is recorded; recording is idempotent (a
suppression added again keeps its date, a delivery marked again stays marked), so a crash in
between only means the message is read and recorded once more. A malformed message is counted,
logged and left in the queue (SQS's redrive policy can move it aside); it never stops a run."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

from notifier.core.errors import DeliveryError
from notifier.core.feedback import Feedback, FeedbackKind, QueuedMessage
from notifier.parsing.feedback import MalformedFeedback, read_feedback
from notifier.service.ports import Deliveries, FeedbackQueue, Suppressions

log = logging.getLogger(__name__)

CHANNEL = "ses"  # the channel whose deliveries SES's feedback is about
MAX_BATCHES = 1000  # a bound on one drain: 10,000 messages


@dataclass
class FeedbackSummary:
    """What one drain of the feedback queue read and did."""

    read: int = 0
    permanent_bounces: int = 0
    soft_bounces: int = 0  # Transient or Undetermined: recorded, not suppressed
    complaints: int = 0
    suppressed: int = 0  # addresses new on the suppression list
    deliveries_marked: int = 0
    ignored: int = 0  # other notifications (deliveries, SNS confirmations): deleted
    malformed: int = 0  # left in the queue
    error: str | None = None  # the queue could not be read or written

    @property
    def exit_code(self) -> int:
        """The CLI's: 1 when the queue failed or a message could not be read, else 0."""
        return 1 if self.error or self.malformed else 0

    def to_json(self) -> dict[str, object]:
        """Exactly what `notifier feedback --json` prints."""
        return asdict(self)


@dataclass(frozen=True)
class FeedbackRecorder:
    """Records feedback in the store: the suppression list and the deliveries' statuses."""

    suppressions: Suppressions
    deliveries: Deliveries

    def record(self, feedback: Feedback, summary: FeedbackSummary) -> None:
        if feedback.suppresses:
            for recipient in feedback.recipients:
                reason = feedback.reason(recipient)
                if self.suppressions.add_suppression(recipient.address, reason, feedback.at):
                    summary.suppressed += 1
        note = "; ".join(f"{r.address}: {feedback.reason(r)}" for r in feedback.recipients)
        ids = (message_ids(feedback.message_id), _listed(feedback.ses_message_id))
        marked = self.deliveries.mark_feedback(CHANNEL, ids, feedback.status, note, feedback.at)
        summary.deliveries_marked += marked
        _count(feedback, summary)


def drain(queue: FeedbackQueue, recorder: FeedbackRecorder) -> FeedbackSummary:
    """Read the queue until it has nothing new; record and delete each message."""
    summary, seen = FeedbackSummary(), set[str]()
    try:
        for _ in range(MAX_BATCHES):
            batch = [m for m in queue.receive() if m.message_id not in seen]
            if not batch:
                break
            for message in batch:
                seen.add(message.message_id)
                _take(message, queue, recorder, summary)
    except DeliveryError as exc:
        summary.error = exc.reason
        log.warning("feedback: %s", exc.reason)
    return summary


def _take(
    message: QueuedMessage, queue: FeedbackQueue, recorder: FeedbackRecorder, s: FeedbackSummary
) -> None:
    s.read += 1
    try:
        feedback = read_feedback(message.body)
    except MalformedFeedback as exc:
        s.malformed += 1
        log.warning("feedback: message %s left in the queue: %s", message.message_id, exc)
        return
    if feedback is None:
        s.ignored += 1
    else:
        recorder.record(feedback, s)
    queue.delete(message)


def message_ids(header: str | None) -> list[str]:
    """The forms our Message-ID may be stored in: as given, and within angle brackets."""
    if not header:
        return []
    bare = header.strip().strip("<>").strip()
    return sorted({header.strip(), f"<{bare}>"})


def _listed(value: str | None) -> list[str]:
    return [value] if value else []


def _count(feedback: Feedback, summary: FeedbackSummary) -> None:
    if feedback.kind is FeedbackKind.COMPLAINT:
        summary.complaints += 1
    elif feedback.suppresses:
        summary.permanent_bounces += 1
    else:
        summary.soft_bounces += 1
