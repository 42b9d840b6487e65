"""Operator actions on the task queue."""

from __future__ import annotations

from django.db import transaction
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


@transaction.atomic
def task_retry(task_id: str) -> bool:
    """Put a failed task back in the queue, due now, with a fresh count of attempts. False if
    there is no failed task with that id (a task that still retries by itself is left alone)."""
    row = (
        DBTaskResult.objects.select_for_update(no_key=True)
        .filter(id=task_id, status=TaskResultStatus.FAILED)
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
