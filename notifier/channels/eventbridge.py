"""Posting health events to Amazon EventBridge in AWS Health's event form.

Each event becomes one entry, or several pages when one entry would exceed 256 KB. put_events
takes at most 10 entries and 256 KB per call; entries it reports as failed are tried again.
Errors from botocore become DeliveryError, retryable when a later try may succeed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from notifier.channels.base import DeliveryError, DeliveryResult
from notifier.core.health import DETAIL_TYPE, ENTRY_LIMIT, BusEntry, HealthEvent, bus_entries

MAX_ENTRIES = 10
ATTEMPTS = 4
# Failures that a later try may get past; anything else (validation, access) will not.
RETRYABLE_CODES = frozenset(
    {
        "ThrottlingException",
        "InternalException",
        "InternalFailure",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "RequestTimeout",
    }
)


def make_client(region: str | None, endpoint_url: str | None) -> Any:
    """A boto3 EventBridge client, built when a run needs it (never at import)."""
    import boto3

    return boto3.client("events", region_name=region or "us-east-1", endpoint_url=endpoint_url)


class EventBridgeChannel:
    """An EventChannel: `deliver` buffers an event's entries, `flush` posts them."""

    name = "eventbridge"

    def __init__(
        self,
        client: Any,
        source: str,
        bus: str = "default",
        limit: int = ENTRY_LIMIT,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client, self.source, self.bus, self.limit = client, source, bus, limit
        self.sleep = sleep
        self._pending: list[BusEntry] = []
        self.posted = 0

    def deliver(self, message: HealthEvent) -> DeliveryResult:
        self._pending += bus_entries(message, self.source, self.limit)
        return DeliveryResult(provider_id=message.arn)

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        for batch in _batches(pending, self.source, self.limit):
            self._post(batch)

    def close(self) -> None:
        self.flush()

    def _post(self, batch: list[BusEntry]) -> None:
        """Post one batch, trying again the entries that failed, with a growing pause."""
        for attempt in range(ATTEMPTS):
            failed = self._put(batch)
            self.posted += len(batch) - len(failed)
            if not failed:
                return
            codes = {code for _, code in failed}
            if not codes <= RETRYABLE_CODES or attempt == ATTEMPTS - 1:
                reason = f"EventBridge refused {len(failed)} entries: {', '.join(sorted(codes))}"
                raise DeliveryError(reason, retryable=codes <= RETRYABLE_CODES)
            batch = [entry for entry, _ in failed]
            self.sleep(0.2 * 2**attempt)

    def _put(self, batch: list[BusEntry]) -> list[tuple[BusEntry, str]]:
        entries = [self._entry(e) for e in batch]
        try:
            answer = self.client.put_events(Entries=entries)
        except Exception as exc:  # botocore's errors, translated
            raise _translated(exc) from exc
        results = answer.get("Entries", [])
        return [
            (entry, str(result.get("ErrorCode")))
            for entry, result in zip(batch, results, strict=False)
            if result.get("ErrorCode")
        ]

    def _entry(self, entry: BusEntry) -> dict[str, Any]:
        return {
            "Source": self.source,
            "DetailType": DETAIL_TYPE,
            "Detail": entry.detail,
            "Resources": list(entry.resources),
            "EventBusName": self.bus,
        }


def _batches(entries: Sequence[BusEntry], source: str, limit: int) -> Iterator[list[BusEntry]]:
    """At most MAX_ENTRIES entries and `limit` bytes per call."""
    batch: list[BusEntry] = []
    size = 0
    for entry in entries:
        weight = entry.size(source)
        if batch and (len(batch) == MAX_ENTRIES or size + weight > limit):
            yield batch
            batch, size = [], 0
        batch.append(entry)
        size += weight
    if batch:
        yield batch


def _translated(exc: Exception) -> DeliveryError:
    """A botocore error as a DeliveryError: retryable for throttling, 5xx and the network."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = str(response.get("Error", {}).get("Code", ""))
        status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        retryable = code in RETRYABLE_CODES or status >= 500
        return DeliveryError(f"EventBridge said {code or status}: {exc}", retryable=retryable)
    return DeliveryError(f"could not reach EventBridge: {exc}", retryable=True)
