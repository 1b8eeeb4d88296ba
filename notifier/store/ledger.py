"""The notice ledger: the runs, and what each sent to whom, with its channels' statuses."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, func, select

from notifier.core.domain import DatedMilestone, Notice, NoticeKey, Phase
from notifier.core.planner import PairKey
from notifier.core.records import HistoryRow, Refusal, StoredNotice
from notifier.store import bulk
from notifier.store.guard import SqlRole, guarded
from notifier.store.models import RunRow
from notifier.store.session import DELIVERY, NOTICE, chunks, id_chunks, reading, writing

KEY_COLUMNS = ("account_id", "runtime", "phase", "days_before")
# After this many new notices at once, PostgreSQL's statistics are refreshed: with stale ones
# the pending-deliveries query stops using the partial index (50 ms a page instead of 1 ms).
ANALYZE_AFTER = 1000

NOTICE_COLUMNS = (
    *("account_id", "account_name", "runtime", "phase", "days_before", "milestone_date"),
    *("as_of", "run_id", "recipients", "functions", "successor", "message_id", "subject"),
    "created_at",
)
DELIVERY_COLUMNS = (
    "notice_id", "channel", "status", "attempts", "permanent", "created_at", "updated_at",
)  # fmt: skip


class SqlLedger(SqlRole):
    """The Ledger port in SQL."""

    @guarded
    def start_run(self, as_of: date, started_at: datetime) -> int:
        with writing(self.engine) as session:
            run = RunRow(as_of=as_of, started_at=started_at)
            session.add(run)
            session.flush()
            assert run.id is not None
            return run.id

    @guarded
    def finish_run(self, run_id: int, finished_at: datetime, summary: Mapping[str, int]) -> None:
        with writing(self.engine) as session:
            run = session.get(RunRow, run_id)
            if run is None:
                raise LookupError(f"no run {run_id} in the store")
            run.finished_at = finished_at
            run.summary = json.dumps(dict(summary), sort_keys=True)

    @guarded
    def record_notices(
        self,
        run_id: int,
        notices: Sequence[tuple[Notice, str, str]],
        channels: Sequence[str],
        at: datetime,
    ) -> int:
        """Insert the notices whose key is new, each with a pending delivery per channel: the
        rows are staged in bulk, then INSERT ... ON CONFLICT DO NOTHING skips keys recorded."""
        rows: dict[NoticeKey, tuple[Any, ...]] = {}
        for notice, message_id, subject in notices:
            rows.setdefault(notice.key, _notice_row(run_id, notice, message_id, subject, at))
        if not rows:
            return 0
        listed, key = ", ".join(NOTICE_COLUMNS), ", ".join(KEY_COLUMNS)
        with writing(self.engine) as session:
            connection = session.connection()
            with bulk.staged(connection, NOTICE, NOTICE_COLUMNS, rows.values()) as stage:
                inserted = connection.exec_driver_sql(
                    f"INSERT INTO notice ({listed}) SELECT {listed} FROM {stage} WHERE true"
                    f" ON CONFLICT ({key}) DO NOTHING RETURNING id"
                )
                notice_ids = list(inserted.scalars())
            deliveries = (
                (notice_id, channel, "pending", 0, False, at, at)
                for notice_id in notice_ids
                for channel in dict.fromkeys(channels)
            )
            bulk.load(connection, DELIVERY, DELIVERY_COLUMNS, deliveries)
            if len(notice_ids) >= ANALYZE_AFTER:
                bulk.analyze(connection, "notice", "delivery")
        return len(notice_ids)

    @guarded
    def stored_notices(self, notice_ids: Collection[int]) -> dict[int, StoredNotice]:
        found: dict[int, StoredNotice] = {}
        with reading(self.engine) as session:
            connection = session.connection()
            for ids in chunks(sorted(set(notice_ids))):
                for row in connection.execute(select(NOTICE).where(NOTICE.c.id.in_(ids))):
                    found[row.id] = _stored(row)
        return found

    @guarded
    def sent_milestones(
        self, account_ids: Collection[str] | None = None
    ) -> dict[PairKey, list[DatedMilestone]]:
        columns = [NOTICE.c[name] for name in (*KEY_COLUMNS, "milestone_date")]
        sent: dict[PairKey, list[DatedMilestone]] = {}
        with reading(self.engine) as session:
            connection = session.connection()
            for accounts in id_chunks(account_ids):
                query = select(*columns)
                if accounts is not None:
                    query = query.where(NOTICE.c.account_id.in_(accounts))
                for account, runtime, phase, days, when in connection.execute(query):
                    sent.setdefault((account, runtime), []).append(
                        DatedMilestone(Phase(phase), days, when)
                    )
        for milestones in sent.values():
            milestones.sort(key=lambda m: m.order_key)
        return sent

    @guarded
    def history(
        self, account_ids: Collection[str] | None = None, status: str | None = None
    ) -> list[HistoryRow]:
        """Every recorded notice (with a delivery in `status`, when given) with its channels'
        statuses and the recipients each channel's provider refused, by account, runtime,
        milestone date."""
        d = DELIVERY.c
        query = select(NOTICE, d.channel, d.status.label("delivery_status"), d.refused)
        query = query.outerjoin(DELIVERY, d.notice_id == NOTICE.c.id)
        if status is not None:
            query = query.where(NOTICE.c.id.in_(select(d.notice_id).where(d.status == status)))
        rows: dict[int, tuple[StoredNotice, dict[str, str], dict[str, tuple[Refusal, ...]]]] = {}
        with reading(self.engine) as session:
            connection = session.connection()
            for accounts in id_chunks(account_ids):
                chunk = (
                    query if accounts is None else query.where(NOTICE.c.account_id.in_(accounts))
                )
                for row in connection.execute(chunk):
                    _, channels, refused = rows.setdefault(row.id, (_stored(row), {}, {}))
                    if row.channel is not None:
                        channels[row.channel] = row.delivery_status
                        if row.refused:
                            refused[row.channel] = _refusals(row.refused)
        ordered = sorted(rows.values(), key=lambda item: _history_order(item[0]))
        return [HistoryRow(n, n.as_of, dict(sorted(c.items())), r) for n, c, r in ordered]

    @guarded
    def latest_notices(self, runtime: str, account_ids: Collection[str]) -> dict[str, StoredNotice]:
        """Each account's newest notice about `runtime`, by account id."""
        found: dict[str, StoredNotice] = {}
        n = NOTICE.c
        with reading(self.engine) as session:
            connection = session.connection()
            for ids in chunks(sorted(set(account_ids))):
                newest = (
                    select(func.max(n.id))
                    .where(n.runtime == runtime, n.account_id.in_(ids))
                    .group_by(n.account_id)
                )
                for row in connection.execute(select(NOTICE).where(n.id.in_(newest))):
                    found[row.account_id] = _stored(row)
        return found


