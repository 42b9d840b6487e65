"""Plain @task functions, written the way any app writes them (no retry code of their own), for
the worker's tests."""

from __future__ import annotations

import smtplib
import threading

from django.tasks import task

calls: list[str] = []
_lock = threading.Lock()


@task()
def note(label: str) -> str:
    with _lock:
        calls.append(label)
    return label


@task()
def always_refused(label: str) -> None:
    with _lock:
        calls.append(label)
    raise smtplib.SMTPRecipientsRefused(
        {"kit.parent@example.test": (550, b"mailbox 5551234567 full")}
    )


@task()
def fails_twice(label: str) -> str:
    with _lock:
        calls.append(label)
        if calls.count(label) <= 2:
            raise ConnectionError("the mail server hung up")
    return label


@task()
def periodic_note() -> None:
    with _lock:
        calls.append("periodic")
