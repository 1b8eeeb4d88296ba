"""Delivery states in the store (SQLite and PostgreSQL): sending, settled outcomes, suppression."""

from __future__ import annotations

from datetime import timedelta

from notifier.core.records import Outcome, Refusal
from notifier.store.stores import SqlStores
from tests.store_builders import AS_OF, NOW, OWNER, notice, settle

A, B = "111111111111", "222222222222"


def record(store: SqlStores, *accounts: str) -> list[int]:
    run_id = store.ledger.start_run(AS_OF, NOW)
    notices = [notice(a) for a in accounts]
    rows = [(n, n.key.message_id("example.com"), "subject") for n in notices]
    store.ledger.record_notices(run_id, rows, ["smtp"], NOW)
    return [d.delivery_id for d in store.deliveries.pending_deliveries(["smtp"], 0, 100)]


def states(store: SqlStores) -> dict[int, tuple[str, int]]:
    return {
        d.delivery_id: (d.status, d.attempts)
        for d in store.deliveries.pending_deliveries(["smtp"], 0, 100)
    }


def test_a_delivery_marked_sending_stays_open_and_says_so(store: SqlStores) -> None:
    first, second = record(store, A, B)
    store.deliveries.claim([first], OWNER, NOW + timedelta(minutes=10), NOW)
    assert states(store) == {first: ("sending", 0), second: ("pending", 0)}


def test_settled_outcomes_count_every_try_and_close_what_is_final(store: SqlStores) -> None:
    first, second = record(store, A, B)
    settle(
        store,
        [
            Outcome(first, "failed", error="451 busy", attempts=3),
            Outcome(second, "failed", error="550 no such user", permanent=True),
        ],
        NOW,
    )
    assert states(store) == {first: ("failed", 3)}
    settle(store, [Outcome(first, "delivered", provider_id="queued as Q1")])
    assert states(store) == {}
    history = {r.notice.key.account_id: r.channels["smtp"] for r in store.ledger.history()}
    assert history == {A: "delivered", B: "failed"}


def test_an_undeliverable_notice_is_final(store: SqlStores) -> None:
    [only] = record(store, A)
    settle(store, [Outcome(only, "undeliverable", error="suppressed: a@x", permanent=True)])
    assert states(store) == {}


def test_the_suppression_list_ignores_case(store: SqlStores) -> None:
    assert store.suppressions.add_suppression("Ops@Example.com", "bounce", NOW) is True
    assert store.suppressions.add_suppression("ops@example.com", "complaint", NOW) is False
    assert store.suppressions.suppressed(["OPS@example.com", "dev@example.com"]) == {
        "ops@example.com"
    }
    assert [(s.address, s.reason) for s in store.suppressions.suppressions()] == [
        ("ops@example.com", "complaint")
    ]
    assert store.suppressions.remove_suppression("OPS@EXAMPLE.COM") is True
    assert store.suppressions.remove_suppression("ops@example.com") is False
    assert store.suppressions.suppressed(["ops@example.com"]) == set()


def test_failed_deliveries_are_requeued_as_never_tried_by_account_day_and_channel(
    store: SqlStores,
) -> None:
    first, second = record(store, A, B)
    refusal = Refusal("x@example.com", "550 5.7.1 denied", permanent=False)
    settle(
        store,
        [
            Outcome(first, "failed", error="550 denied", permanent=True, refused=(refusal,)),
            Outcome(second, "failed", error="550 denied", permanent=True, attempts=2),
        ],
    )
    assert states(store) == {}
    assert [r.notice.key.account_id for r in store.ledger.history(status="failed")] == [A, B]
    later = AS_OF + timedelta(days=1)
    assert store.deliveries.requeue_failed(["smtp"], None, later, NOW) == 0
    assert store.deliveries.requeue_failed(["ses"], None, None, NOW) == 0
    assert store.deliveries.requeue_failed(["smtp"], [A], AS_OF, NOW) == 1
    assert states(store) == {first: ("pending", 0)}
    [pending] = store.ledger.history(status="pending")
    assert pending.notice.key.account_id == A and pending.refused == {}
    assert store.deliveries.requeue([second, first], NOW) == 1  # only the failed one
    assert states(store) == {first: ("pending", 0), second: ("pending", 0)}
    assert store.ledger.history(status="failed") == []