def _notice_row(
    run_id: int, notice: Notice, message_id: str, subject: str, now: datetime
) -> tuple[Any, ...]:
    key, successor = notice.key, notice.successor
    return (
        *(key.account_id, notice.account.name, key.runtime, key.phase.value, key.days_before),
        *(notice.milestone.date, notice.as_of, run_id),
        *(json.dumps(list(notice.recipients)), json.dumps(list(notice.functions))),
        *(successor.identifier if successor else None, message_id, subject, now),
    )


def _stored(row: Row[Any]) -> StoredNotice:
    phase = Phase(row.phase)
    return StoredNotice(
        notice_id=row.id,
        key=NoticeKey(row.account_id, row.runtime, phase, row.days_before),
        account_name=row.account_name,
        milestone=DatedMilestone(phase, row.days_before, row.milestone_date),
        as_of=row.as_of,
        recipients=tuple(json.loads(row.recipients)),
        functions=tuple(json.loads(row.functions)),
        successor=row.successor,
        message_id=row.message_id,
        subject=row.subject,
    )


def _refusals(text: str) -> tuple[Refusal, ...]:
    return tuple(Refusal(r["address"], r["reason"], False) for r in json.loads(text))


def _history_order(notice: StoredNotice) -> tuple[str, str, Any, int]:
    return (notice.key.account_id, notice.key.runtime, notice.milestone.date, notice.notice_id)
