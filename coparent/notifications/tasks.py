"""Background tasks (Django's tasks framework). Each is idempotent and raises on a transient
failure so the worker retries it; the claim in services.delivery_send keeps a retry or a second
worker from sending twice."""

from __future__ import annotations

from django.tasks import task

from coparent.notifications import services


@task
def deliver(delivery_id: int) -> bool:
    """Send one email or push delivery (enqueued after the notifying write commits)."""
    return services.delivery_send(delivery_id)


@task
def release_held() -> int:
    """Periodic, every few minutes: deliveries held by quiet hours, or whose task was lost."""
    return services.deliveries_release()


@task
def send_digests() -> int:
    """Periodic, at least hourly: each person's daily summary at their digest hour."""
    return services.send_due_digests()
