"""SQLite with write transactions queued within a process (settings: ENGINE "coparent.core.sqlite").

SQLite lets one writer in at a time; the others poll (sleeping up to 100 ms between tries) until
their busy timeout. Polling is unfair: a thread that has just committed begins again at once and
wins, while the one that has waited longest sleeps longest. Under sustained writes a few writers
starve past the timeout (bench/sqlite_writes.py: sixteen threads sending messages gave a p99 of
7.7 s for sends that take 30 ms). Here a transaction first takes the process's own lock, first
come first served, so the threads of one process (runserver, gunicorn's threads) wait in a
queue, not a poll, and only one of them at a time competes with other processes for SQLite's.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import deque

from django.db.backends.sqlite3 import base


class FairLock:
    """A lock handed to the longest waiter on release. threading.Lock is not: the thread that
    releases it can take it back before a waiting thread wakes, which is the starvation this
    module exists to end. Re-entrant for the thread that holds it."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiters: deque[tuple[int, threading.Lock]] = deque()
        self._owner: int | None = None
        self._depth = 0

    def acquire(self, timeout: float) -> bool:
        me = threading.get_ident()
        with self._mutex:
            if self._owner in (None, me):
                self._owner, self._depth = me, self._depth + 1
                return True
            handoff = threading.Lock()
            handoff.acquire()
            self._waiters.append((me, handoff))
        if handoff.acquire(timeout=timeout):
            return True
        with self._mutex:
            if (me, handoff) in self._waiters:
                self._waiters.remove((me, handoff))
                return False
        return True  # handed over just as the wait ran out

    def release(self) -> None:
        with self._mutex:
            self._depth -= 1
            if self._depth:
                return
            if self._waiters:
                self._owner, handoff = self._waiters.popleft()
                self._depth = 1
                handoff.release()
            else:
                self._owner = None


_write_gate = FairLock()


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_gate = False

    def _start_transaction_under_autocommit(self) -> None:
        # Every atomic() block begins here (BEGIN IMMEDIATE), and ends in _commit, _rollback or,
        # if those fail, _close: each lets the next writer in.
        timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
        started = time.monotonic()
        if not _write_gate.acquire(timeout=timeout):
            busy = sqlite3.OperationalError("database is locked")
            busy.sqlite_errorcode = sqlite3.SQLITE_BUSY
            busy.sqlite_errorname = "SQLITE_BUSY"
            with self.wrap_database_errors:
                raise busy
        self._holds_gate = True
        waited = time.monotonic() - started
        try:
            if waited < 0.001:
                super()._start_transaction_under_autocommit()  # type: ignore[misc]  # not in django-stubs
                return
            # The time spent queueing counts against the timeout: SQLite's own wait (for writers
            # in other processes) gets what is left, so a write gives up after `timeout` in all.
            self.connection.execute(f"PRAGMA busy_timeout = {int(max(timeout - waited, 0) * 1000)}")
            try:
                super()._start_transaction_under_autocommit()  # type: ignore[misc]  # not in django-stubs
            finally:
                self.connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        except BaseException:
            self._release_gate()
            raise

    def _release_gate(self) -> None:
        if self._holds_gate:
            self._holds_gate = False
            _write_gate.release()

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]  # not in django-stubs
        finally:
            self._release_gate()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # not in django-stubs
        finally:
            self._release_gate()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # not in django-stubs
        finally:
            self._release_gate()
