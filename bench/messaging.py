"""Messaging with a large family record (1,000,000 log entries, 100,000 messages)

A temporary SQLite database holds one family whose record already has 1,000,000 entries:
100,000 real messages (50,000 in the measured conversation, the rest over 49 others), each with
its `message.sent` and `message.viewed` entries and read receipt, plus 800,000 entries of other
kinds. Leaves, Merkle nodes, the frontier and the signed checkpoint are computed with
coparent.tlog and bulk-inserted, so the FamilyLog row is exactly what a million appends would
have left. Then it times real `message_send` calls (message row, search index, log entry and
nodes, signed checkpoint, notification email after commit) and, side by side in one loop through
Django's test client, the signed-in floor (`/healthz`), the conversation page, its poll with
nothing new (as the page sends it) and the record page.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.common import Result, bench_family, django_on_sqlite, median_ms

ENTRIES = int(os.environ.get("BENCH_MESSAGING_ENTRIES", 1_000_000))
MESSAGES = int(os.environ.get("BENCH_MESSAGING_MESSAGES", 100_000))
THREADS = 50
SEND_TARGET_MS = 10.0
PAGE_TARGET_MS = 50.0
BATCH = 50_000
ROUNDS = 40


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _people() -> tuple[Any, Any, Any]:
    made = bench_family()
    return made.alice, made.bob, made.family


def _load(alice: Any, bob: Any, family: Any) -> Any:
    """Threads and messages through bulk_create; their entries, and the filler, computed with
    coparent.tlog and inserted with executemany. Returns the measured thread."""
    from django.db import connection, transaction
    from django.utils import timezone

    from coparent.messaging import services
    from coparent.messaging.models import Message, MessageView, Thread
    from coparent.records import keys
    from coparent.records.models import FamilyLog
    from coparent.records.services import origin
    from coparent.tlog import (
        Entry,
        Frontier,
        content_hash,
        encode,
        format_checkpoint,
        frontier_append,
        leaf_hash,
        sign_note,
    )

    threads = [
        services.thread_create(
            family=family, actor=alice, subject=f"Conversation {n}", body="Opening message"
        )
        for n in range(THREADS)
    ]
    main = threads[0]
    now = timezone.now()
    start = now - dt.timedelta(days=3 * 365)
    step = (now - dt.timedelta(hours=1) - start) / max(MESSAGES, 1)
    people = {alice.pk: str(alice.public_id), bob.pk: str(bob.public_id)}

    t0 = time.perf_counter()
    rows = []
    for i in range(MESSAGES):
        thread = main if i % 2 == 0 else threads[1 + (i // 2) % (THREADS - 1)]
        sender = alice if i % 3 else bob
        body = f"Message {i}: pickup at {i % 24}:00 at the school gate works for me."
        rows.append(
            Message(
                family=family,
                thread=thread,
                sender=sender,
                body=body,
                salt=secrets.token_bytes(32),
                created_at=start + step * i,
            )
        )
    with transaction.atomic():
        for chunk in range(0, len(rows), BATCH):
            Message.objects.bulk_create(rows[chunk : chunk + BATCH])
    saved = list(
        Message.objects.filter(family=family, body__startswith="Message ")
        .order_by("created_at")
        .values_list("pk", "public_id", "thread__public_id", "sender_id", "salt", "body")
    )
    views = [
        MessageView(
            family=family,
            message_id=pk,
            viewer=bob if sender_id == alice.pk else alice,
            viewed_at=start + step * i + dt.timedelta(minutes=3),
        )
        for i, (pk, _p, _t, sender_id, _s, _b) in enumerate(saved)
    ]
    with transaction.atomic():
        for chunk in range(0, len(views), BATCH):
            MessageView.objects.bulk_create(views[chunk : chunk + BATCH])
    print(f"   {len(saved)} messages and receipts in {time.perf_counter() - t0:.1f} s", flush=True)

    log = FamilyLog.objects.get(family=family)
    frontier = Frontier.from_blob(log.size, bytes(log.frontier))
    filler = ENTRIES - frontier.size - 2 * len(saved)
    per_message = max(filler // max(len(saved), 1), 0)
    t0 = time.perf_counter()
    entry_rows: list[tuple[Any, ...]] = []
    node_rows: list[tuple[Any, ...]] = []

    def flush() -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                'INSERT INTO records_logentry (public_id, "index", kind, leaf, created_at, '
                "actor_id, family_id) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                entry_rows,
            )
            cursor.executemany(
                'INSERT INTO records_lognode (family_id, level, "index", hash) '
                "VALUES (%s, %s, %s, %s)",
                node_rows,
            )
        entry_rows.clear()
        node_rows.clear()

    def append(kind: str, actor_pk: int, moment: dt.datetime, fields: dict[str, Any]) -> None:
        nonlocal frontier
        leaf = encode(Entry(frontier.size, kind, people[actor_pk], moment, fields))
        index = frontier.size
        frontier, nodes = frontier_append(frontier, leaf_hash(leaf))
        entry_rows.append(
            (uuid.uuid4().hex, index, kind, leaf, _stamp(moment), actor_pk, family.pk)
        )
        node_rows.extend((family.pk, level, idx, value) for level, idx, value in nodes)

    with transaction.atomic():
        for i, (_pk, public_id, thread_id, sender_id, salt, body) in enumerate(saved):
            moment = start + step * i
            append(
                "message.sent",
                sender_id,
                moment,
                {
                    "thread": str(thread_id),
                    "message": str(public_id),
                    "content": content_hash(bytes(salt), body.encode()),
                },
            )
            viewer = bob.pk if sender_id == alice.pk else alice.pk
            append(
                "message.viewed",
                viewer,
                moment + dt.timedelta(minutes=3),
                {"message": str(public_id), "viewer": people[viewer]},
            )
            extra = per_message + (1 if i < filler - per_message * len(saved) else 0)
            for k in range(extra):
                append(
                    "exchange.checkin",
                    sender_id,
                    moment + dt.timedelta(minutes=5 + k),
                    {"place": "school gate", "n": k},
                )
            if len(entry_rows) >= BATCH:
                flush()
        flush()
        root = frontier.root()
        FamilyLog.objects.filter(pk=log.pk).update(
            size=frontier.size,
            frontier=frontier.to_blob(),
            root=root,
            checkpoint=sign_note(
                format_checkpoint(origin(family), frontier.size, root), keys.signer()
            ),
            updated_at=now,
        )
    Thread.objects.filter(pk=main.pk).update(last_message_at=now - dt.timedelta(hours=1))
    print(f"   log of {frontier.size} entries in {time.perf_counter() - t0:.1f} s", flush=True)
    return main


def _check_log(family: Any) -> None:
    """The loaded log is what appends would have left: its root from the stored nodes matches
    the FamilyLog row, and the last entry's inclusion proof verifies."""
    from coparent.records import selectors
    from coparent.records.models import FamilyLog, LogEntry
    from coparent.tlog import leaf_hash, verify_inclusion

    log = FamilyLog.objects.get(family=family)
    assert selectors.root_at(family, log.size) == bytes(log.root)
    last = LogEntry.objects.get(family=family, index=log.size - 1)
    size, proof = selectors.inclusion_proof(family, last.index)
    verify_inclusion(leaf_hash(bytes(last.leaf)), last.index, size, proof, bytes(log.root))


