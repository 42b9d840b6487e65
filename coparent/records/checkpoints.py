"""The newest signed checkpoint of each family, kept outside the database.

A restored backup rolls the log back; the server would then sign a second, different checkpoint
for a size it has already signed, and every witness would rightly report tampering. So after
each append commits, its checkpoint is written to RECORD_CHECKPOINT_DIR/<family>.checkpoint (one
small file, replaced atomically). It is a guard, not a second source of truth: it is written
after the commit and a failure to write it fails nothing (it only lags, which the guard
tolerates); it must never be ahead of what was signed, and never is, since only signed notes are
written there.

The file is written by a background thread, not by the request that committed: the commit
hands over the note (no I/O), a burst of appends to one family becomes one write (the thread
rests a moment after each write, so notes gather), and the append path does not wait for the
disk. In this process the guard also sees notes not yet
written. A process killed before its thread writes leaves the file a little behind, which is
the tolerated direction.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import functools
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from coparent.tlog import NoteError, parse_checkpoint

logger = logging.getLogger("coparent.records")
_write_lock = threading.Lock()
# Every append reads the newest checkpoint: keep the parsed file per family, keyed on the file's
# identity, so an append costs a stat unless another process has replaced the file.
_read_cache: dict[Path, tuple[tuple[int, int, int], StoredCheckpoint]] = {}
# Notes committed but not yet written, by file; the writer thread empties it.
_pending: dict[Path, StoredCheckpoint] = {}
_in_flight: dict[Path, StoredCheckpoint] = {}  # taken from _pending, being written
_wakeup = threading.Condition()
_writer: threading.Thread | None = None
# Held while a batch is taken and written, so flush() and a rollback wait for writes in flight.
_busy = threading.Lock()
# After each write the thread rests this long: a family writing many entries a second costs a few
# file replacements (each an fsync beside the database's own) instead of one per entry.
_GATHER_SECONDS = 0.1


@dataclass(frozen=True)
class StoredCheckpoint:
    note: str
    origin: str
    size: int
    root: bytes


def directory() -> Path:
    return Path(settings.RECORD_CHECKPOINT_DIR)


def _path(family_id: str) -> Path:
    return _family_path(str(settings.RECORD_CHECKPOINT_DIR), family_id)


# Every append looks its family's file up twice (the guard, then `remember`): the same Path
# object each time, so the dictionaries keyed on it hash a string computed once.
@functools.lru_cache(maxsize=4096)
def _family_path(folder: str, family_id: str) -> Path:
    return Path(folder) / f"{family_id}.checkpoint"


def parse(note: str) -> StoredCheckpoint:
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("not a signed note")
    checkpoint = parse_checkpoint(note[: split + 1])
    return StoredCheckpoint(note, checkpoint.origin, checkpoint.size, checkpoint.root)


def newest(family_id: str) -> StoredCheckpoint | None:
    path = _path(family_id)
    with _wakeup:
        known = [c for c in (_pending.get(path), _in_flight.get(path)) if c is not None]
    known += [c for c in (_read(family_id, path),) if c is not None]
    return max(known, key=lambda c: c.size, default=None)


def _read(family_id: str, path: Path) -> StoredCheckpoint | None:
    try:
        stat = path.stat()
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        cached = _read_cache.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        note = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError:
        logger.exception("cannot read the newest checkpoint of family %s", family_id)
        return None
    except UnicodeDecodeError:
        # Damaged on disk; like a torn file below, ignored until the next append rewrites it.
        logger.error("the newest checkpoint of family %s is unreadable; ignored", family_id)
        return None
    try:
        found = parse(note)
    except NoteError:
        # A torn file after a power cut; the next append rewrites it.
        logger.error("the newest checkpoint of family %s is unreadable; ignored", family_id)
        return None
    _read_cache[path] = (stamp, found)
    return found


def all_newest() -> dict[str, StoredCheckpoint]:
    found: dict[str, StoredCheckpoint] = {}
    if directory().is_dir():
        for file in directory().glob("*.checkpoint"):
            if (stored := newest(file.stem)) is not None:
                found[file.stem] = stored
    return found


def _write(path: Path, note: str) -> tuple[int, int, int]:
    """Replace the file; returns the new file's identity (as `_read` keys its cache)."""
    pending = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        handle = pending.open("w", encoding="utf-8")
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = pending.open("w", encoding="utf-8")
    with handle:
        handle.write(note)
        handle.flush()
        # Off the request path (the writer thread), so a power cut leaves the old file or the
        # new one, never an empty one.
        os.fsync(handle.fileno())
        written = os.fstat(handle.fileno())
    os.replace(pending, path)
    return (written.st_ino, written.st_mtime_ns, written.st_size)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Held around read-compare-replace. Every server process (gunicorn worker) writes these
    files: without a lock between processes, one could read size 10, another write 11, and the
    first then write its 10 over it."""
    folder.mkdir(parents=True, exist_ok=True)
    with _write_lock, (folder / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
        yield


def _store(path: Path, stored: StoredCheckpoint) -> None:
    """Write unless the file already holds this size or more (another process may have
    written a later one): the file never moves backwards."""
    try:
        with _locked(path.parent):
            current = _read(path.stem, path)
            if current is None or current.size < stored.size:
                # The next append's guard then finds its own note without reading it back.
                _read_cache[path] = (_write(path, stored.note), stored)
    except OSError:
        logger.exception("cannot keep the newest checkpoint in %s", path)


def remember(family_id: str, note: str | StoredCheckpoint) -> None:
    """Called once the append that signed `note` has committed; returns at once. The appender
    passes what it signed already parsed."""
    global _writer
    if isinstance(note, StoredCheckpoint):
        stored = note
    else:
        try:
            stored = parse(note)
        except NoteError:
            logger.exception("not a checkpoint for family %s", family_id)
            return
    path = _path(family_id)
    with _wakeup:
        waiting = _pending.get(path)
        if waiting is None or waiting.size < stored.size:
            _pending[path] = stored
        if _writer is None or not _writer.is_alive():
            _writer = threading.Thread(
                target=_write_forever, name="record-checkpoints", daemon=True
            )
            _writer.start()
            atexit.register(flush)
        _wakeup.notify()


def _take() -> dict[Path, StoredCheckpoint]:
    with _wakeup:
        _in_flight.update(_pending)
        _pending.clear()
        return dict(_in_flight)


def _write_forever() -> None:
    while True:
        with _wakeup:
            _wakeup.wait_for(lambda: bool(_pending))
        try:
            flush()
        except Exception:
            # The file only lags (tolerated); a dead thread would leave it behind for good.
            logger.exception("cannot keep the newest checkpoints")
        time.sleep(_GATHER_SECONDS)


def flush() -> None:
    """Write every note still waiting, now (commands that exit, tests)."""
    with _busy:
        try:
            for path, stored in _take().items():
                _store(path, stored)
        finally:
            with _wakeup:
                _in_flight.clear()


def replace_after_rollback(family_id: str, note: str) -> None:
    """After an accepted rollback: keep the rolled-back checkpoint beside the new one, for the
    operator's records, and start again from the new one. The rolled-back note may be on disk or
    still with the writer thread (remembered just before the restore); either way it is kept."""
    path = _path(family_id)
    with _busy:
        with _wakeup:
            waiting = [c for c in (_pending.pop(path, None), _in_flight.pop(path, None)) if c]
        with _locked(path.parent):
            # The rolled-back note may still be waiting for the writer thread, not yet on disk.
            rolled_back = max(
                [*waiting, *filter(None, [_read(family_id, path)])],
                key=lambda c: c.size,
                default=None,
            )
            if rolled_back is not None:
                stamp = timezone.now().strftime("%Y%m%dT%H%M%S%fZ")
                _write(path.with_name(f"{family_id}.rolled-back-{stamp}"), rolled_back.note)
            _write(path, note)
