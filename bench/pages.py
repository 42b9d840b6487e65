"""Main pages against the signed-in floor, at two ages of a family, under gunicorn

One family is loaded twice, young and old: 100 swaps, 100 events and 10,000 messages, then 100
times that (10,000 swaps and events, 1,000,000 messages), each with its read receipts and its
`message.sent` record entries (leaves, Merkle nodes and the signed checkpoint computed with
coparent.tlog), and money to match (50 expenses and 20 payments, then issue 10's 5,000 and
2,000). The history runs back from today at the same pace in both, so the month on screen holds
the same things and only the past grows. Rows are bulk-inserted as the services would have left
them (services refuse to backdate); the message search index is not filled (no page here reads
it).

Both databases are served at once by gunicorn (2 workers each, DEBUG off), on SQLite and then
on PostgreSQL, and one signed-in client asks every page of both in turn, so a busy machine slows
every figure alike. The floor is `/healthz` with the same session cookie: the session-activity
middleware asks every request for its user, so it pays for the session and auth and nothing
else. Pages: p95 within 3x the floor (the new-messages poll with nothing new within 1.5x);
growth: the old family's p50 within 1.2x the young one's.

Most pages keep their drawn content until the family's record grows (core/fragments.py): the
target is measured on a person coming back to the page, and every such page is also asked at
an address it has never been asked at (`?fresh=N`, part of what is kept), so it is drawn as on
a first view after a change. Growth is measured on those drawn pages, and their p95 is reported.

Sizes: BENCH_PAGES_SWAPS (100), BENCH_PAGES_MESSAGES (10,000), BENCH_PAGES_GROWTH (100),
BENCH_PAGES_ROUNDS (40), BENCH_PAGES_BACKENDS ("sqlite,postgres"), BENCH_POSTGRES_URL (an
administrative connection; a bench database is created beside it and dropped after).
"""

from __future__ import annotations

import datetime as dt
import html
import http.client
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path
from typing import Any

from bench.common import Result, bench_family

SWAPS = int(os.environ.get("BENCH_PAGES_SWAPS", 100))
MESSAGES = int(os.environ.get("BENCH_PAGES_MESSAGES", 10_000))
GROWTH = int(os.environ.get("BENCH_PAGES_GROWTH", 100))
ROUNDS = int(os.environ.get("BENCH_PAGES_ROUNDS", 40))
BACKENDS = os.environ.get("BENCH_PAGES_BACKENDS", "sqlite,postgres").split(",")
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# Issue 10's ledger: ten years of money in the old family, a hundredth of it in the young one.
EXPENSES, PAYMENTS = 5_000, 2_000
# One swap and one event every 0.365 days: 10,000 of each are ten years.
PACE = dt.timedelta(days=0.365)
THREADS = 20
PAGE_FACTOR, POLL_FACTOR, GROWTH_FACTOR = 3.0, 1.5, 1.2
# Pages whose content is kept until the family's record grows (core/fragments.py): measured as
# a person coming back to them, and again drawn afresh (first view after a change), reported.
KEPT = {
    "family home",
    "month",
    "week",
    "agenda",
    "conversation",
    "exchanges",
    "passes",
    "record",
    "money ledger",
}
FRESH = "drawn afresh (first view after a change)"
WARMUP = 3
ROOT = Path(__file__).resolve().parent.parent
BATCH = 20_000


# ---- loading one family (runs in a child process: `python -m bench.pages load`) -------------


def _people() -> tuple[Any, Any, Any, Any]:
    made = bench_family(children=("Kit",), zones=("America/Chicago", "America/New_York"))
    return made.family, made.children[0], made.a, made.b


