"""Background work for messaging, run by the worker (coparent.worker.runner)."""

from __future__ import annotations

from django.tasks import task

from coparent.messaging import services


@task
def message_notify_task(message_id: str) -> int:
    """Tell a sent message's other participants; queued by message_send with the message."""
    return services.message_notify(message_id)
