"""Time-away offers past their deadline, run by the worker (settings.COPARENT_PERIODIC_TASKS)."""

from __future__ import annotations

from django.tasks import task

from coparent.plan.services import time_away_expire


@task()
def time_away_expire_task() -> int:
    return time_away_expire()
