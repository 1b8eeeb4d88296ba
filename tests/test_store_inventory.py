"""The inventory: whole-list replacement per account, and the in-scope queries."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from notifier.core.domain import Function
from notifier.core.records import InventorySummary, PairCount
from notifier.core.snapshot import Snapshot
from notifier.store.stores import SqlStores
from tests.store_builders import KNOWN, NOW, account, function

A, B, C = "111111111111", "222222222222", "333333333333"


def arns(store: SqlStores, account_id: str, runtime: str = "python3.9") -> tuple[str, ...]:
    return store.inventory.function_arns([(account_id, runtime)])[(account_id, runtime)]


def test_import_replaces_the_accounts_whole_function_list_and_leaves_other_accounts_alone(
    store: SqlStores,
) -> None:
    store.inventory.replace_inventory(
        {A: [function(A, "old-1"), function(A, "old-2")], B: [function(B, "b")]}, KNOWN
    )

    store.inventory.replace_inventory({A: [function(A, "new")]}, KNOWN)

    assert arns(store, A) == (f"arn:aws:lambda:us-east-1:{A}:function:new",)
    assert arns(store, B) == (f"arn:aws:lambda:us-east-1:{B}:function:b",)


def test_import_of_an_empty_list_empties_that_account(store: SqlStores) -> None:
    store.inventory.replace_inventory({A: [function(A, "f")]}, KNOWN)

    summary = store.inventory.replace_inventory({A: []}, KNOWN)

    assert summary == InventorySummary(1, 0, 0, 0, 0, 0)
    assert arns(store, A) == ()


def test_a_failing_import_changes_nothing(store: SqlStores) -> None:
    store.inventory.replace_inventory({A: [function(A, "kept")]}, KNOWN)
    broken = Function(B, "us-east-1", None, "python3.9", "arn:x", "Zip")  # type: ignore[arg-type]

    with pytest.raises(Exception, match=r"(?i)null"):
        store.inventory.replace_inventory({A: [function(A, "replacement")], B: [broken]}, KNOWN)

    assert arns(store, A) == (f"arn:aws:lambda:us-east-1:{A}:function:kept",)
    assert arns(store, B) == ()


def test_the_import_summary_sorts_functions_into_scope_images_no_runtime_and_unknown(
    store: SqlStores,
) -> None:
    functions = [
        function(A, "zip-known"),
        function(A, "zip-known-lowercase", package_type="zip"),
        function(A, "image", runtime=None, package_type="Image"),
        function(A, "image-with-runtime", runtime="python3.9", package_type="Image"),
        function(A, "no-runtime", runtime=None),
        function(A, "empty-runtime", runtime=""),
        function(A, "custom", runtime="java99"),
    ]

    summary = store.inventory.replace_inventory({A: functions, B: [function(B, "b")]}, KNOWN)

    assert summary == InventorySummary(
        accounts=2, functions=8, in_scope=3, container_images=2, no_runtime=2, unknown_runtime=1
    )


def test_affected_pairs_count_zip_functions_per_account_and_runtime_in_order(
    store: SqlStores,
) -> None:
    store.inventory.replace_inventory(
        {
            B: [function(B, "1", "nodejs18.x"), function(B, "2", "python3.9")],
            A: [
                function(A, "1"),
                function(A, "2", package_type="ZIP"),
                function(A, "3", package_type="Image"),
                function(A, "4", "python3.12"),
                function(A, "5", "nodejs18.x"),
            ],
        },
        KNOWN,
    )

    pairs = list(store.inventory.affected_pairs(["python3.9", "nodejs18.x"]))

    assert pairs == [
        PairCount(A, "nodejs18.x", 1),
        PairCount(A, "python3.9", 2),
        PairCount(B, "nodejs18.x", 1),
        PairCount(B, "python3.9", 1),
    ]


def test_affected_pairs_can_be_limited_to_some_accounts(store: SqlStores) -> None:
    store.inventory.replace_inventory({a: [function(a, "f")] for a in (A, B, C)}, KNOWN)

    pairs = list(store.inventory.affected_pairs(["python3.9"], account_ids=[C, A, "999999999999"]))

    assert [p.account_id for p in pairs] == [A, C]


def test_affected_pairs_on_no_runtimes_are_none(store: SqlStores) -> None:
    store.inventory.replace_inventory({A: [function(A, "f")]}, KNOWN)

    assert list(store.inventory.affected_pairs([])) == []


def test_function_arns_are_sorted_per_pair_and_leave_out_images_and_other_runtimes(
    store: SqlStores,
) -> None:
    store.inventory.replace_inventory(
        {
            A: [
                function(A, "zeta"),
                function(A, "alpha", region="eu-west-1"),
                function(A, "image", package_type="Image"),
                function(A, "node", "nodejs20.x"),
            ]
        },
        KNOWN,
    )

    found = store.inventory.function_arns([(A, "python3.9"), (B, "python3.9")])

    assert found == {
        (A, "python3.9"): (
            f"arn:aws:lambda:eu-west-1:{A}:function:alpha",
            f"arn:aws:lambda:us-east-1:{A}:function:zeta",
        ),
        (B, "python3.9"): (),
    }


def test_function_arns_handle_thousands_of_pairs(store: SqlStores) -> None:
    accounts = [f"{n:012d}" for n in range(1, 1201)]
    store.inventory.replace_inventory(
        {a: [function(a, "f"), function(a, "g", "nodejs20.x")] for a in accounts}, KNOWN
    )

    found = store.inventory.function_arns(
        [(a, rt) for a in accounts for rt in ("python3.9", "nodejs20.x")]
    )

    assert len(found) == 2400
    assert all(len(arns) == 1 for arns in found.values())


def test_a_full_snapshot_replaces_every_accounts_list(store: SqlStores) -> None:
    store.accounts.upsert_accounts([account(A), account(B)], NOW)
    store.inventory.replace_inventory(
        {A: [function(A, "a1"), function(A, "a2")], B: [function(B, "b1")]}, KNOWN
    )

    store.inventory.replace_inventory({A: [function(A, "a3")], B: []}, KNOWN)

    assert arns(store, A) == (f"arn:aws:lambda:us-east-1:{A}:function:a3",)
    assert arns(store, B) == ()
    indexes = {index["name"] for index in inspect(store.engine).get_indexes("function")}
    assert indexes == {"ix_function_account_id_runtime"}


def test_a_function_listed_under_another_account_is_refused_and_changes_nothing(
    store: SqlStores,
) -> None:
    store.inventory.replace_inventory({A: [function(A, "kept")]}, KNOWN)

    with pytest.raises(ValueError, match=f"listed under account {A}"):
        store.inventory.replace_inventory({A: [function(A, "new"), function(B, "stray")]}, KNOWN)

    assert arns(store, A) == (f"arn:aws:lambda:us-east-1:{A}:function:kept",)


def test_each_field_of_a_function_lands_in_its_own_column(store: SqlStores) -> None:
    listed = Function(
        A, "eu-west-1", "fn", "python3.9", f"arn:aws:lambda:eu-west-1:{A}:function:fn",
        "Zip", "2025-01-01T10:00:00.000+0000",
    )  # fmt: skip
    store.inventory.replace_inventory({A: [listed]}, KNOWN)

    with store.engine.connect() as connection:
        row = connection.exec_driver_sql(
            "SELECT account_id, region, name, runtime, arn, package_type, last_modified"
            " FROM function"
        ).one()

    assert tuple(row) == tuple(listed)


def test_a_snapshot_is_stored_and_counted_like_the_same_functions_by_account(
    store: SqlStores,
) -> None:
    listed = [function(A, "a1"), function(B, "b1"), function(A, "a2", package_type="Image")]
    snapshot = Snapshot({f.arn: f for f in listed}, dict.fromkeys((A, B)))

    summary = store.inventory.replace_inventory(snapshot, KNOWN)

    assert dict(snapshot) == {A: [listed[0], listed[2]], B: [listed[1]]}
    assert summary == InventorySummary(2, 3, 2, 1, 0, 0)
    assert arns(store, A) == (listed[0].arn,)
    assert arns(store, B) == (listed[1].arn,)
