"""The scheduler's memory: which period of which periodic job has been enqueued already."""

from __future__ import annotations

from typing import ClassVar

from django.db import models


class PeriodicRun(models.Model):
    """One row per (job, period). Its unique key is what makes two workers' schedulers enqueue a
    period once: the second insert fails and that scheduler moves on."""

    job = models.CharField(max_length=100)
    period_start = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["job", "period_start"], name="one_run_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.job} @ {self.period_start.isoformat()}"
