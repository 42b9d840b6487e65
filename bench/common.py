"""Shared helpers for benchmarks: a result row and a timer that reports the median."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    name: str
    target: str
    measured: str
    met: bool

    def line(self) -> str:
        return (
            f"{self.name}: {self.measured} (target {self.target}) {'ok' if self.met else 'MISSED'}"
        )


def median_ms(fn: Callable[[], object], *, repeat: int = 7, warmup: int = 1) -> float:
    """Median wall time of `fn` in milliseconds over `repeat` runs, after `warmup` runs."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)
