"""botocore's errors as DeliveryError, the same way for every AWS channel: retryable for
throttling, a 429 or 5xx answer and the network; final for anything else (validation, access).
Only botocore's own exception types are translated: any other exception is a bug and is left
to surface."""

from __future__ import annotations

from collections.abc import Collection

from botocore.exceptions import BotoCoreError, ClientError

from notifier.channels.base import DeliveryError

TRANSIENT_CODES = frozenset(
    {
        *("Throttling", "ThrottlingException", "TooManyRequestsException"),
        *("InternalFailure", "InternalException", "ServiceUnavailable"),
        *("ServiceUnavailableException", "RequestTimeout", "RequestTimeoutException"),
    }
)
AWS_ERRORS = (ClientError, BotoCoreError)


def delivery_error(
    service: str, exc: ClientError | BotoCoreError, also_transient: Collection[str] = ()
) -> DeliveryError:
    """`<service>: <code>: <message>` for an answer, `<service>: cannot reach it: ...` else."""
    if isinstance(exc, BotoCoreError):
        return DeliveryError(f"{service}: cannot reach it: {exc}", retryable=True)
    error = exc.response.get("Error", {})
    code = str(error.get("Code") or "")
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    transient = code in TRANSIENT_CODES or code in also_transient
    detail = str(error.get("Message") or "").strip()
    reason = f"{service}: {code or status}: {detail}" if detail else f"{service}: {code or status}"
    return DeliveryError(reason, retryable=transient or status == 429 or status >= 500)
