"""The SQS queue receiving Amazon SES bounce and complaint notifications: read in batches,
each message deleted only when the caller says it has been recorded. botocore's errors become
DeliveryError (channels/aws.py); the boto3 client is made on first use."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from botocore.config import Config

from notifier.channels.aws import AWS_ERRORS, delivery_error
from notifier.core.errors import DeliveryError
from notifier.core.feedback import QueuedMessage

BATCH = 10  # the most SQS returns at once
_REGION = re.compile(r"sqs[.-]([a-z0-9-]+)\.amazonaws\.com")


class SqsFeedbackQueue:
    """A FeedbackQueue on SQS. The endpoint is the queue URL's own host; the Region is the one
    given, else the one in an AWS queue URL's host."""

    def __init__(
        self,
        queue_url: str,
        region: str | None = None,
        client: Any = None,
        config: Config | None = None,
    ) -> None:
        self.queue_url = queue_url
        self.region = region or region_of(queue_url)
        self._client = client
        self._config = config or Config(
            retries={"total_max_attempts": 2}, connect_timeout=10, read_timeout=30
        )

    def receive(self) -> list[QueuedMessage]:
        """Up to BATCH messages; they stay hidden from other readers for the visibility timeout."""
        try:
            answer = self._ready().receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=BATCH, WaitTimeSeconds=0
            )
        except AWS_ERRORS as exc:
            raise delivery_error("sqs", exc) from exc
        return [
            QueuedMessage(str(m["MessageId"]), str(m.get("Body") or ""), str(m["ReceiptHandle"]))
            for m in answer.get("Messages", [])
        ]

    def delete(self, message: QueuedMessage) -> None:
        try:
            self._ready().delete_message(QueueUrl=self.queue_url, ReceiptHandle=message.receipt)
        except AWS_ERRORS as exc:
            raise delivery_error("sqs", exc) from exc

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def _ready(self) -> Any:
        if self._client is None:
            import boto3

            parts = urlsplit(self.queue_url)
            try:
                self._client = boto3.client(
                    "sqs",
                    region_name=self.region,
                    endpoint_url=f"{parts.scheme}://{parts.netloc}",
                    config=self._config,
                )
            except AWS_ERRORS as exc:
                reason = f"sqs: cannot make a client: {exc} (ses.region sets the queue's Region)"
                raise DeliveryError(reason, retryable=True) from exc
        return self._client


def region_of(queue_url: str) -> str | None:
    """`us-east-1` from https://sqs.us-east-1.amazonaws.com/123456789012/name; else None."""
    match = _REGION.match(urlsplit(queue_url).hostname or "")
    return match.group(1) if match else None