def run() -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="coparent-bench-messaging-") as folder:
        django_on_sqlite(Path(folder))
        from django.test import Client

        from coparent.messaging import services
        from coparent.records.models import FamilyLog

        alice, bob, family = _people()
        thread = _load(alice, bob, family)
        _check_log(family)
        size_before = FamilyLog.objects.get(family=family).size

        counter = iter(range(10**6))

        def send() -> None:
            services.message_send(
                family=family,
                actor=alice,
                thread=thread,
                body=f"Benchmark message {next(counter)}: see you at the gate at 3.",
            )

        send_ms = median_ms(send, repeat=51, warmup=3)
        size_after = FamilyLog.objects.get(family=family).size
        _check_log(family)

        client = Client()
        client.force_login(alice)
        path = f"/f/{family.public_id}/messages/{thread.public_id}/"
        page = client.get(path)
        assert page.status_code == 200 and b"Benchmark message" in page.content
        # The poll exactly as the open page sends it: nothing new since the page was drawn.
        found = re.search(rb'hx-get="([^"]*poll/[^"]*)"', page.content)
        assert found is not None
        poll_path = found.group(1).decode().replace("&amp;", "&")
        assert client.get(poll_path).status_code == 204
        paths = {
            "floor": "/healthz",
            "page": path,
            "poll": poll_path,
            "record": f"/f/{family.public_id}/record/",
        }
        samples = _side_by_side(client, paths)
        floor = _p95(samples["floor"])

        def ratio(name: str, label: str, factor: float) -> Result:
            p95 = _p95(samples[name])
            return Result(
                label,
                f"< {factor}x the floor's p95",
                f"{p95:.1f} ms p95 vs {floor:.1f} ms ({p95 / floor:.1f}x; "
                f"median {statistics.median(samples[name]):.1f})",
                p95 < factor * floor,
            )

        page_ms = statistics.median(samples["page"])
        poll_ms = statistics.median(samples["poll"])
        return [
            Result(
                f"message_send with {size_before:,} entries already in the record "
                f"(log grew to {size_after:,})",
                f"< {SEND_TARGET_MS:.0f} ms median",
                f"{send_ms:.1f} ms (median of 51)",
                send_ms < SEND_TARGET_MS,
            ),
            Result(
                f"GET conversation page, {MESSAGES:,} messages in the family "
                f"({MESSAGES // 2:,} in this conversation)",
                f"< {PAGE_TARGET_MS:.0f} ms median",
                f"{page_ms:.1f} ms (median of {ROUNDS})",
                page_ms < PAGE_TARGET_MS,
            ),
            Result(
                "GET new-messages poll (htmx, every 5 s), nothing new: 204",
                f"< {PAGE_TARGET_MS:.0f} ms median",
                f"{poll_ms:.1f} ms (median of {ROUNDS})",
                poll_ms < PAGE_TARGET_MS,
            ),
            Result(
                "GET /healthz signed in (the floor), same loop",
                "reference",
                f"{floor:.1f} ms p95 (median {statistics.median(samples['floor']):.1f})",
                True,
            ),
            ratio("page", "conversation page against the floor", 3),
            ratio("poll", "poll with nothing new against the floor", 1.5),
            ratio("record", f"record page ({size_after:,} entries) against the floor", 3),
        ]


def _side_by_side(client: Any, paths: dict[str, str]) -> dict[str, list[float]]:
    """Every path once per round, in turn, so a busy machine slows each alike."""
    samples: dict[str, list[float]] = {name: [] for name in paths}
    for round_ in range(ROUNDS + 3):
        for name, path in paths.items():
            start = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - start) * 1000
            assert response.status_code in (200, 204), (name, response.status_code)
            if round_ >= 3:
                samples[name].append(elapsed)
    return samples


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]
