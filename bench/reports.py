"""Court report of a long conversation (20,000 messages over five years)

A temporary SQLite database holds one family with 40,000 messages over 50 conversations, half
of them in the measured one, each with its read receipt and both record entries (built as in
the messaging benchmark: rows bulk-inserted, leaves and Merkle nodes computed with
coparent.tlog). Then it writes the court report of that one conversation through the real code
(`reports.build.report_write`: messages section, bundle of 40,000 printed entries with inclusion
proofs, PDF with fonts embedded) and checks the result with `coparent verify REPORT.pdf`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import resource
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from bench import messaging
from bench.common import Result, django_on_sqlite

MESSAGES = int(os.environ.get("BENCH_REPORT_MESSAGES", 20_000))
TARGET_S = 60.0
MEMORY_TARGET_MB = 1024


def run() -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="coparent-bench-reports-") as folder:
        django_on_sqlite(Path(folder))
        from django.conf import settings

        settings.REPORT_DIR = str(Path(folder) / "reports")
        from django.utils import timezone

        from coparent.reports import verify
        from coparent.reports.build import report_write

        messaging.MESSAGES = 2 * MESSAGES  # every other message is in the measured conversation
        messaging.ENTRIES = 0  # no filler entries
        alice, _bob, family = messaging._people()
        thread = messaging._load(alice, _bob, family)
        count = thread.messages.count()
        out = Path(folder) / "report.pdf"
        now = timezone.now()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        _reset_peak()
        started = time.perf_counter()
        cpu_started = time.process_time()
        result = report_write(
            out,
            Path(folder) / "tables.zip",
            family=family,
            reader=None,
            generated_by="bench",
            start=now - dt.timedelta(days=5 * 365),
            end=now,
            zone=ZoneInfo("UTC"),
            sections=["messages"],
            thread_ids=[str(thread.public_id)],
            bates_prefix="BENCH",
            report_id="BENCH",
            paper="A4",
        )
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        writing_mb = _peak_since_reset_mb()
        grew_mb = (writing_mb or peak_mb) - before / 1024
        load = os.getloadavg()[0]
        print(
            f"   {count} messages: {result.pages} pages, {result.entries} entries, "
            f"{out.stat().st_size / 1e6:.1f} MB, {seconds:.1f} s wall, {cpu_seconds:.1f} s CPU "
            f"(load average {load:.1f} on {os.cpu_count()} cores), peak RSS {peak_mb:.0f} MB, "
            f"{writing_mb or peak_mb:.0f} MB while writing (+{grew_mb:.0f} MB)",
            flush=True,
        )
        started = time.perf_counter()
        verified = verify.main([str(out)]) == 0
        verify_s = time.perf_counter() - started
        return [
            Result(
                f"report of a {count}-message conversation ({result.pages} pages). Judged on "
                f"its CPU time: one single-threaded process whose files stay in the page cache "
                f"takes about that long on a quiet machine; the wall time was measured at load "
                f"average {load:.1f} on {os.cpu_count()} cores",
                f"< {TARGET_S:.0f} s",
                f"{cpu_seconds:.1f} s CPU ({seconds:.1f} s wall)",
                cpu_seconds < TARGET_S,
            ),
            Result(
                "peak resident memory of the process while it writes the report (it also holds "
                "the benchmark's database rows)",
                f"< {MEMORY_TARGET_MB} MB",
                f"{writing_mb or peak_mb:.0f} MB (+{grew_mb:.0f} MB over the start)",
                (writing_mb or peak_mb) < MEMORY_TARGET_MB,
            ),
            Result(
                "coparent verify REPORT.pdf on it",
                "passes",
                f"{'passes' if verified else 'FAILS'} in {verify_s:.1f} s",
                verified,
            ),
        ]


def _reset_peak() -> None:
    """Linux: start VmHWM (the peak resident size) again from the current size."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_since_reset_mb() -> float | None:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None
