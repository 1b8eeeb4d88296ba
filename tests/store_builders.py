"""Small builders of domain objects for the store tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from notifier.core.domain import Account, DatedMilestone, Function, Notice, Phase, Runtime
from notifier.core.health import AffectedEntity, EntityStatus, EventStatus, HealthEvent, event_arn
from notifier.core.records import Outcome
from notifier.store.stores import SqlStores

AS_OF = date(2026, 3, 1)
NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
KNOWN = frozenset({"python3.9", "python3.12", "nodejs18.x", "nodejs20.x"})


def account(account_id: str, name: str | None = None, **contacts: str) -> Account:
    return Account(
        account_id, name or f"acct {account_id}", f"root@{account_id}.example", **contacts
    )


def function(
    account_id: str,
    name: str,
    runtime: str | None = "python3.9",
    package_type: str = "Zip",
    region: str = "us-east-1",
) -> Function:
    arn = f"arn:aws:lambda:{region}:{account_id}:function:{name}"
    return Function(account_id, region, name, runtime, arn, package_type, "2025-01-01T00:00:00Z")


def runtime(identifier: str = "python3.9", deprecation: date = date(2026, 4, 1)) -> Runtime:
    family = identifier.rstrip("0123456789.x")
    block_create, block_update = deprecation + timedelta(days=30), deprecation + timedelta(days=60)
    return Runtime(
        identifier, identifier.title(), family, "AL2", deprecation, block_create, block_update
    )


def notice(
    account_id: str = "111111111111",
    runtime_id: str = "python3.9",
    phase: Phase = Phase.DEPRECATION,
    days_before: int = 30,
    as_of: date = AS_OF,
) -> Notice:
    rt = runtime(runtime_id)
    when = (rt.phase_date(phase) or AS_OF) - timedelta(days=days_before)
    return Notice(
        account=account(account_id),
        runtime=rt,
        successor=runtime("python3.12", date(2028, 10, 1)),
        milestone=DatedMilestone(phase, days_before, when),
        functions=(f"arn:aws:lambda:us-east-1:{account_id}:function:a",),
        recipients=(f"root@{account_id}.example",),
        as_of=as_of,
    )


def health_event(
    account_id: str = "111111111111", *entities: tuple[str, EntityStatus]
) -> HealthEvent:
    return HealthEvent(
        arn=event_arn(account_id, "us-east-1", "python3.9"),
        account_id=account_id,
        region="us-east-1",
        runtime="python3.9",
        start_time=datetime(2026, 4, 1, 7, tzinfo=UTC),
        end_time=None,
        last_updated_time=NOW,
        status_code=EventStatus.UPCOMING,
        description="Python 3.9 reaches end of support",
        metadata={"deprecated_versions": "Python 3.9"},
        entities=tuple(AffectedEntity(value, status, NOW) for value, status in entities),
    )


OWNER = "test-run"


def settle(store: SqlStores, outcomes: list[Outcome], at: datetime = NOW) -> None:
    """Claim the outcomes' deliveries for OWNER, as a run does, then settle them."""
    store.deliveries.claim([o.delivery_id for o in outcomes], OWNER, at + timedelta(minutes=10), at)
    store.deliveries.settle(outcomes, OWNER, at)
