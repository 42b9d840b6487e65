"""Operator actions on the task queue, and queueing a task as a row of the caller's write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q
from django.tasks import Task
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django.utils.json import normalize_json
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

# No task here runs for long (mail gives up after EMAIL_TIMEOUT); one "running" for an hour was
# left by a worker that was killed in the middle of it.
STUCK_AFTER = dt.timedelta(hours=1)


@transaction.atomic
def task_retry(task_id: str) -> bool:
    """Put a failed task, or one left running for an hour by a killed worker, back in the queue,
    due now, with a fresh count of attempts. False if there is no such task (one that still
    retries by itself, or runs now, is left alone)."""
    row = (
        DBTaskResult.objects.select_for_update(no_key=True)
        .filter(
            Q(status=TaskResultStatus.FAILED)
            | Q(status=TaskResultStatus.RUNNING, started_at__lt=timezone.now() - STUCK_AFTER),
            id=task_id,
        )
        .first()
    )
    if row is None:
        return False
    row.status = TaskResultStatus.READY
    row.run_after = timezone.now()
    row.worker_ids = []
    row.finished_at = None
    row.save(update_fields=["status", "run_after", "worker_ids", "finished_at"])
    return True


def queued(task: Task[..., Any], *args: Any) -> DBTaskResult[Any, Any]:
    """`task` with `args` as the queue row the database backend's `enqueue` writes, for the
    caller to insert with the rest of its write (core.together): the queue is in the app's own
    database, so the task is queued if and only if the write commits, and costs neither a round
    trip of its own nor a second commit, as an enqueue after the commit does. The backend's
    `task_enqueued` signal is not sent (nothing here listens to it)."""
    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        raise ImproperlyConfigured("Queueing with a write needs the database task backend.")
    backend.validate_task(task)
    return DBTaskResult(
        id=DBTaskResult._meta.pk.get_default(),
        args_kwargs=normalize_json({"args": list(args), "kwargs": {}}),
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        run_after=task.run_after or get_date_max(),  # as the backend's pre_save handler does
        backend_name=backend.alias,
    )
