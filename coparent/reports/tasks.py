"""Reports are written on the worker; their files are deleted after seven days (periodic)."""

from __future__ import annotations

from django.tasks import task

from coparent.reports.services import report_generate, reports_expire


@task()
def report_generate_task(report_pk: int) -> None:
    report_generate(report_pk)


@task()
def reports_expire_task() -> int:
    return reports_expire()
