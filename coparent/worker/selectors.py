"""What an operator sees of the queue: names, attempts, error classes and messages with
addresses blanked. Never a task's arguments: they hold email addresses and texts."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

_EMAIL = re.compile(r"[^\s<>\"'(),;:]+@[^\s<>\"'(),;:]+")
_LONG_NUMBER = re.compile(r"\d{6,}")


def error_summary(traceback: str, limit: int = 160) -> str:
    """The last line of a traceback ("module.Error: message"), the message without email
    addresses or long numbers (phone numbers, codes), cut to `limit` characters."""
    lines = [line for line in traceback.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    last = _LONG_NUMBER.sub("[number]", _EMAIL.sub("[address]", lines[-1].strip()))
    return last if len(last) <= limit else last[: limit - 1] + "…"


@dataclass(frozen=True)
class TaskRow:
    id: str
    name: str
    status: str
    attempts: int
    error_class: str
    error: str
    when: dt.datetime | None


def task_list(*, failed_only: bool = False, limit: int = 100) -> list[TaskRow]:
    """Failed tasks (newest first), or everything not yet done: failed, running, waiting."""
    rows = (
        DBTaskResult.objects.failed()
        if failed_only
        else DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL)
    )
    found = []
    for row in rows.order_by("-finished_at", "-enqueued_at")[:limit]:
        template = row.args_kwargs.get("kwargs", {}).get("template")
        name = row.task_path.rsplit(".", 1)[-1] + (f" ({template})" if template else "")
        found.append(
            TaskRow(
                id=str(row.id),
                name=name,
                status=row.status
                if row.status != TaskResultStatus.READY or not row.exception_class_path
                else "RETRYING",
                attempts=len(row.worker_ids),
                error_class=row.exception_class_path.rsplit(".", 1)[-1],
                error=error_summary(row.traceback),
                when=row.finished_at or row.started_at or row.enqueued_at,
            )
        )
    return found
