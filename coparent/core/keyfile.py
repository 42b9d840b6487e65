"""A private key kept in a file: made on first use and read back in every process.

The file is created exclusively with mode 0600, so two processes starting at once cannot write
two different keys, and nobody else on the machine reads it. A rotation replaces the file (a new
inode): each process compares the file's identity with what it cached and reads it again."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path


class KeyFile[T]:
    def __init__(self, make: Callable[[], bytes], parse: Callable[[bytes], T]) -> None:
        self._make = make
        self._parse = parse
        self._cache: dict[str, tuple[tuple[int, int, int], T]] = {}
        self._lock = threading.Lock()

    def load(self, file: Path) -> T:
        try:
            stat = file.stat()
        except FileNotFoundError:
            self._create(file)
            stat = file.stat()
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        with self._lock:
            cached = self._cache.get(str(file))
            if cached is not None and cached[0] == stamp:
                return cached[1]
        loaded = self._parse(file.read_bytes())
        with self._lock:
            self._cache[str(file)] = (stamp, loaded)
        return loaded

    def _create(self, file: Path) -> None:
        file.parent.mkdir(parents=True, exist_ok=True)
        content = self._make()
        try:
            descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
