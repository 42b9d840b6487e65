"""Sustained writes on SQLite: many writers at once, and what reusing connections saves

A temporary SQLite database (WAL, BEGIN IMMEDIATE, the settings' busy timeout) holds eight
families of two parents. Sixteen threads, each with its own connection like a server's workers,
send messages through the real `message_send` at once (every send is one write transaction:
message, search index, log entry, nodes, signed checkpoint). Each writer queues for SQLite's one
write lock; none may fail. Then it times a page request (the family page through Django's test
client) on a connection kept open, as CONN_MAX_AGE does, and on one opened for the request.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import Result, django_on_sqlite, median_ms

FAMILIES = 8
WRITERS = 2 * FAMILIES
MESSAGES = int(os.environ.get("BENCH_SQLITE_MESSAGES", 20))
P99_TARGET_S = 5.0


def _families() -> list[tuple[Any, Any, Any, Any]]:
    """(family, thread, parent, other parent) for each family, made through the services."""
    from coparent.accounts.models import User
    from coparent.families import services as family_services
    from coparent.families.models import Role
    from coparent.messaging import services as messaging_services

    made = []
    for n in range(FAMILIES):
        a, b = (
            User.objects.create_user(
                f"{who}{n}@bench.test", "x" * 20, display_name=who, email_verified=True
            )
            for who in ("robin", "sky")
        )
        family = family_services.family_create(actor=a, name=f"Bench family {n}")
        _invitation, token = family_services.invitation_create(
            family=family, actor=a, role=Role.PARENT
        )
        family_services.invitation_accept(token=token, user=b)
        thread = messaging_services.thread_create(
            family=family, actor=a, subject="Week plans", body="Starting a thread."
        )
        made.append((family, thread, a, b))
    return made


def _write_at_once(families: list[tuple[Any, Any, Any, Any]]) -> tuple[float, list[float], int]:
    from django.db import connection

    from coparent.messaging import services as messaging_services

    latencies: list[float] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(WRITERS)

    def writer(n: int) -> None:
        family, thread, a, b = families[n // 2]
        sender = a if n % 2 else b
        try:
            barrier.wait()
            for m in range(MESSAGES):
                start = time.perf_counter()
                messaging_services.message_send(
                    family=family, actor=sender, thread=thread, body=f"Writer {n}, note {m}"
                )
                latencies.append(time.perf_counter() - start)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, latencies, len(errors)


def run() -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="coparent-bench-") as tmp:
        django_on_sqlite(Path(tmp))
        from django.db import connection
        from django.test import Client

        families = _families()
        elapsed, latencies, errors = _write_at_once(families)
        sent = len(latencies)
        p99 = statistics.quantiles(latencies, n=100)[98] if len(latencies) > 1 else 0.0
        family, _thread, parent, _other = families[0]
        client = Client()
        client.force_login(parent)
        url = f"/f/{family.public_id}/"

        def reopened() -> None:
            connection.close()
            client.get(url)

        kept = median_ms(lambda: client.get(url), repeat=25)
        fresh = median_ms(reopened, repeat=25)
        connection.close()
    label = f"{WRITERS} writers x {MESSAGES} messages at once, {FAMILIES} families"
    return [
        Result(f"{label}: failed writes", "0", str(errors), errors == 0),
        Result(
            f"{label}: slowest 1% of sends (under the busy timeout)",
            f"< {P99_TARGET_S:.0f} s",
            f"{p99:.2f} s (p99 of {sent}; {sent / elapsed:.0f} sends/s)",
            p99 < P99_TARGET_S,
        ),
        Result(
            "family page, connection kept open (CONN_MAX_AGE) vs opened for the request",
            "kept is faster",
            f"{kept:.1f} ms vs {fresh:.1f} ms (median of 25)",
            kept < fresh,
        ),
    ]
