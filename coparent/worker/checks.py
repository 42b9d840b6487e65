"""`coparent check`: a periodic job that names no task would stop every worker's scheduler."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from coparent.worker.scheduler import periodic_task


@checks.register()
def periodic_tasks_check(**kwargs: Any) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    for job, entry in settings.COPARENT_PERIODIC_TASKS.items():
        try:
            path, every_seconds = entry
            periodic_task(path)
        except (ImportError, TypeError, ValueError) as error:
            problems.append(
                checks.Error(
                    f"COPARENT_PERIODIC_TASKS[{job!r}] is not (a @task's dotted path, seconds): "
                    f"{error}",
                    id="coparent.worker.E001",
                )
            )
            continue
        if not isinstance(every_seconds, int) or every_seconds < 1:
            problems.append(
                checks.Error(
                    f"COPARENT_PERIODIC_TASKS[{job!r}] runs every {every_seconds!r} seconds: "
                    "give a whole number of seconds, 1 or more.",
                    id="coparent.worker.E002",
                )
            )
    return problems
