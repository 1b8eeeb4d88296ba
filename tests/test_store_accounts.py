"""Accounts and runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from notifier.core.domain import Account
from notifier.store.stores import SqlStores
from tests.store_builders import AS_OF, NOW, account


def test_upserting_accounts_counts_inserted_and_updated(store: SqlStores) -> None:
    assert store.accounts.upsert_accounts(
        [account("111111111111"), account("222222222222")], NOW
    ) == (2, 0)

    renamed = account("111111111111", "Renamed", operations_email="ops@example.com")
    assert store.accounts.upsert_accounts([renamed, account("333333333333")], NOW) == (1, 1)

    assert store.accounts.count_accounts() == 3
    assert store.accounts.accounts(["111111111111", "999999999999"]) == {"111111111111": renamed}


def test_accounts_keep_every_contact(store: SqlStores) -> None:
    full = Account(
        "444444444444", "Full", "root@x.example", "ops@x.example", "sec@x.example", "bill@x.example"
    )
    store.accounts.upsert_accounts([full], NOW)

    assert store.accounts.accounts({"444444444444"}) == {"444444444444": full}


def test_accounts_are_looked_up_in_chunks(store: SqlStores) -> None:
    many = [account(f"{n:012d}") for n in range(1, 1301)]

    assert store.accounts.upsert_accounts(many, NOW) == (1300, 0)
    assert len(store.accounts.accounts([a.account_id for a in many])) == 1300


def test_a_run_is_started_and_finished_with_its_summary(store: SqlStores) -> None:
    run_id = store.ledger.start_run(AS_OF, NOW)
    store.ledger.finish_run(
        run_id, datetime(2026, 3, 1, 9, 31, tzinfo=UTC), {"notices": 3, "sent": 2}
    )

    with store.engine.connect() as connection:
        row = connection.execute(
            text("SELECT as_of, summary FROM run WHERE id = :id"), {"id": run_id}
        ).one()
    assert json.loads(row.summary) == {"notices": 3, "sent": 2}
    assert str(row.as_of).startswith("2026-03-01")


def test_a_failing_account_import_changes_nothing_and_the_next_one_works(store: SqlStores) -> None:
    store.accounts.upsert_accounts([account("111111111111")], NOW)
    broken = Account("222222222222", "Broken", None)  # type: ignore[arg-type]

    with pytest.raises(Exception, match=r"(?i)null"):
        store.accounts.upsert_accounts([account("111111111111", "Renamed"), broken], NOW)

    assert store.accounts.accounts(["111111111111", "222222222222"]) == {
        "111111111111": account("111111111111")
    }
    assert store.accounts.upsert_accounts([account("333333333333")], NOW) == (1, 0)
