"""Deadlines, run by the worker every few minutes (settings.COPARENT_PERIODIC_TASKS)."""

from __future__ import annotations

from django.tasks import task

from coparent.schedule.services import deadlines_expire


@task()
def deadlines_expire_task() -> int:
    return deadlines_expire()