def _schedule(family: Any, kit: Any, a: Any, b: Any, swaps: int, now: dt.datetime) -> None:
    """One agreed schedule changed every six months over the family's life, `swaps` accepted
    swaps (and as many declined) and `swaps` events, one every PACE back from today."""
    from coparent.schedule.models import Event, EventChild, Plan, ScheduleVersion, SwapRequest

    plan = Plan.objects.create(family=family, parent_a=a, parent_b=b)
    start = now - PACE * swaps
    templates = ["2-2-3", "7-7", "2-2-5-5", "3-4-4-3"]
    versions = []
    for number in range(max(1, (now - start).days // 182 + 1)):
        effective = start + dt.timedelta(days=182 * number)
        spec: dict[str, Any] = {
            "timezone": "America/Chicago",
            "parents": ["A", "B"],
            "rotation": {
                "template": templates[number % len(templates)],
                "anchor": effective.date().isoformat(),
                "first": "AB"[number % 2],
                "exchange_time": "18:00",
            },
            "holidays": [
                {
                    "name": "Thanksgiving",
                    "date": {"month": 11, "weekday": "TH", "nth": 4},
                    "start": {"days": -1, "time": "18:00"},
                    "end": {"days": 3, "time": "18:00"},
                    "parent": {"even": "A", "odd": "B"},
                }
            ],
            "x-exchange-place": "School gate",
        }
        versions.append(
            ScheduleVersion(
                family=family,
                plan=plan,
                spec=spec,
                effective_at=None if number == 0 else effective,
                status="accepted",
                proposed_by=a.user,
                proposed_at=effective - dt.timedelta(days=10),
                decided_by=b.user,
                decided_at=effective - dt.timedelta(days=5),
            )
        )
    ScheduleVersion.objects.bulk_create(versions)
    rows = []
    for number in range(2 * swaps):
        begins = start + PACE * (number // 2) + dt.timedelta(hours=3)
        accepted = number % 2 == 0
        rows.append(
            SwapRequest(
                family=family,
                plan=plan,
                requested_by=a.user if number % 4 else b.user,
                start_at=begins,
                end_at=begins + dt.timedelta(hours=20),
                respond_by=begins - dt.timedelta(days=1),
                reason="Bench swap",
                status="accepted" if accepted else "declined",
                requested_at=begins - dt.timedelta(days=3),
                decided_by=b.user if number % 4 else a.user,
                decided_at=begins - dt.timedelta(days=2),
            )
        )
    SwapRequest.objects.bulk_create(rows, batch_size=BATCH)
    events = Event.objects.bulk_create(
        [
            Event(
                family=family,
                title=f"Event {number}",
                kind="activity",
                starts_at=start + PACE * number + dt.timedelta(hours=5),
                ends_at=start + PACE * number + dt.timedelta(hours=7),
                place="Sports hall",
                created_by=a.user,
            )
            for number in range(swaps)
        ],
        batch_size=BATCH,
    )
    EventChild.objects.bulk_create(
        [EventChild(event_id=e.pk, child_id=kit.pk, family_id=family.pk) for e in events],
        batch_size=BATCH,
    )


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _messages(family: Any, a: Any, b: Any, count: int, now: dt.datetime) -> Any:
    """`count` messages over THREADS conversations (half in the first), each read by the other
    parent, with its `message.sent` record entry: leaves, Merkle nodes, the frontier and the
    signed checkpoint as appends would have left them. Returns the first conversation."""
    from django.db import connection, transaction

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

    alice, bob = a.user, b.user
    threads = [
        services.thread_create(
            family=family, actor=alice, subject=f"Conversation {n}", body="Opening message"
        )
        for n in range(THREADS)
    ]
    pace = dt.timedelta(days=3650) / 1_000_000
    start = now - dt.timedelta(hours=1) - pace * count
    people = {alice.pk: str(alice.public_id), bob.pk: str(bob.public_id)}
    log = FamilyLog.objects.get(family=family)
    frontier = Frontier.from_blob(log.size, bytes(log.frontier))
    with transaction.atomic():
        for first in range(0, count, BATCH):
            rows = []
            for i in range(first, min(first + BATCH, count)):
                sender = alice if i % 3 else bob
                rows.append(
                    Message(
                        family=family,
                        thread=threads[0] if i % 2 == 0 else threads[1 + i % (THREADS - 1)],
                        sender=sender,
                        body=f"Message {i}: pickup at {i % 24}:00 at the school gate works.",
                        salt=secrets.token_bytes(32),
                        created_at=start + pace * i,
                    )
                )
            saved = Message.objects.bulk_create(rows)
            MessageView.objects.bulk_create(
                MessageView(
                    family=family,
                    message_id=m.pk,
                    viewer=bob if m.sender_id == alice.pk else alice,
                    viewed_at=m.created_at + dt.timedelta(minutes=3),
                )
                for m in saved
            )
            entries, nodes = [], []
            for m in saved:
                leaf = encode(
                    Entry(
                        frontier.size,
                        "message.sent",
                        people[m.sender_id],
                        m.created_at,
                        {
                            "thread": str(m.thread.public_id),
                            "message": str(m.public_id),
                            "content": content_hash(bytes(m.salt), m.body.encode()),
                        },
                    )
                )
                index = frontier.size
                frontier, new_nodes = frontier_append(frontier, leaf_hash(leaf))
                entries.append(
                    (
                        uuid.uuid4().hex,
                        index,
                        "message.sent",
                        leaf,
                        _stamp(m.created_at),
                        m.sender_id,
                        family.pk,
                    )
                )
                nodes.extend((family.pk, level, idx, value) for level, idx, value in new_nodes)
            with connection.cursor() as cursor:
                cursor.executemany(
                    'INSERT INTO records_logentry (public_id, "index", kind, leaf, created_at, '
                    "actor_id, family_id) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    entries,
                )
                cursor.executemany(
                    'INSERT INTO records_lognode (family_id, level, "index", hash) '
                    "VALUES (%s, %s, %s, %s)",
                    nodes,
                )
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
        Thread.objects.filter(pk__in=[t.pk for t in threads]).update(
            last_message_at=now - dt.timedelta(hours=1)
        )
    return threads[0]


def _money(family: Any, a: Any, b: Any, expenses: int, payments: int, now: dt.datetime) -> None:
    """Expenses (with their shares, most approved, some disputed or waiting) and confirmed
    payments, one every ten years / 5,000 (or / 2,000) back from today."""
    from django.db import transaction

    from coparent.expenses.models import (
        BuiltInCategory,
        Expense,
        ExpenseShare,
        ExpenseStatus,
        Payment,
        PaymentStatus,
        SplitSource,
    )

    categories = [c.value for c in BuiltInCategory]
    statuses = [ExpenseStatus.APPROVED] * 8 + [ExpenseStatus.DISPUTED, ExpenseStatus.REQUESTED]
    rows = []
    for i in range(expenses):
        payer, debtor = (a, b) if i % 3 else (b, a)
        amount = 1_000 + (i * 37) % 20_000
        status = statuses[i % len(statuses)]
        moment = now - dt.timedelta(days=3650) * (expenses - i) / EXPENSES
        rows.append(
            Expense(
                family=family,
                description=f"Expense {i}",
                category=categories[i % len(categories)],
                date=moment.date(),
                amount_minor=amount,
                currency="USD" if i % 10 else "EUR",
                paid_by=payer,
                split_source=SplitSource.NO_RULES,
                debtor=debtor,
                requested_minor=amount // 2,
                approved_minor=amount // 2 if status == ExpenseStatus.APPROVED else None,
                status=status,
                respond_by=now + dt.timedelta(days=14),
                created_by=payer.user,
                created_at=moment,
            )
        )
    with transaction.atomic():
        Expense.objects.bulk_create(rows, batch_size=1000)
        shares = []
        for e in Expense.objects.filter(family=family):
            other = b if e.paid_by_id == a.pk else a
            half = e.amount_minor // 2
            shares.append(
                ExpenseShare(
                    family=family,
                    expense=e,
                    member=e.paid_by,
                    percent=50,
                    amount_minor=e.amount_minor - half,
                )
            )
            shares.append(
                ExpenseShare(family=family, expense=e, member=other, percent=50, amount_minor=half)
            )
        ExpenseShare.objects.bulk_create(shares, batch_size=2000)
        Payment.objects.bulk_create(
            [
                Payment(
                    family=family,
                    payer=b if i % 2 else a,
                    payee=a if i % 2 else b,
                    amount_minor=500 + i,
                    currency="USD",
                    date=(now - dt.timedelta(days=3650) * (payments - i) / PAYMENTS).date(),
                    method="bank_transfer",
                    status=PaymentStatus.CONFIRMED,
                    recorded_by=b.user if i % 2 else a.user,
                )
                for i in range(payments)
            ],
            batch_size=1000,
        )


def load(scale: int) -> dict[str, str]:
    """Migrates the database in DATABASE_URL, loads one family at `scale` times the young
    history, signs Alice in, and returns the session cookie and the paths to measure."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    now = timezone.now()
    family, kit, a, b = _people()
    started = time.perf_counter()
    _schedule(family, kit, a, b, SWAPS * scale, now)
    thread = _messages(family, a, b, MESSAGES * scale, now)
    _money(family, a, b, EXPENSES * scale // GROWTH, PAYMENTS * scale // GROWTH, now)
    loaded = time.perf_counter() - started
    if connection.vendor == "postgresql":
        # As a server that has run for a while: autovacuum would otherwise work through the
        # bulk-loaded tables during the measured rounds, and plans would use no statistics.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    client = Client()
    client.force_login(a.user)
    f, t = family.public_id, thread.public_id
    # The poll exactly as the open conversation asks for it (its cursor and what it has seen),
    # so a poll with nothing new takes the path a browser's would.
    page = client.get(f"/f/{f}/messages/{t}/").content.decode()
    poll = re.search(r'id="poller"[^>]*hx-get="([^"]+)"', page)
    if poll is None:
        raise RuntimeError("the conversation page has no poller")
    name = settings.SESSION_COOKIE_NAME
    return {
        "cookie": f"{name}={client.cookies[name].value}",
        "loaded": f"{loaded:.0f}",
        "floor": "/healthz",
        "family home": f"/f/{f}/",
        "month": f"/f/{f}/calendar/",
        "week": f"/f/{f}/calendar/week/",
        "agenda": f"/f/{f}/calendar/agenda/",
        "conversation": f"/f/{f}/messages/{t}/",
        "new-messages poll": html.unescape(poll.group(1)),
        "exchanges": f"/f/{f}/exchanges/",
        "passes": f"/f/{f}/passes/",
        "record": f"/f/{f}/record/",
        "money ledger": f"/f/{f}/expenses/",
    }


# ---- serving and measuring (the parent process) ----------------------------------------------


def _free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _environment(database_url: str, folder: Path, redis: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="coparent.settings",
        COPARENT_ENV="development",
        DEBUG="0",
        DATABASE_URL=database_url,
        COPARENT_VAR_DIR=str(folder),
        PYTHONPATH=str(ROOT),
    )
    if redis:
        env["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1")
    return env


@contextmanager
def _server(env: dict[str, str]) -> Any:
    port = _free_port()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "coparent.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        for _ in range(200):
            try:
                _get(port, "/healthz", "")
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def _get(port: int, path: str, cookie: str) -> tuple[int, float]:
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Cookie": cookie}
        if "/poll/" in path:
            headers["HX-Request"] = "true"
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    return response.status, (time.perf_counter() - start) * 1000


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


@contextmanager
def _databases(backend: str, folder: Path) -> Any:
    """(young URL, old URL) for `backend`; PostgreSQL databases are dropped afterwards."""
    if backend == "sqlite":
        yield (f"sqlite:///{folder / 'young.sqlite3'}", f"sqlite:///{folder / 'old.sqlite3'}")
        return
    import psycopg

    base = POSTGRES_URL.rsplit("/", 1)[0]
    names = [f"bench_pages_{uuid.uuid4().hex[:8]}_{age}" for age in ("young", "old")]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield tuple(f"{base}/{name}" for name in names)
        finally:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _measure(backend: str) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix=f"coparent-bench-pages-{backend}-") as folder_name:
        folder = Path(folder_name)
        with _databases(backend, folder) as urls, ExitStack() as stack:
            sites = {}
            for age, url, scale in (("young", urls[0], 1), ("old", urls[1], GROWTH)):
                (folder / age).mkdir()
                env = _environment(url, folder / age, redis=backend != "sqlite")
                done = subprocess.run(
                    [sys.executable, "-m", "bench.pages", "load", str(scale)],
                    env=env,
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                )
                if done.returncode:
                    raise RuntimeError(f"loading the {age} family failed:\n{done.stderr}")
                info = json.loads(done.stdout.strip().splitlines()[-1])
                print(f"   {backend}, {age} family loaded in {info.pop('loaded')} s", flush=True)
                sites[age] = (stack.enter_context(_server(env)), info.pop("cookie"), info)
            samples: dict[tuple[str, str], list[float]] = {}
            for round_ in range(ROUNDS + WARMUP):
                for age, (port, cookie, paths) in sites.items():
                    for name, path in paths.items():
                        asked = [(name, path)]
                        if name in KEPT:  # an address never asked before is drawn afresh
                            asked.append((f"{name} {FRESH}", f"{path}?fresh={round_}"))
                        for label, address in asked:
                            status, elapsed = _get(port, address, cookie)
                            if status not in (200, 204):
                                raise RuntimeError(f"{backend} {age} {label}: {address} {status}")
                            if round_ >= WARMUP:
                                samples.setdefault((age, label), []).append(elapsed)
    return _results(backend, samples)


def _results(backend: str, samples: dict[tuple[str, str], list[float]]) -> list[Result]:
    floor = _p95(samples[("old", "floor")])
    young = SWAPS, MESSAGES
    old = SWAPS * GROWTH, MESSAGES * GROWTH
    results = [
        Result(
            f"{backend}: signed-in floor, /healthz with the session cookie",
            "reference",
            f"{floor:.1f} ms p95 (median {statistics.median(samples[('old', 'floor')]):.1f})",
            True,
        )
    ]
    for (age, name), values in samples.items():
        if age != "old" or name == "floor" or name.endswith(FRESH):
            continue
        factor = POLL_FACTOR if name == "new-messages poll" else PAGE_FACTOR
        p95 = _p95(values)
        # Growth is the work a family's history adds: measured where the page is drawn.
        drawn = f"{name} {FRESH}" if name in KEPT else name
        growth = statistics.median(samples[("old", drawn)]) / statistics.median(
            samples[("young", drawn)]
        )
        results.append(
            Result(
                f"{backend}: {name}, {old[0]:,} swaps and events, {old[1]:,} messages",
                f"p95 < {factor:g}x floor; p50 growth from {young[0]:,}/{young[1]:,} "
                f"< {GROWTH_FACTOR:g}x",
                f"{p95:.1f} ms p95 ({p95 / floor:.2f}x); growth {growth:.2f}x",
                p95 < factor * floor and growth < GROWTH_FACTOR,
            )
        )
        if name in KEPT:
            fresh = samples[("old", drawn)]
            results.append(
                Result(
                    f"{backend}: {name} {FRESH}",
                    "reported",
                    f"{_p95(fresh):.1f} ms p95 ({_p95(fresh) / floor:.2f}x; "
                    f"median {statistics.median(fresh):.1f})",
                    True,
                )
            )
    return results


def run() -> list[Result]:
    results = []
    for backend in BACKENDS:
        results += _measure(backend)
    return results


if __name__ == "__main__":
    if sys.argv[1:2] == ["load"]:
        print(json.dumps(load(int(sys.argv[2]))))
