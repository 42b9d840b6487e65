"""The newest signed checkpoint of each family, kept outside the database.

A restored backup rolls the log back; the server would then sign a second, different checkpoint
for a size it has already signed, and every witness would rightly report tampering. So after
each append commits, its checkpoint is written to RECORD_CHECKPOINT_DIR/<family>.checkpoint (one
small file, replaced atomically). It is a guard, not a second source of truth: it is written
after the commit and a failure to write it fails nothing (it only lags, which the guard
tolerates); it must never be ahead of what was signed, and never is, since only signed notes are
written there.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from coparent.tlog import NoteError, parse_checkpoint

logger = logging.getLogger("coparent.records")
_write_lock = threading.Lock()


@dataclass(frozen=True)
class StoredCheckpoint:
    note: str
    origin: str
    size: int
    root: bytes


def directory() -> Path:
    return Path(settings.RECORD_CHECKPOINT_DIR)


def _path(family_id: str) -> Path:
    return directory() / f"{family_id}.checkpoint"


def parse(note: str) -> StoredCheckpoint:
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("not a signed note")
    checkpoint = parse_checkpoint(note[: split + 1])
    return StoredCheckpoint(note, checkpoint.origin, checkpoint.size, checkpoint.root)


def newest(family_id: str) -> StoredCheckpoint | None:
    try:
        note = _path(family_id).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError:
        logger.exception("cannot read the newest checkpoint of family %s", family_id)
        return None
    try:
        return parse(note)
    except NoteError:
        # A torn file after a power cut; the next append rewrites it.
        logger.error("the newest checkpoint of family %s is unreadable; ignored", family_id)
        return None


def all_newest() -> dict[str, StoredCheckpoint]:
    found: dict[str, StoredCheckpoint] = {}
    if directory().is_dir():
        for file in directory().glob("*.checkpoint"):
            if (stored := newest(file.stem)) is not None:
                found[file.stem] = stored
    return found


def _write(family_id: str, note: str) -> None:
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    pending = folder / f".{family_id}.{os.getpid()}.{threading.get_ident()}.tmp"
    pending.write_text(note, encoding="utf-8")
    os.replace(pending, _path(family_id))


def remember(family_id: str, note: str) -> None:
    """Called once the append that signed `note` has committed. Never moves backwards: two
    writers committing close together may run this in either order."""
    try:
        size = parse(note).size
        with _write_lock:
            current = newest(family_id)
            if current is not None and current.size >= size:
                return
            _write(family_id, note)
    except (OSError, NoteError):
        logger.exception("cannot keep the newest checkpoint of family %s", family_id)


def replace_after_rollback(family_id: str, note: str) -> None:
    """After an accepted rollback: keep the rolled-back checkpoint beside the new one, for the
    operator's records, and start again from the new one."""
    with _write_lock:
        old = _path(family_id)
        if old.exists():
            stamp = timezone.now().strftime("%Y%m%dT%H%M%S%fZ")
            os.replace(old, old.with_name(f"{family_id}.rolled-back-{stamp}"))
        _write(family_id, note)
