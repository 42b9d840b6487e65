"""The worker's own housekeeping job (and the sign-in history's, which has no job of its own)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from coparent.accounts.services import sign_in_history_prune
from coparent.worker import scheduler
from coparent.worker.models import PeriodicRun


@task()
def results_prune_task() -> int:
    """Delete finished tasks after a while: a sent email's task holds its address and text.
    Failed ones stay longer, for the operator."""
    now = timezone.now()
    done = DBTaskResult.objects.successful().filter(
        finished_at__lt=now - dt.timedelta(days=settings.COPARENT_TASK_KEEP_DAYS)
    )
    failed = DBTaskResult.objects.failed().filter(
        finished_at__lt=now - dt.timedelta(days=settings.COPARENT_TASK_FAILED_KEEP_DAYS)
    )
    deleted = done.delete()[0] + failed.delete()[0]
    sign_in_history_prune()
    # Only the current period's row is ever consulted (scheduler.enqueue_due).
    for job, (_path, every_seconds) in settings.COPARENT_PERIODIC_TASKS.items():
        current = scheduler.period_start(now, every_seconds)
        PeriodicRun.objects.filter(job=job, period_start__lt=current).delete()
    return deleted
