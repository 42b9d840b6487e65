"""Writes against a bare INSERT: record_append and message_send on SQLite and PostgreSQL

Each database runs in its own process (Django picks one database per process) on a fresh
database holding one family of two parents with a conversation. Side by side in that process, on
the same connection: a bare transaction inserting one row into a table shaped like the log's
(family, index, kind, leaf bytes, time, unique on family and index), a real `record_append`
(lock, entry, Merkle nodes, signed checkpoint) and a real `message_send` (the append, the
message, the thread's time, the notification queued). The ratios are the targets; PostgreSQL is
skipped when BENCH_POSTGRES_URL's server (default postgres://postgres@127.0.0.1:5432/postgres)
does not answer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Result, django_on_sqlite, median_ms

REPEAT = int(os.environ.get("BENCH_WRITES_REPEAT", 301))
APPEND_TARGET = 2.0  # on PostgreSQL; SQLite's figures are shown, not judged
SEND_TARGET = 3.0
SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")

_TABLE = {
    "sqlite": "CREATE TABLE bench_insert (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "family_id INTEGER NOT NULL, idx INTEGER NOT NULL, kind VARCHAR(64) NOT NULL, "
    "leaf BLOB NOT NULL, created_at DATETIME NOT NULL, UNIQUE (family_id, idx))",
    "postgresql": "CREATE TABLE bench_insert (id BIGSERIAL PRIMARY KEY, "
    "family_id INTEGER NOT NULL, idx BIGINT NOT NULL, kind VARCHAR(64) NOT NULL, "
    "leaf BYTEA NOT NULL, created_at TIMESTAMPTZ NOT NULL, UNIQUE (family_id, idx))",
}


def _measure(profile: bool) -> dict[str, float]:
    """Runs in the worker process, Django set up on its database."""
    from django.db import connection, transaction
    from django.utils import timezone

    from coparent.accounts.models import User
    from coparent.families import services as family_services
    from coparent.families.models import Role
    from coparent.messaging import services as messaging_services
    from coparent.records.services import record_append

    alice = User.objects.create_user(
        "alice@bench.test", "x" * 20, display_name="Alice", email_verified=True
    )
    bob = User.objects.create_user(
        "bob@bench.test", "x" * 20, display_name="Bob", email_verified=True
    )
    family = family_services.family_create(actor=alice, name="Bench family")
    _invitation, token = family_services.invitation_create(
        family=family, actor=alice, role=Role.PARENT
    )
    family_services.invitation_accept(token=token, user=bob)
    thread = messaging_services.thread_create(
        family=family, actor=alice, subject="Week plans", body="Starting a thread."
    )
    with connection.cursor() as cursor:
        cursor.execute(_TABLE[connection.vendor])
    counter = iter(range(10**9))
    leaf = bytes(range(256))  # about the size of a message entry's leaf

    def insert() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO bench_insert (family_id, idx, kind, leaf, created_at) "
                "VALUES (%s, %s, %s, %s, %s)",
                [family.pk, next(counter), "message.sent", leaf, timezone.now()],
            )

    def append() -> None:
        record_append(
            family=family,
            actor=alice,
            kind="message.viewed",
            fields={"message": str(thread.public_id), "viewer": str(bob.public_id)},
        )

    def send() -> None:
        messaging_services.message_send(
            family=family,
            actor=alice,
            thread=thread,
            body=f"Benchmark message {next(counter)}: see you at the gate at 3.",
            confirm_tone=True,  # the tone check still runs; VADER reads "187" as hostile
        )

    if profile:
        import cProfile
        import pstats

        for name, fn in (("record_append", append), ("message_send", send)):
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(200):
                fn()
            profiler.disable()
            print(f"== {name} on {connection.vendor}", file=sys.stderr)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    # Interleaved rounds, so a busy machine slows every side alike.
    samples: dict[str, list[float]] = {"insert": [], "append": [], "send": []}
    for _ in range(5):
        for name, fn in (("insert", insert), ("append", append), ("send", send)):
            samples[name].append(median_ms(fn, repeat=REPEAT // 5, warmup=5))
    return {name: sorted(values)[len(values) // 2] for name, values in samples.items()}


def _worker(vendor: str, folder: str, profile: bool) -> None:
    if vendor == "sqlite":
        django_on_sqlite(Path(folder))
        print(json.dumps(_measure(profile)))
        return
    import psycopg

    name = f"coparent_bench_writes_{os.getpid()}"
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        os.environ["COPARENT_VAR_DIR"] = folder
        os.environ["DATABASE_URL"] = SERVER.rsplit("/", 1)[0] + f"/{name}"
        os.environ.pop("REDIS_URL", None)
        os.environ["DJANGO_SETTINGS_MODULE"] = "coparent.test_settings"
        # As served (bench.common.django_on_sqlite does the same): with DEBUG on, every query
        # is formatted and kept in memory, which measures the debug wrapper.
        os.environ["DEBUG"] = "0"
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        print(json.dumps(_measure(profile)))
        from django.db import connection

        connection.close()
    finally:
        with psycopg.connect(SERVER, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _server_answers() -> bool:
    try:
        import psycopg

        with psycopg.connect(SERVER, connect_timeout=3):
            return True
    except Exception:
        return False


def _run_worker(vendor: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="coparent-bench-writes-") as folder:
        done = subprocess.run(
            [sys.executable, "-m", "bench.writes", vendor, folder],
            check=True,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run() -> list[Result]:
    vendors = ["sqlite"] + (["postgresql"] if _server_answers() else [])
    results = []
    for vendor in vendors:
        started = time.perf_counter()
        got = _run_worker(vendor)
        print(f"   {vendor}: {got} in {time.perf_counter() - started:.0f} s", flush=True)
        judged = vendor == "postgresql"
        for name, key, target in (
            ("record_append", "append", APPEND_TARGET),
            ("message_send", "send", SEND_TARGET),
        ):
            ratio = got[key] / got["insert"]
            results.append(
                Result(
                    f"{name} vs a bare INSERT transaction, {vendor}",
                    f"< {target:.0f}x" if judged else "shown, not judged",
                    f"{got[key]:.2f} ms vs {got['insert']:.2f} ms ({ratio:.1f}x; medians)",
                    ratio < target if judged else True,
                )
            )
    return results


if __name__ == "__main__":
    _worker(sys.argv[1], sys.argv[2], profile="--profile" in sys.argv)
