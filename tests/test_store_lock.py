"""The run lock: one run per database; a dead holder's lock is released."""

from __future__ import annotations

import multiprocessing
import threading
import time
from multiprocessing.synchronize import Event

import pytest

from notifier.core.errors import RunLockedError
from notifier.store.engine import make_engine
from notifier.store.stores import SqlStores


def hold_lock_until_killed(url: str, locked: Event) -> None:
    store = SqlStores.on(make_engine(url))
    with store.lock.hold(wait=False):
        locked.set()
        time.sleep(60)


def take_lock_within(store: SqlStores, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with store.lock.hold(wait=False):
                return
        except RunLockedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_a_second_run_is_refused_while_another_process_holds_the_lock_until_it_is_killed(
    store: SqlStores, db_url: str
) -> None:
    # A fresh process, not a fork of this one with its open connections; the fork server
    # imports the store once, so each holder starts quickly.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["notifier.store.stores"])
    locked = context.Event()
    holder = context.Process(target=hold_lock_until_killed, args=(db_url, locked), daemon=True)
    holder.start()
    try:
        assert locked.wait(30), "the holder process never took the lock"

        with (
            pytest.raises(RunLockedError, match="another notifier run holds the lock on"),
            store.lock.hold(wait=False),
        ):
            pass

        holder.kill()
        holder.join(10)
        take_lock_within(store, 10)
    finally:
        holder.kill()
        holder.join(10)


def test_a_waiting_run_gets_the_lock_once_the_holder_finishes(
    store: SqlStores, db_url: str
) -> None:
    other = SqlStores.on(make_engine(db_url))
    released = threading.Event()
    order: list[str] = []

    def waiter() -> None:
        with other.lock.hold(wait=True):
            order.append("waiter")

    with store.lock.hold(wait=False):
        thread = threading.Thread(target=waiter)
        thread.start()
        time.sleep(0.2)
        order.append("holder")
        released.set()
    thread.join(10)
    other.close()

    assert order == ["holder", "waiter"]


def test_the_lock_is_free_again_after_a_run(store: SqlStores) -> None:
    with store.lock.hold(wait=False):
        pass
    with store.lock.hold(wait=False):
        pass


def test_an_in_memory_database_needs_no_lock() -> None:
    store = SqlStores.open("sqlite://")
    with store.lock.hold(wait=False), store.lock.hold(wait=False):
        assert store.accounts.count_accounts() == 0
