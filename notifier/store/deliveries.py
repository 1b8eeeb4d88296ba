"""Deliveries: the open ones paged by id; each claimed before it is handed over, then settled.

A claim is one atomic UPDATE per chunk (`pending`/retryable `failed` -> `sending`, with the
owner's name and a lease), committed before any of its deliveries is handed to a channel; on
PostgreSQL the rows are picked FOR UPDATE SKIP LOCKED. Two processes can therefore never hold
the same delivery, whatever happens to the run lock. A `sending` row whose owner is gone (its
lease expired, or its process on this host died) is released for a resend, and how often that
happened is counted: a delivery whose outcome was lost `MAX_UNKNOWN` times is failed for good.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, date, datetime

from sqlalchemy import (
    ColumnElement,
    Engine,
    Text,
    Update,
    and_,
    bindparam,
    false,
    func,
    or_,
    select,
    text,
    update,
)

from notifier.core.domain import NoticeKey, Phase
from notifier.core.records import Outcome, PendingDelivery, Refusal, Released
from notifier.store.guard import SqlRole, guarded
from notifier.store.ledger import KEY_COLUMNS
from notifier.store.models import OPEN_STATUS_SQL
from notifier.store.session import DELIVERY, NOTICE, chunks, id_chunks, reading, writing

FeedbackIds = tuple[Sequence[str], Sequence[str]]  # (Message-IDs, provider ids)
MAX_UNKNOWN = 3
UNKNOWN = "outcome unknown: handed over {n} times by runs that could not record the outcome"
OPEN = ("pending", "failed")

d = DELIVERY.c


class SqlDeliveries(SqlRole):
    """The Deliveries port in SQL."""

    @guarded
    def pending_deliveries(
        self, channels: Collection[str], after_id: int, limit: int
    ) -> list[PendingDelivery]:
        """Open deliveries (pending, sending, failed and not permanent) after `after_id`, by id."""
        if not channels or limit <= 0:
            return []
        n = NOTICE.c
        query = (
            select(d.id, d.channel, d.notice_id, d.attempts, d.status, d.unknown_outcomes)
            .add_columns(*(n[c] for c in KEY_COLUMNS))
            .join(NOTICE, n.id == d.notice_id)
            .where(
                text(OPEN_STATUS_SQL),  # literal, so SQLite can use the partial index
                d.permanent == False,  # noqa: E712  (SQL comparison)
                d.channel.in_(sorted(set(channels))),
                d.id > after_id,
            )
            .order_by(d.id)
            .limit(limit)
        )
        with reading(self.engine) as session:
            rows = session.connection().execute(query).all()
        return [
            PendingDelivery(
                delivery_id=row.id,
                channel=row.channel,
                notice_id=row.notice_id,
                key=NoticeKey(row.account_id, row.runtime, Phase(row.phase), row.days_before),
                attempts=row.attempts,
                status=row.status,
                unknown_outcomes=row.unknown_outcomes,
            )
            for row in rows
        ]

    @guarded
    def claim(
        self, delivery_ids: Sequence[int], owner: str, lease_until: datetime, at: datetime
    ) -> set[int]:
        """Claim the deliveries among `delivery_ids` that are still open and unclaimed; returns
        the ids taken. One transaction, committed before the caller hands any of them over."""
        taken: set[int] = set()
        if not delivery_ids:
            return taken
        with writing(self.engine) as session:
            connection = session.connection()
            for ids in chunks(delivery_ids):
                statement = (
                    update(DELIVERY)
                    .where(_claimable(self.engine, ids))
                    .values(status="sending", owner=owner, lease_until=lease_until, updated_at=at)
                    .returning(d.id)
                )
                taken.update(connection.execute(statement).scalars())
        return taken

    @guarded
    def release_abandoned(
        self,
        channels: Sequence[str],
        at: datetime,
        gone: Callable[[str | None, datetime | None], bool],
    ) -> list[Released]:
        """Take back the `sending` deliveries of `channels` whose owner is `gone` (given the
        owner's name and lease): each becomes pending again, its lost outcome counted, or failed
        for good after MAX_UNKNOWN. Committed before the caller resends anything."""
        query = select(d.id, d.channel, d.owner, d.lease_until, d.unknown_outcomes).where(
            d.status == "sending", d.channel.in_(sorted(set(channels)))
        )
        with reading(self.engine) as session:
            rows = session.connection().execute(query.order_by(d.id)).all()
        stale = [row for row in rows if gone(row.owner, _utc(row.lease_until))]
        if not stale:
            return []
        released: list[Released] = []
        with writing(self.engine) as session:
            connection = session.connection()
            for row in stale:
                if connection.execute(
                    _release(row.id, row.owner, row.unknown_outcomes, at)
                ).rowcount:
                    given_up = row.unknown_outcomes + 1 >= MAX_UNKNOWN
                    released.append(Released(row.id, row.channel, given_up))
        return released

    @guarded
    def settle(self, outcomes: Sequence[Outcome], owner: str, at: datetime) -> None:
        """Record outcomes (status, error, provider id, permanent, refused recipients; attempts
        += tries) of deliveries `owner` holds, one transaction. A delivery another owner took
        over in the meantime is left to it. An earlier provider id is kept when the outcome
        brings none."""
        if not outcomes:
            return
        rows = [
            {
                "_id": o.delivery_id,
                "_owner": owner,
                "_status": o.status,
                "_tries": o.attempts,
                "_error": o.error,
                "_provider": o.provider_id,
                "_permanent": o.permanent,
                "_refused": _refused_json(o.refused),
                "_at": at,
            }
            for o in outcomes
        ]
        with writing(self.engine) as session:
            session.connection().execute(_SETTLE, rows)

    @guarded
    def mark_feedback(
        self, channel: str, ids: FeedbackIds, status: str, note: str, at: datetime
    ) -> int:
        """Set the status (and note) of `channel`'s deliveries whose notice carries one of the
        Message-IDs, or whose provider id is one of the provider ids; how many matched. The
        same call again changes nothing more."""
        message_ids, provider_ids = ids
        wanted: list[ColumnElement[bool]] = []
        if message_ids:
            noticed = select(NOTICE.c.id).where(NOTICE.c.message_id.in_(message_ids))
            wanted.append(d.notice_id.in_(noticed))
        if provider_ids:
            wanted.append(d.provider_id.in_(provider_ids))
        if not wanted:
            return 0
        statement = (
            update(DELIVERY)
            .where(d.channel == channel, or_(*wanted))
            .values(status=status, last_error=note, updated_at=at)
        )
        with writing(self.engine) as session:
            return int(session.connection().execute(statement).rowcount)

    @guarded
    def requeue(self, delivery_ids: Collection[int], at: datetime) -> int:
        """Make these failed deliveries pending again, as never tried; returns how many."""
        count = 0
        with writing(self.engine) as session:
            connection = session.connection()
            for ids in chunks(sorted(set(delivery_ids))):
                count += connection.execute(_requeued(d.id.in_(ids), at)).rowcount
        return count

    @guarded
    def requeue_failed(
        self,
        channels: Collection[str],
        account_ids: Collection[str] | None,
        since: date | None,
        at: datetime,
    ) -> int:
        """Make the failed deliveries on `channels` (permanent ones included) of the notices of
        `account_ids` (None: every account) recorded on or after `since` pending again, as
        never tried: attempts, lost outcomes and refused recipients cleared. One transaction."""
        n = NOTICE.c
        count = 0
        with writing(self.engine) as session:
            connection = session.connection()
            for accounts in id_chunks(account_ids):
                notices = select(n.id)
                if accounts is not None:
                    notices = notices.where(n.account_id.in_(accounts))
                if since is not None:
                    notices = notices.where(n.as_of >= since)
                wanted = and_(d.channel.in_(sorted(set(channels))), d.notice_id.in_(notices))
                count += connection.execute(_requeued(wanted, at)).rowcount
        return count


def _requeued(wanted: ColumnElement[bool], at: datetime) -> Update:
    return (
        update(DELIVERY)
        .where(wanted, d.status == "failed")
        .values(
            status="pending",
            permanent=False,
            attempts=0,
            unknown_outcomes=0,
            refused=None,
            owner=None,
            lease_until=None,
            updated_at=at,
        )
    )


def _claimable(engine: Engine, ids: list[int]) -> ColumnElement[bool]:
    open_rows = and_(d.id.in_(ids), d.status.in_(OPEN), d.permanent == false())
    if engine.dialect.name != "postgresql":
        return open_rows  # SQLite: BEGIN IMMEDIATE already makes this transaction the only writer
    free = select(d.id).where(open_rows).with_for_update(skip_locked=True)
    return d.id.in_(free.scalar_subquery())


def _release(delivery_id: int, owner: str | None, unknown: int, at: datetime) -> Update:
    """Compare-and-set: only if the same owner still holds it."""
    lost = unknown + 1
    given_up = lost >= MAX_UNKNOWN
    return (
        update(DELIVERY)
        .where(
            d.id == delivery_id,
            d.status == "sending",
            func.coalesce(d.owner, "") == (owner or ""),
        )
        .values(
            status="failed" if given_up else "pending",
            permanent=given_up,
            unknown_outcomes=lost,
            last_error=UNKNOWN.format(n=lost) if given_up else d.last_error,
            owner=None,
            lease_until=None,
            updated_at=at,
        )
    )


def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)  # SQLite keeps no zone: stored values are UTC


_SETTLE = (
    update(DELIVERY)
    .where(d.id == bindparam("_id"), func.coalesce(d.owner, "") == bindparam("_owner"))
    .values(
        status=bindparam("_status"),
        attempts=d.attempts + bindparam("_tries"),
        last_error=bindparam("_error"),
        provider_id=func.coalesce(bindparam("_provider"), d.provider_id),
        permanent=bindparam("_permanent"),
        refused=func.coalesce(bindparam("_refused", type_=Text), d.refused),
        owner=None,
        lease_until=None,
        updated_at=bindparam("_at"),
    )
)


def _refused_json(refused: Sequence[Refusal]) -> str | None:
    if not refused:
        return None
    return json.dumps([{"address": r.address, "reason": r.reason} for r in refused])
