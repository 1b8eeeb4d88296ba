"""The Pace port: each channel's shared send budget, one row in `pace` (core.pace).

Each grant or slow-down is one short transaction that holds the row: BEGIN IMMEDIATE on
SQLite, SELECT ... FOR UPDATE on PostgreSQL (the row inserted first if missing, so two first
takers never race). A grant covers a small batch of slots, so the database is not asked per
message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, Select, select, update

from notifier.core.pace import Bucket, Grant, fresh, rebased, slowed, take
from notifier.store.guard import guarded
from notifier.store.session import reading, table, upsert, writing

PACE = table("pace")


class SqlPace:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @guarded
    def take(self, channel: str, base: float, count: int, now: float) -> Grant:
        """`count` send slots of `channel`'s budget (base rate `base`), from the first free."""
        grant: list[Grant] = []

        def change(bucket: Bucket) -> Bucket:
            later, given = take(bucket, count, now)
            grant.append(given)
            return later

        self._change(channel, base, now, change)
        return grant[-1]  # the one committed, should a lost connection have cost a try

    @guarded
    def slow(self, channel: str, base: float, now: float) -> float:
        """Halve `channel`'s budget after a throttling answer; returns the rate now."""
        return self._change(channel, base, now, lambda bucket: slowed(bucket, now)).rate

    def _change(
        self, channel: str, base: float, now: float, change: Callable[[Bucket], Bucket]
    ) -> Bucket:
        with writing(self.engine) as session:
            connection = session.connection()
            bucket = rebased(_held(connection, channel, base, now), base)
            later = change(bucket)
            values = {k: getattr(later, k) for k in ("base", "rate", "next_at", "changed_at")}
            connection.execute(update(PACE).where(PACE.c.channel == channel).values(**values))
        return later

    @guarded
    def bucket(self, channel: str) -> Bucket | None:
        """The budget as stored, if any."""
        with reading(self.engine) as session:
            row = session.connection().execute(_select(channel)).first()
        return None if row is None else Bucket(row.base, row.rate, row.next_at, row.changed_at)


def _held(connection: Connection, channel: str, base: float, now: float) -> Bucket:
    """The channel's row, locked for this transaction (made first when missing)."""
    start = fresh(base, now)
    insert = upsert(connection.engine, PACE).values(
        channel=channel, base=base, rate=base, next_at=start.next_at, changed_at=now
    )
    connection.execute(insert.on_conflict_do_nothing(index_elements=["channel"]))
    row = connection.execute(_select(channel).with_for_update()).one()
    return Bucket(row.base, row.rate, row.next_at, row.changed_at)


def _select(channel: str) -> Select[Any]:
    return select(PACE.c.base, PACE.c.rate, PACE.c.next_at, PACE.c.changed_at).where(
        PACE.c.channel == channel
    )
