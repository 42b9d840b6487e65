"""The periodic job that sends document expiry reminders (settings.COPARENT_PERIODIC_TASKS)."""

from __future__ import annotations

from django.tasks import task

from coparent.documents.services import expiry_reminders_send


@task()
def expiry_reminders_task() -> int:
    return expiry_reminders_send()
