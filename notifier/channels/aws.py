"""botocore's errors as DeliveryError, the same way for every AWS channel: retryable for
throttling, a 429 or 5xx answer and the network; final for anything else (validation, access).
Throttling and a 429 are marked `throttled`: they slow the shared send budget down.
Only botocore's own exception types are translated: any other exception is a bug and is left
to surface."""

from __future__ import annotations

from collections.abc import Collection

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

from notifier.channels.base import ChannelDown, DeliveryError

TRANSIENT_CODES = frozenset(
    {
        *("Throttling", "ThrottlingException", "TooManyRequestsException"),
        *("InternalFailure", "InternalException", "ServiceUnavailable"),
        *("ServiceUnavailableException", "RequestTimeout", "RequestTimeoutException"),
    }
)
THROTTLING_CODES = frozenset({"Throttling", "ThrottlingException", "TooManyRequestsException"})
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
    throttled = code in THROTTLING_CODES or status == 429
    return DeliveryError(reason, retryable=transient or status >= 500, throttled=throttled)


NO_CREDENTIALS = (
    "no AWS credentials found; set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
    "or run where a role provides them"
)


def setup_error(
    service: str, call: str, exc: ClientError | BotoCoreError, settings: str
) -> ChannelDown:
    """A failed set-up check as one line: missing credentials or region, a service that cannot
    be reached, or its refusal (`settings` names the keys to look at)."""
    setting = settings.split(" and ")[0]
    if isinstance(exc, NoCredentialsError):
        return ChannelDown(f"{service}: {NO_CREDENTIALS}", setting="AWS credentials")
    if isinstance(exc, NoRegionError):
        return ChannelDown(f"{service}: no AWS region; set {settings}", setting=setting)
    if isinstance(exc, BotoCoreError):
        return ChannelDown(f"{service}: cannot reach it: {exc}; check {settings}", setting=setting)
    error = exc.response.get("Error", {})
    code = str(error.get("Code") or "")
    detail = str(error.get("Message") or "").strip()
    return ChannelDown(
        f"{service}: {call} refused: {code}: {detail}; check {settings} and that the "
        f"credentials may call {call}",
        setting=setting,
    )
