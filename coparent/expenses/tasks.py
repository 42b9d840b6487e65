"""Periodic jobs for expenses, run by the worker (settings.COPARENT_PERIODIC_TASKS): requests
past their answer date become overdue, and repeating expenses make their occurrences."""

from __future__ import annotations

from django.tasks import task

from coparent.expenses.services import deadlines_mark, recurring_run


@task()
def deadlines_mark_task() -> int:
    return deadlines_mark()


@task()
def recurring_run_task() -> int:
    return recurring_run()
