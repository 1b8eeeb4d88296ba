"""The suppression list: addresses (lower-cased) never to write to again, with a reason."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Engine, delete, select

from notifier.core.records import Suppression
from notifier.store.models import SuppressionRow
from notifier.store.session import chunks, reading, table, writing

SUPPRESSION = table("suppression")


def normalize(address: str) -> str:
    return address.strip().lower()


def add_suppression(engine: Engine, address: str, reason: str, at: datetime) -> bool:
    """Suppress `address`; True when it is new, False when it was there (its reason updated)."""
    with writing(engine) as session:
        row = session.get(SuppressionRow, normalize(address))
        if row is not None:
            row.reason = reason
            return False
        session.add(SuppressionRow(address=normalize(address), reason=reason, created_at=at))
        return True


def remove_suppression(engine: Engine, address: str) -> bool:
    """Lift the suppression of `address`; False when it was not suppressed."""
    with writing(engine) as session:
        query = delete(SUPPRESSION).where(SUPPRESSION.c.address == normalize(address))
        return bool(session.connection().execute(query).rowcount)


def suppressions(engine: Engine) -> list[Suppression]:
    with reading(engine) as session:
        rows = session.connection().execute(select(SUPPRESSION).order_by(SUPPRESSION.c.address))
        return [Suppression(r.address, r.reason, r.created_at) for r in rows]


def suppressed(engine: Engine, addresses: Collection[str]) -> set[str]:
    """Those of `addresses` on the list, lower-cased."""
    found: set[str] = set()
    wanted = sorted({normalize(a) for a in addresses})
    with reading(engine) as session:
        connection = session.connection()
        for chunk in chunks(wanted):
            query = select(SUPPRESSION.c.address).where(SUPPRESSION.c.address.in_(chunk))
            found.update(connection.execute(query).scalars())
    return found
