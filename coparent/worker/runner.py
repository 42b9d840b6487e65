"""Runs queued tasks: claims one at a time (a row lock, so two workers never run the same task),
retries a task that raised with exponential backoff, and runs the periodic scheduler. The
database backend (django-tasks-db) stores the queue; this module is the only code that runs it,
so every `@task` function gets the same retries without doing anything itself."""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
import time
from traceback import format_exception
from types import FrameType
from typing import Any

from django.conf import settings
from django.db import DatabaseError, OperationalError, close_old_connections, transaction
from django.tasks import TaskContext
from django.tasks.base import TaskResultStatus
from django.tasks.signals import task_finished, task_started
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.models import DBTaskResult

from coparent.worker import scheduler

logger = logging.getLogger("coparent.worker")


def claim_next(worker_id: str, *, backend: str = "default") -> DBTaskResult[Any, Any] | None:
    """The next due task, marked RUNNING by this worker, or None. PostgreSQL skips rows another
    worker has locked; SQLite has one writer at a time (BEGIN IMMEDIATE), so the second worker
    sees the row already RUNNING."""
    due = DBTaskResult.objects.ready().filter(backend_name=backend)
    if not due.exists():
        return None  # a plain read: an idle worker's polling never takes SQLite's write lock
    try:
        with transaction.atomic():
            result = due.select_for_update(skip_locked=True, no_key=True).first()
            if result is not None:
                result.claim(worker_id)
    except OperationalError:
        # A busy database (lock timeout): nothing was claimed, try again on the next round.
        logger.warning("worker %s could not claim a task: the database is busy", worker_id)
        return None
    return result


def retry_delay(attempts: int) -> dt.timedelta:
    """30 s after the first failure, then twice as long each time, at most an hour."""
    seconds = settings.COPARENT_TASK_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.COPARENT_TASK_RETRY_MAX_SECONDS))


def _retry_later(result: DBTaskResult[Any, Any], error: BaseException) -> bool:
    """Put a task that raised back in the queue with backoff, or leave it failed once it has
    run COPARENT_TASK_MAX_ATTEMPTS times. True if it will run again."""
    attempts = len(result.worker_ids)
    if attempts >= settings.COPARENT_TASK_MAX_ATTEMPTS:
        result.set_failed(error)
        logger.error(
            "task %s (%s) failed for good after %d attempts: %s",
            result.id,
            result.task_path,
            attempts,
            type(error).__name__,
        )
        return False
    # READY again, with the error kept for `coparent tasks list`: one write, so a worker that
    # dies here leaves the task either running or queued, never failed by mistake.
    result.status = TaskResultStatus.READY
    result.run_after = timezone.now() + retry_delay(attempts)
    result.exception_class_path = f"{type(error).__module__}.{type(error).__qualname__}"
    result.traceback = "".join(format_exception(error))
    result.save(update_fields=["status", "run_after", "exception_class_path", "traceback"])
    logger.warning(
        "task %s (%s) failed (attempt %d of %d, %s); next try at %s",
        result.id,
        result.task_path,
        attempts,
        settings.COPARENT_TASK_MAX_ATTEMPTS,
        type(error).__name__,
        result.run_after.isoformat(),
    )
    return True


def run_task(result: DBTaskResult[Any, Any]) -> bool:
    """Run one claimed task; True if it succeeded. Only the error's class is logged: a message
    can carry an address or a name."""
    try:
        task = result.task
        task_result = result.task_result
        backend_type = type(task.get_backend())
        task_started.send(sender=backend_type, task_result=task_result)
        if task.takes_context:
            value = task.call(
                TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs
            )
        else:
            value = task.call(*task_result.args, **task_result.kwargs)
        result.set_successful(value)
    except BaseException as error:
        # A task that raised leaves its transaction rolled back; a worker stopped in the middle
        # of one (a second Ctrl-C) puts it back too, then stops.
        _retry_later(result, error)
        if not isinstance(error, Exception):
            raise
        return False
    task_finished.send(sender=backend_type, task_result=result.task_result)
    return True


def run_due_tasks(*, worker_id: str = "inline", limit: int | None = None) -> int:
    """Run every task that is due now, one after another, in this thread; the number run.
    `coparent worker --batch` and the tests use it; tasks it enqueues meanwhile run too."""
    count = 0
    while limit is None or count < limit:
        result = claim_next(worker_id)
        if result is None:
            break
        run_task(result)
        count += 1
    return count


class Worker:
    """The `coparent worker` loop: enqueue due periodic jobs (every `tick` seconds), run one due
    task, and sleep `interval` seconds when the queue is empty. SIGINT/SIGTERM let the running
    task finish, then stop; a second one stops at once and the task is retried later."""

    def __init__(
        self,
        *,
        worker_id: str | None = None,
        interval: float = 1.0,
        tick: float = 5.0,
        scheduler_enabled: bool = True,
    ) -> None:
        self.worker_id = worker_id or get_random_string(16)
        self.interval = interval
        self.tick = tick
        self.scheduler_enabled = scheduler_enabled
        self.stopping = threading.Event()
        self.busy = False

    def stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        if self.stopping.is_set() and self.busy:
            raise KeyboardInterrupt
        self.stopping.set()

    def install_signals(self) -> None:
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGTERM, self.stop)

    def run(self, *, until_idle: bool = False) -> int:
        """Run until stopped (or, with until_idle, until no task is due); the number of tasks
        run."""
        count = 0
        next_tick = 0.0
        logger.info("worker %s started", self.worker_id)
        while not self.stopping.is_set():
            close_old_connections()
            if self.scheduler_enabled and time.monotonic() >= next_tick:
                try:
                    scheduler.enqueue_due()
                except DatabaseError:
                    logger.warning("worker %s could not check periodic jobs", self.worker_id)
                next_tick = time.monotonic() + self.tick
            result = claim_next(self.worker_id)
            if result is not None:
                self.busy = True
                try:
                    run_task(result)
                finally:
                    self.busy = False
                count += 1
                continue
            if until_idle:
                break
            self.stopping.wait(self.interval)
        close_old_connections()
        logger.info("worker %s stopped after %d task(s)", self.worker_id, count)
        return count
