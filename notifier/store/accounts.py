"""Accounts: inserted or updated by id, in bulk, and read back."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from operator import attrgetter

from sqlalchemy import exists, func, select
from sqlmodel import col
from sqlmodel import select as model_select

from notifier.core.domain import Account
from notifier.store import bulk
from notifier.store.guard import SqlRole, guarded
from notifier.store.models import AccountRow
from notifier.store.session import ACCOUNT, FUNCTION, NOTICE, RUN, chunks, reading, writing

FIELDS = ("name", "primary_email", "operations_email", "security_email", "billing_email")
COLUMNS = ("account_id", *FIELDS, "updated_at")
_VALUES = attrgetter(*COLUMNS[:-1])


class SqlAccounts(SqlRole):
    """The Accounts port in SQL."""

    @guarded
    def upsert_accounts(self, accounts: Sequence[Account], at: datetime) -> tuple[int, int]:
        """Insert or update accounts by id (the last of duplicates wins); (inserted, updated).
        The rows are staged in bulk, counted against the table, then merged by one statement."""
        rows = {a.account_id: (*_VALUES(a), at) for a in accounts}
        if not rows:
            return (0, 0)
        listed = ", ".join(COLUMNS)
        updates = ", ".join(f"{name} = excluded.{name}" for name in COLUMNS[1:])
        with writing(self.engine) as session:
            connection = session.connection()
            with bulk.staged(connection, ACCOUNT, COLUMNS, rows.values()) as stage:
                existing = connection.exec_driver_sql(
                    f"SELECT count(*) FROM {stage} JOIN account USING (account_id)"
                ).scalar_one()
                connection.exec_driver_sql(
                    f"INSERT INTO account ({listed}) SELECT {listed} FROM {stage} WHERE true"
                    f" ON CONFLICT (account_id) DO UPDATE SET {updates}"
                )
        return (len(rows) - int(existing), int(existing))

    @guarded
    def count_accounts(self) -> int:
        with reading(self.engine) as session:
            query = select(func.count()).select_from(ACCOUNT)
            return int(session.connection().execute(query).scalar_one())

    @guarded
    def holds_data(self, besides: Collection[str] = ()) -> bool:
        """Whether anything is stored: an account, a run, a notice, or a function of an account
        not in `besides` (the functions of a sample seed cut short do not count)."""
        foreign = FUNCTION.c.account_id.not_in(sorted(besides))
        queries = (
            exists(select(ACCOUNT.c.account_id)),
            exists(select(RUN.c.id)),
            exists(select(NOTICE.c.id)),
            exists(select(FUNCTION.c.account_id).where(foreign)),
        )
        with reading(self.engine) as session:
            connection = session.connection()
            return any(connection.execute(select(query)).scalar_one() for query in queries)

    @guarded
    def accounts(self, account_ids: Collection[str]) -> dict[str, Account]:
        found: dict[str, Account] = {}
        with reading(self.engine) as session:
            for ids in chunks(sorted(set(account_ids))):
                query = model_select(AccountRow).where(col(AccountRow.account_id).in_(ids))
                for row in session.exec(query):
                    fields = (getattr(row, name) for name in FIELDS)
                    found[row.account_id] = Account(row.account_id, *fields)
        return found
