"""The suppression list: addresses (lower-cased) never to write to again, with a reason."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, select

from notifier.core.records import Suppression
from notifier.store.guard import SqlRole, guarded
from notifier.store.models import SuppressionRow
from notifier.store.session import chunks, reading, table, writing

SUPPRESSION = table("suppression")


def normalize(address: str) -> str:
    return address.strip().lower()


class SqlSuppressions(SqlRole):
    """The Suppressions port in SQL."""

    @guarded
    def suppressed(self, addresses: Collection[str]) -> set[str]:
        """Those of `addresses` on the list, lower-cased."""
        found: set[str] = set()
        wanted = sorted({normalize(a) for a in addresses})
        with reading(self.engine) as session:
            connection = session.connection()
            for chunk in chunks(wanted):
                query = select(SUPPRESSION.c.address).where(SUPPRESSION.c.address.in_(chunk))
                found.update(connection.execute(query).scalars())
        return found

    @guarded
    def add_suppression(self, address: str, reason: str, at: datetime) -> bool:
        """Suppress `address`; True when it is new, False when it was there (its reason updated)."""
        with writing(self.engine) as session:
            row = session.get(SuppressionRow, normalize(address))
            if row is not None:
                row.reason = reason
                return False
            session.add(SuppressionRow(address=normalize(address), reason=reason, created_at=at))
            return True

    @guarded
    def remove_suppression(self, address: str) -> bool:
        """Lift the suppression of `address`; False when it was not suppressed."""
        with writing(self.engine) as session:
            query = delete(SUPPRESSION).where(SUPPRESSION.c.address == normalize(address))
            return bool(session.connection().execute(query).rowcount)

    @guarded
    def suppressions(self) -> list[Suppression]:
        with reading(self.engine) as session:
            rows = session.connection().execute(select(SUPPRESSION).order_by(SUPPRESSION.c.address))
            return [Suppression(r.address, r.reason, r.created_at) for r in rows]
