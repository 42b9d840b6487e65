"""Periodic jobs: django.tasks has no scheduler, so each worker enqueues the jobs of
settings.COPARENT_PERIODIC_TASKS whose period has started. A job runs once per period however
many workers there are: the period's PeriodicRun row is inserted in the same transaction as the
task, and its unique key refuses the second worker's insert. Adding a job is one line there."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.tasks import Task
from django.utils import timezone
from django.utils.module_loading import import_string

from coparent.worker.models import PeriodicRun

logger = logging.getLogger("coparent.worker")


def period_start(now: dt.datetime, every_seconds: int) -> dt.datetime:
    """The start of the period `now` falls in: periods are aligned to the Unix epoch, so every
    worker computes the same one whatever its start time."""
    seconds = int(now.timestamp()) // every_seconds * every_seconds
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def periodic_task(path: str) -> Task[Any, Any]:
    task = import_string(path)
    if not isinstance(task, Task):
        raise TypeError(f"{path} is not a @task function")
    return task


def enqueue_due(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every periodic job whose current period has not been enqueued yet; their names."""
    now = now or timezone.now()
    enqueued = []
    for job, (path, every_seconds) in settings.COPARENT_PERIODIC_TASKS.items():
        start = period_start(now, every_seconds)
        if PeriodicRun.objects.filter(job=job, period_start=start).exists():
            continue
        task = periodic_task(path)
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(job=job, period_start=start)
                task.enqueue()
        except IntegrityError:
            continue  # another worker enqueued this period first
        enqueued.append(job)
        logger.info("enqueued periodic job %s for %s", job, start.isoformat())
    return enqueued
