"""Exchange reminders, run by the worker every few minutes (COPARENT_PERIODIC_TASKS)."""

from __future__ import annotations

from django.tasks import task

from coparent.exchanges.services import reminders_send


@task()
def reminders_send_task() -> int:
    return reminders_send()
