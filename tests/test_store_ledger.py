"""The notice ledger and its deliveries."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from notifier.core.domain import DatedMilestone, Notice, Phase
from notifier.core.records import Outcome
from notifier.store.stores import SqlStores
from tests.store_builders import AS_OF, NOW, notice, settle

A, B = "111111111111", "222222222222"
CHANNELS = ["email", "health"]


def record(store: SqlStores, *notices: Notice, channels: list[str] = CHANNELS) -> int:
    run_id = store.ledger.start_run(AS_OF, NOW)
    rows = [(n, n.key.message_id("example.com"), f"subject {n.key.token}") for n in notices]
    return store.ledger.record_notices(run_id, rows, channels, NOW)


def test_recording_skips_a_key_already_in_the_ledger(store: SqlStores) -> None:
    assert record(store, notice(A)) == 1

    assert record(store, notice(A), notice(B)) == 1

    assert len(store.ledger.history()) == 2
    assert len(store.deliveries.pending_deliveries(CHANNELS, 0, 100)) == 4


def test_recording_the_same_key_twice_in_one_batch_keeps_one(store: SqlStores) -> None:
    assert record(store, notice(A), notice(A)) == 1


def test_a_stored_notice_keeps_what_is_needed_to_render_it_again(store: SqlStores) -> None:
    original = notice(A, phase=Phase.BLOCK_CREATE, days_before=7)
    record(store, original)
    [pending, _] = store.deliveries.pending_deliveries(CHANNELS, 0, 10)

    stored = store.ledger.stored_notices([pending.notice_id])[pending.notice_id]

    assert stored.key == original.key
    assert stored.milestone == original.milestone
    assert stored.account_name == original.account.name
    assert (stored.as_of, stored.recipients, stored.functions) == (
        AS_OF,
        original.recipients,
        original.functions,
    )
    assert stored.successor == "python3.12"
    assert stored.message_id == original.key.message_id("example.com")


def test_pending_deliveries_come_back_until_marked_delivered(store: SqlStores) -> None:
    record(store, notice(A), notice(B), channels=["email"])
    first, second = store.deliveries.pending_deliveries(["email"], 0, 10)

    settle(store, [Outcome(first.delivery_id, "delivered", provider_id="msg-1")])
    settle(store, [Outcome(second.delivery_id, "failed", error="timeout")])

    [retry] = store.deliveries.pending_deliveries(["email"], 0, 10)
    assert (retry.delivery_id, retry.status, retry.attempts) == (second.delivery_id, "failed", 1)
    settle(store, [Outcome(second.delivery_id, "delivered")])
    assert store.deliveries.pending_deliveries(["email"], 0, 10) == []


def test_pending_deliveries_page_by_id_and_filter_by_channel(store: SqlStores) -> None:
    record(store, notice(A), notice(B), notice(A, "nodejs18.x"))

    emails = store.deliveries.pending_deliveries(["email"], 0, 2)
    rest = store.deliveries.pending_deliveries(["email"], emails[-1].delivery_id, 2)

    assert [d.channel for d in emails + rest] == ["email"] * 3
    ids = [d.delivery_id for d in emails + rest]
    assert ids == sorted(ids) and len(set(ids)) == 3
    assert [d.key.account_id for d in emails + rest] == [A, B, A]


def test_permanent_failures_are_not_retried(store: SqlStores) -> None:
    record(store, notice(A), channels=["email"])
    [pending] = store.deliveries.pending_deliveries(["email"], 0, 10)
    settle(store, [Outcome(pending.delivery_id, "failed", error="mailbox does not exist")])

    with store.engine.begin() as connection:
        connection.execute(text("UPDATE delivery SET permanent = true"))

    assert store.deliveries.pending_deliveries(["email"], 0, 10) == []


def test_history_reports_each_channels_status(store: SqlStores) -> None:
    record(store, notice(B), notice(A, days_before=90), notice(A, days_before=30))
    deliveries = store.deliveries.pending_deliveries(CHANNELS, 0, 100)
    outcomes = [Outcome(d.delivery_id, "delivered") for d in deliveries if d.channel == "email"]
    settle(store, outcomes, datetime(2026, 3, 1, 10, tzinfo=UTC))

    rows = store.ledger.history()

    assert [(r.notice.key.account_id, r.notice.key.days_before) for r in rows] == [
        (A, 90),
        (A, 30),
        (B, 30),
    ]
    assert all(r.channels == {"email": "delivered", "health": "pending"} for r in rows)
    assert all(r.sent_on == AS_OF for r in rows)
    assert [r.notice.key.account_id for r in store.ledger.history([B])] == [B]


def test_marking_counts_attempts_and_keeps_the_last_error(store: SqlStores) -> None:
    record(store, notice(A), channels=["email"])
    [pending] = store.deliveries.pending_deliveries(["email"], 0, 10)

    for error in ("first", "second"):
        settle(store, [Outcome(pending.delivery_id, "failed", error=error)])

    with store.engine.connect() as connection:
        row = connection.execute(text("SELECT attempts, last_error FROM delivery")).one()
    assert tuple(row) == (2, "second")


def test_sent_milestones_are_read_back_per_account_and_runtime(store: SqlStores) -> None:
    record(store, notice(A, days_before=90), notice(A, days_before=30), notice(B, "nodejs18.x"))

    sent = store.ledger.sent_milestones([A])

    [ninety, thirty] = sent[(A, "python3.9")]
    assert (ninety.phase, ninety.days_before) == (Phase.DEPRECATION, 90)
    assert isinstance(thirty, DatedMilestone) and thirty.days_before == 30
    assert set(sent) == {(A, "python3.9")}
    assert set(store.ledger.sent_milestones()) == {(A, "python3.9"), (B, "nodejs18.x")}


def test_a_provider_id_once_recorded_is_kept_by_later_outcomes(store: SqlStores) -> None:
    record(store, notice(A), channels=["email"])
    [pending] = store.deliveries.pending_deliveries(["email"], 0, 10)

    settle(store, [Outcome(pending.delivery_id, "pending", provider_id="queued-1")])
    settle(store, [Outcome(pending.delivery_id, "failed", error="bounced")])

    with store.engine.connect() as connection:
        row = connection.execute(text("SELECT status, provider_id, attempts FROM delivery")).one()
    assert tuple(row) == ("failed", "queued-1", 2)
