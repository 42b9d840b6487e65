"""Respond-by deadlines of decisions, run by the worker every few minutes
(settings.COPARENT_PERIODIC_TASKS)."""

from __future__ import annotations

from django.tasks import task

from coparent.decisions.services import decisions_expire


@task()
def decisions_expire_task() -> int:
    return decisions_expire()
