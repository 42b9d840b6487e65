"""The file that keeps each family's newest signed checkpoint: a damaged file is ignored and
rewritten, the writer thread outlives a failure, and two processes writing at once never move
the file backwards."""

from __future__ import annotations

import multiprocessing
import random
import threading
import time
from pathlib import Path

import pytest

from coparent.records import checkpoints
from coparent.tlog import format_checkpoint, sign_note
from coparent.tlog.note import Signer, generate_signer

FAMILY = "00000000-0000-4000-8000-00000000f00d"


@pytest.fixture
def checkpoint_dir(settings, tmp_path: Path) -> Path:
    settings.RECORD_CHECKPOINT_DIR = str(tmp_path / "record-checkpoints")
    checkpoints.flush()
    return tmp_path / "record-checkpoints"


def signed(size: int, signer: Signer | None = None) -> str:
    signer = signer or generate_signer("coparent.localhost/coparent-record")
    root = size.to_bytes(32, "big")
    return sign_note(format_checkpoint(f"coparent.localhost/family/{FAMILY}", size, root), signer)


def wait_for_writer() -> None:
    for _ in range(500):
        with checkpoints._wakeup:
            if not checkpoints._pending and not checkpoints._in_flight:
                return
        threading.Event().wait(0.01)
    raise AssertionError("the writer thread did not write")


def test_a_file_that_is_not_utf8_is_ignored_and_rewritten(checkpoint_dir: Path, caplog) -> None:
    checkpoint_dir.mkdir()
    path = checkpoint_dir / f"{FAMILY}.checkpoint"
    path.write_bytes(b"\xff\xfe torn by a power cut")
    assert checkpoints.newest(FAMILY) is None
    assert "unreadable" in caplog.text

    checkpoints.remember(FAMILY, signed(5))
    wait_for_writer()
    assert path.read_text(encoding="utf-8") == checkpoints.newest(FAMILY).note  # type: ignore[union-attr]
    assert checkpoints._writer is not None and checkpoints._writer.is_alive()


def test_the_writer_thread_outlives_a_failed_write(
    checkpoint_dir: Path, monkeypatch, caplog
) -> None:
    real_store, calls = checkpoints._store, []

    def store_failing_once(path: Path, stored: checkpoints.StoredCheckpoint) -> None:
        calls.append(stored.size)
        if len(calls) == 1:
            raise RuntimeError("an unexpected failure")
        real_store(path, stored)

    monkeypatch.setattr(checkpoints, "_store", store_failing_once)
    checkpoints.remember(FAMILY, signed(5))
    wait_for_writer()
    writer = checkpoints._writer
    assert writer is not None and writer.is_alive()
    checkpoints.remember(FAMILY, signed(6))
    wait_for_writer()
    assert checkpoints._writer is writer
    stored = checkpoints.newest(FAMILY)
    assert stored is not None and stored.size == 6
    assert (checkpoint_dir / f"{FAMILY}.checkpoint").read_text() == stored.note


def test_flush_forgets_the_notes_in_flight_even_when_a_write_fails(
    checkpoint_dir: Path, monkeypatch
) -> None:
    def store_failing(path: Path, stored: checkpoints.StoredCheckpoint) -> None:
        raise RuntimeError("an unexpected failure")

    monkeypatch.setattr(checkpoints, "_store", store_failing)
    with checkpoints._wakeup:
        checkpoints._pending[checkpoints._path(FAMILY)] = checkpoints.parse(signed(5))
    with pytest.raises(RuntimeError):
        checkpoints.flush()
    assert not checkpoints._in_flight


def store_racing(folder: str, sizes: list[int], notes: dict[int, str]) -> list[str]:
    """One server process storing checkpoints (in a process of its own); a write that
    dawdles between reading the file and replacing it widens the window a race needs."""
    real_write = checkpoints._write

    def slow_write(path: Path, note: str) -> tuple[int, int, int]:
        time.sleep(random.uniform(0, 0.003))
        return real_write(path, note)

    checkpoints._write = slow_write  # type: ignore[assignment]
    path = Path(folder) / f"{FAMILY}.checkpoint"
    backwards = []
    for size in sizes:
        checkpoints._store(path, checkpoints.parse(notes[size]))
        on_disk = checkpoints.parse(path.read_text()).size
        if on_disk < size:
            backwards.append(f"stored {size}, then the file held {on_disk}")
    return backwards


def test_two_processes_storing_at_once_never_move_the_file_backwards(
    checkpoint_dir: Path,
) -> None:
    signer = generate_signer("coparent.localhost/coparent-record")
    notes = {size: signed(size, signer) for size in range(1, 121)}
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(2) as pool:
        results = [
            pool.apply_async(store_racing, (str(checkpoint_dir), list(range(first, 121, 2)), notes))
            for first in (1, 2)
        ]
        backwards = [line for result in results for line in result.get(timeout=120)]
    assert not backwards, backwards
    assert checkpoints.parse((checkpoint_dir / f"{FAMILY}.checkpoint").read_text()).size == 120
