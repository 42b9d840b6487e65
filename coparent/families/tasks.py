"""Deleting families nobody is left in, run by the worker (settings.COPARENT_PERIODIC_TASKS)."""

from __future__ import annotations

from django.tasks import task

from coparent.families.services import families_purge


@task()
def families_purge_task() -> int:
    return families_purge()
