"""Operator actions on the task queue."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

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
