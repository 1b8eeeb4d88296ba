"""Delivery attempts: `sending` made durable before a hand-over, then the settled outcome."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine, bindparam, func, update

from notifier.core.records import Outcome
from notifier.store.session import DELIVERY, chunks, writing


def mark_sending(engine: Engine, delivery_ids: Sequence[int], at: datetime) -> None:
    """Mark deliveries `sending` in one transaction, committed before any is handed over: a
    delivery found `sending` later was killed between hand-over and record (outcome unknown)."""
    if not delivery_ids:
        return
    with writing(engine) as session:
        connection = session.connection()
        for ids in chunks(delivery_ids):
            query = update(DELIVERY).where(DELIVERY.c.id.in_(ids))
            connection.execute(query.values(status="sending", updated_at=at))


_SETTLE = (
    update(DELIVERY)
    .where(DELIVERY.c.id == bindparam("_id"))
    .values(
        status=bindparam("_status"),
        attempts=DELIVERY.c.attempts + bindparam("_tries"),
        last_error=bindparam("_error"),
        provider_id=func.coalesce(bindparam("_provider"), DELIVERY.c.provider_id),
        permanent=bindparam("_permanent"),
        updated_at=bindparam("_at"),
    )
)


def settle(engine: Engine, outcomes: Sequence[Outcome], at: datetime) -> None:
    """Record outcomes (status, error, provider id, permanent; attempts += tries), one
    transaction. An earlier provider id is kept when the outcome brings none."""
    if not outcomes:
        return
    rows = [
        {
            "_id": o.delivery_id,
            "_status": o.status,
            "_tries": o.attempts,
            "_error": o.error,
            "_provider": o.provider_id,
            "_permanent": o.permanent,
            "_at": at,
        }
        for o in outcomes
    ]
    with writing(engine) as session:
        session.connection().execute(_SETTLE, rows)
