"""Right of access: a person's zip of everything coparent holds about them.

`data_export_request` queues one; the worker's `data_export_build_task` asks every registered
contributor (accounts.personal_data) in turn, writes `<section>.json` and its files into one zip
under DATA_EXPORT_DIR with a random name, and stores the progress as it goes, so the page can
show it. Only the person who asked can download it; it is deleted DATA_EXPORT_KEEP_DAYS later.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import zipfile
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coparent.accounts.models import DataExport, User
from coparent.accounts.personal_data import contributors, jsonable
from coparent.core.errors import Conflict

README = """This is everything coparent holds about you, as of {made}.

Each <section>.json file is one part of coparent (your account, your families, your
conversations, the record entries you made, your notifications...). Times are in UTC (ISO 8601).
Files attached to messages are in files/<section>/. The family record itself, with the proofs
that it was not changed, is exported by a parent from each family's record page.
"""


def export_dir() -> Path:
    folder = Path(settings.DATA_EXPORT_DIR)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


@transaction.atomic
def data_export_request(*, user: User) -> DataExport:
    """Queues a new copy, unless one is already being made."""
    User.objects.select_for_update(no_key=True).get(pk=user.pk)  # one request at a time
    if DataExport.objects.filter(
        user=user, status__in=[DataExport.QUEUED, DataExport.RUNNING]
    ).exists():
        raise Conflict(_("A copy of your data is already being made."))
    export = DataExport.objects.create(user=user)
    from coparent.accounts.tasks import data_export_build_task

    transaction.on_commit(partial(data_export_build_task.enqueue, str(export.public_id)))
    return export


def _progress(export: DataExport, progress: int, step: str) -> None:
    DataExport.objects.filter(pk=export.pk).update(progress=progress, step=step[:80])


def data_export_build(public_id: str) -> None:
    """Builds the zip. Safe to run again: a finished export is left alone, a half-written file
    from an interrupted run is replaced."""
    export = DataExport.objects.select_related("user").filter(public_id=public_id).first()
    if export is None or export.status in (DataExport.READY, DataExport.FAILED):
        return
    DataExport.objects.filter(pk=export.pk).update(status=DataExport.RUNNING)
    user = export.user
    name = f"{export.public_id}-{secrets.token_hex(8)}.zip"
    path = export_dir() / name
    sections = list(contributors())
    try:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("README.txt", README.format(made=timezone.now().isoformat()))
            for number, (section, contribute) in enumerate(sections):
                _progress(export, int(90 * number / max(1, len(sections))), section)
                found = contribute(user)
                archive.writestr(
                    f"{section}.json",
                    json.dumps(jsonable(found.data), ensure_ascii=False, indent=2),
                )
                for item in found.files:
                    archive.writestr(f"files/{section}/{item.name}", item.read())
        os.chmod(path, 0o600)
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except Exception:
        path.unlink(missing_ok=True)
        raise
    now = timezone.now()
    DataExport.objects.filter(pk=export.pk).update(
        status=DataExport.READY,
        progress=100,
        step="",
        stored_name=name,
        size=path.stat().st_size,
        sha256=digest.hexdigest(),
        finished_at=now,
        expires_at=now + dt.timedelta(days=settings.DATA_EXPORT_KEEP_DAYS),
    )


def data_export_file(export: DataExport) -> Path | None:
    if export.status != DataExport.READY or not export.stored_name:
        return None
    if export.expires_at is not None and export.expires_at <= timezone.now():
        return None
    path = export_dir() / export.stored_name
    return path if path.is_file() else None


def data_export_remove(export: DataExport) -> None:
    if export.stored_name:
        (export_dir() / export.stored_name).unlink(missing_ok=True)
    export.delete()


def data_exports_prune() -> int:
    """Deletes copies past their seven days (and their files). Returns how many."""
    old = DataExport.objects.filter(expires_at__lte=timezone.now())
    stale = DataExport.objects.filter(
        status__in=[DataExport.QUEUED, DataExport.RUNNING, DataExport.FAILED],
        created_at__lte=timezone.now() - dt.timedelta(days=settings.DATA_EXPORT_KEEP_DAYS),
    )
    count = 0
    for export in [*old, *stale]:
        data_export_remove(export)
        count += 1
    return count
