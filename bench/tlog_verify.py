"""Record export verification (coparent.tlog)

Builds a complete export of a 100,000-entry family record (two parents messaging, each
message viewed) in a temporary directory and times `verify_bundle` on it, as a court's
`coparent verify BUNDLE.zip` would run.
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import Result, median_ms
from coparent.tlog import entry as e
from coparent.tlog.bundle import BundleEntry, build_bundle
from coparent.tlog.merkle import Frontier, frontier_append, leaf_hash
from coparent.tlog.note import format_checkpoint, generate_signer, sign_note
from coparent.tlog.verify import verify_bundle

ENTRIES = 100_000
TARGET_MS = 5000
NAMES = {"u_a": "Alex", "u_b": "Sam"}


def build(path: Path, size: int) -> None:
    signer = generate_signer("bench.coparent.example")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    items: list[BundleEntry] = []
    frontier = Frontier()
    salt = e.new_salt()
    subject = b"Weekly handover"
    for index in range(size):
        actor = "u_a" if index % 3 else "u_b"
        when = start + timedelta(seconds=37 * index)
        content: bytes | None = None
        thread_subject = None
        if index == 0:
            entry = e.thread_created(
                0,
                actor,
                when,
                thread="t_1",
                subject=e.content_hash(salt, subject),
                participants=["u_a", "u_b"],
            )
            content = subject
        elif index % 2:
            content = f"Message {index}: pickup at {index % 24}:00 works for me.".encode()
            entry = e.message_sent(
                index,
                actor,
                when,
                thread="t_1",
                message=f"m_{index}",
                content=e.content_hash(salt, content),
            )
            thread_subject = subject.decode()
        else:
            entry = e.message_viewed(index, actor, when, message=f"m_{index - 1}", viewer=actor)
        leaf = e.encode(entry)
        frontier, _ = frontier_append(frontier, leaf_hash(leaf))
        items.append(
            BundleEntry(
                leaf=leaf,
                author=NAMES[actor],
                content=content,
                salt=salt if content is not None else None,
                thread_subject=thread_subject,
            )
        )
    note = sign_note(
        format_checkpoint("bench.coparent.example/f_1", frontier.size, frontier.root()), signer
    )
    build_bundle(
        path,
        entries=items,
        checkpoint_note=note,
        verifier_key=signer.verifier.to_string(),
        family="f_1",
        description="Benchmark record",
    )


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bundle.zip"
        started = time.perf_counter()
        build(path, ENTRIES)
        build_s = time.perf_counter() - started

        def check() -> None:
            result = verify_bundle(path)
            assert result.ok and result.size == ENTRIES, result.problem

        verify_ms = median_ms(check, repeat=3, warmup=1)
        size_mb = path.stat().st_size / 1e6
    return [
        Result(
            name=f"verify a complete {ENTRIES:,}-entry bundle ({size_mb:.1f} MB zip)",
            target=f"< {TARGET_MS / 1000:.0f} s",
            measured=f"{verify_ms / 1000:.2f} s",
            met=verify_ms < TARGET_MS,
        ),
        Result(
            name=f"build that bundle (encode, hash, zip; informational, built in {build_s:.1f} s)",
            target="no target",
            measured=f"{build_s:.2f} s",
            met=True,
        ),
    ]
