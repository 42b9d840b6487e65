"""Right-of-access copies, made and pruned by the worker."""

from __future__ import annotations

from django.tasks import task

from coparent.accounts import exports


@task()
def data_export_build_task(public_id: str) -> None:
    exports.data_export_build(public_id)


@task()
def data_exports_prune_task() -> int:
    return exports.data_exports_prune()
