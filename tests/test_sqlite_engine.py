"""The SQLite engine's writer queue (coparent.core.sqlite): first come, first served."""

from __future__ import annotations

import threading
import time

import pytest

from coparent.core.sqlite.base import FairLock, _write_gate


def test_the_lock_goes_to_waiters_in_the_order_they_came() -> None:
    lock = FairLock()
    assert lock.acquire(timeout=1)
    order: list[int] = []

    def wait(n: int) -> None:
        assert lock.acquire(timeout=5)
        order.append(n)
        lock.release()

    threads = []
    for n in range(4):
        threads.append(threading.Thread(target=wait, args=(n,)))
        threads[-1].start()
        # Each is queued before the next comes (a fixed sleep would race on a loaded machine).
        deadline = time.monotonic() + 5
        while len(lock._waiters) < n + 1 and time.monotonic() < deadline:
            time.sleep(0.001)
    lock.release()
    assert lock.acquire(timeout=5)  # the releaser queues behind those already waiting
    order.append(99)
    lock.release()
    for thread in threads:
        thread.join()
    assert order == [0, 1, 2, 3, 99]


def test_a_waiter_gives_up_after_its_timeout_and_leaves_the_queue() -> None:
    lock = FairLock()
    assert lock.acquire(timeout=1)
    outcome: list[bool] = []
    waiter = threading.Thread(target=lambda: outcome.append(lock.acquire(timeout=0.1)))
    waiter.start()
    waiter.join()
    assert outcome == [False]
    lock.release()
    assert lock.acquire(timeout=0.1)  # free again: nobody was left queued


def test_the_holder_may_take_it_again() -> None:
    lock = FairLock()
    assert lock.acquire(timeout=1) and lock.acquire(timeout=1)
    lock.release()
    other: list[bool] = []
    waiter = threading.Thread(target=lambda: other.append(lock.acquire(timeout=0.1)))
    waiter.start()
    waiter.join()
    assert other == [False]
    lock.release()
    assert lock.acquire(timeout=0.1)


@pytest.mark.sqlite_only
def test_time_spent_queueing_counts_against_the_busy_timeout(transactional_db: None) -> None:
    """A writer that queued behind another thread for a while gives SQLite's own wait (for
    writers in other processes) only what is left of the timeout, not the whole timeout again."""
    from django.db import connection, transaction

    timeout_ms = int(float(connection.settings_dict["OPTIONS"]["timeout"]) * 1000)
    held = threading.Event()

    def hold_the_queue() -> None:
        assert _write_gate.acquire(timeout=5)
        held.set()
        time.sleep(0.3)
        _write_gate.release()

    holder = threading.Thread(target=hold_the_queue)
    holder.start()
    held.wait(5)
    connection.ensure_connection()
    statements: list[str] = []
    connection.connection.set_trace_callback(statements.append)
    try:
        with transaction.atomic():
            pass
    finally:
        connection.connection.set_trace_callback(None)
        holder.join()
    given = [int(s.rsplit("=", 1)[1]) for s in statements if s.startswith("PRAGMA busy_timeout")]
    assert given[0] <= timeout_ms - 300 and given[-1] == timeout_ms, statements
