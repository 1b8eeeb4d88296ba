"""Claims (SQLite and PostgreSQL): two processes never hold the same delivery; a claim is taken
over only from an owner that is gone; an outcome lost three times fails the delivery for good."""

from __future__ import annotations

import socket
import subprocess
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from notifier.store.engine import make_engine
from notifier.store.owner import Owner, _start_time
from notifier.store.stores import SqlStores
from tests.cli_helpers import dead_owner
from tests.store_builders import AS_OF, NOW, notice

LEASE = NOW + timedelta(minutes=10)
ME = Owner.this_process()


def record(store: SqlStores, count: int) -> list[int]:
    run_id = store.ledger.start_run(AS_OF, NOW)
    notices = [notice(f"{100000000000 + i:012d}") for i in range(count)]
    rows = [(n, n.key.message_id("example.com"), "subject") for n in notices]
    store.ledger.record_notices(run_id, rows, ["smtp"], NOW)
    return [d.delivery_id for d in store.deliveries.pending_deliveries(["smtp"], 0, count)]


def gone_at(now: datetime):  # type: ignore[no-untyped-def]
    """The run loop's rule: no owner, an expired lease, or an owner on this host that died."""
    return lambda owner, lease: owner is None or lease <= now or ME.sees_dead(owner)


@pytest.fixture
def live_owner() -> Iterator[str]:
    """The claim name of a process on this host that is still running."""
    sleeper = subprocess.Popen(["sleep", "120"])
    try:
        start = _start_time(sleeper.pid)
        assert start is not None
        yield str(Owner(socket.gethostname(), sleeper.pid, start, "a1b2c3d4"))
    finally:
        sleeper.kill()
        sleeper.wait()


def test_two_processes_claiming_the_same_deliveries_never_both_get_one(
    store: SqlStores, db_url: str
) -> None:
    ids = record(store, 300)
    stores = [store, SqlStores.on(make_engine(db_url))]
    start = threading.Barrier(2)
    taken: dict[str, set[int]] = {}

    def grab(name: str, where: SqlStores) -> None:
        start.wait()
        taken[name] = where.deliveries.claim(ids, name, LEASE, NOW)

    threads = [threading.Thread(target=grab, args=(f"run-{i}", s)) for i, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    stores[1].close()
    assert taken["run-0"].isdisjoint(taken["run-1"])
    assert taken["run-0"] | taken["run-1"] == set(ids)


def test_a_claimed_delivery_cannot_be_claimed_again(store: SqlStores) -> None:
    ids = record(store, 3)
    assert store.deliveries.claim(ids[:2], "run-a", LEASE, NOW) == set(ids[:2])
    assert store.deliveries.claim(ids, "run-b", LEASE, NOW) == {ids[2]}


def test_a_live_runs_claims_are_taken_over_only_when_their_lease_has_expired(
    store: SqlStores, live_owner: str
) -> None:
    ids = record(store, 4)
    store.deliveries.claim(ids, live_owner, LEASE, NOW)
    assert store.deliveries.release_abandoned(["smtp"], NOW, gone_at(NOW)) == []
    later = LEASE + timedelta(seconds=1)
    released = store.deliveries.release_abandoned(["smtp"], later, gone_at(later))
    assert sorted(r.delivery_id for r in released) == ids
    assert not any(r.given_up for r in released)


def test_a_dead_runs_claims_are_taken_over_at_once(store: SqlStores) -> None:
    ids = record(store, 2)
    store.deliveries.claim(ids, dead_owner(), LEASE, NOW)
    released = store.deliveries.release_abandoned(["smtp"], NOW, gone_at(NOW))
    assert sorted(r.delivery_id for r in released) == ids
    assert store.deliveries.claim(ids, "next-run", LEASE, NOW) == set(ids)


def test_an_outcome_lost_three_times_fails_the_delivery_for_good(store: SqlStores) -> None:
    [only] = record(store, 1)
    given_up = []
    for _ in range(3):
        assert store.deliveries.claim([only], dead_owner(), LEASE, NOW) == {only}
        [released] = store.deliveries.release_abandoned(["smtp"], NOW, gone_at(NOW))
        given_up.append(released.given_up)
    assert given_up == [False, False, True]
    assert store.deliveries.pending_deliveries(["smtp"], 0, 10) == []
    assert store.deliveries.claim([only], "another-run", LEASE, NOW) == set()
    [row] = store.ledger.history()
    assert row.channels == {"smtp": "failed"}


def test_an_outcome_settled_by_a_run_whose_claim_was_taken_over_is_left_to_the_new_owner(
    store: SqlStores,
) -> None:
    ids = record(store, 1)
    store.deliveries.claim(ids, "slow-run", LEASE, NOW)
    later = LEASE + timedelta(seconds=1)
    store.deliveries.release_abandoned(["smtp"], later, gone_at(later))
    assert store.deliveries.claim(ids, "new-run", later + timedelta(minutes=10), later) == set(ids)
    from notifier.core.records import Outcome

    store.deliveries.settle(
        [Outcome(ids[0], "failed", error="late", permanent=True)], "slow-run", later
    )
    store.deliveries.settle([Outcome(ids[0], "delivered")], "new-run", later)
    [row] = store.ledger.history()
    assert row.channels == {"smtp": "delivered"}
