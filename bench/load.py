"""A load run: 50 parents at once against gunicorn and PostgreSQL, a mixed workload.

Twenty-five families of two parents each (an agreed schedule with an exchange an hour ago, a
conversation, an expense) in a fresh PostgreSQL database. Each parent signs in, then makes a
fixed number of requests one after another, each picked at random from what parents do most:
the family home, the month calendar, the conversation, the new-messages poll, sending a message,
checking in at the exchange and the money ledger. Every request is timed from the client;
anything but the page or redirect the request expects (a 4xx, a 5xx, a 503 under load, a
dropped connection) is an error. Bounded by request count, not time.

PostgreSQL: BENCH_POSTGRES_URL, else DATABASE_URL when it is postgres://, else the local
server's postgres database; a database of its own is created there and dropped afterwards.
Redis (BENCH_REDIS_URL, else REDIS_URL) is used for the cache when set.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import Result

PARENTS = 50
REQUESTS_PER_PARENT = int(os.environ.get("BENCH_LOAD_REQUESTS_PER_PARENT", "40"))
GUNICORN_WORKERS = 2
GUNICORN_THREADS = 4
PASSWORD = "load-run-password-2026"
BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent

# What a parent does, and how often (weights).
WORKLOAD = {
    "home": 20,
    "calendar": 15,
    "conversation": 15,
    "poll": 20,
    "send": 10,
    "check-in": 5,
    "ledger": 15,
}

SEED = """
import datetime as dt, json
from decimal import Decimal
from django.utils import timezone
from coparent.accounts.models import User
from coparent.expenses import services as expenses
from coparent.families import services as families
from coparent.families.models import Role
from coparent.messaging import services as messaging
from coparent.schedule import services as schedule

now = timezone.now()
exchange = (now - dt.timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
out = []
for n in range(FAMILIES):
    a, b = (
        User.objects.create_user(
            f"parent{n}{side}@load.test", PASSWORD, display_name=f"Parent {n}{side.upper()}",
            timezone="UTC", email_verified=True,
        )
        for side in "ab"
    )
    family = families.family_create(actor=a, name=f"Load family {n}")
    families.child_add(family=family, actor=a, first_name="Kit", date_of_birth=dt.date(2017, 5, 1))
    _invitation, token = families.invitation_create(family=family, actor=a, role=Role.PARENT)
    families.invitation_accept(token=token, user=b)
    spec = {
        "timezone": "UTC",
        "parents": ["A", "B"],
        "rotation": {
            "pattern": "AB",
            "anchor": (exchange.date() - dt.timedelta(days=30)).isoformat(),
            "first": "A",
            "exchange_time": f"{exchange.hour:02d}:00",
        },
    }
    version = schedule.schedule_propose(family=family, actor=a, spec=spec)
    plan = schedule.schedule_accept(family=family, actor=b, version=version).plan
    thread = messaging.thread_create(
        family=family, actor=a, subject="This week", body="Here is the plan for this week."
    )
    for i in range(30):
        messaging.message_send(
            family=family, actor=(b, a)[i % 2], thread=thread, body=f"Noted, thank you ({i})."
        )
    expenses.expense_create(
        family=family, actor=a, description="School books", category="education",
        amount=Decimal("42.00"), currency="USD", date=now.date(),
    )
    out.append({
        "family": str(family.public_id), "thread": str(thread.public_id),
        "plan": str(plan.public_id), "exchange": int(exchange.timestamp()),
        "parents": [a.email, b.email],
    })
print(json.dumps(out))
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _admin_url() -> str:
    url = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgres") else "postgres://postgres@127.0.0.1:5432/postgres"


def _with_database(url: str, name: str) -> str:
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path=f"/{name}"))


def _admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Parent:
    base: str
    email: str
    family: dict[str, object]
    rng: random.Random
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)
    csrf: str = ""
    cursor: str = ""

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def call(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, ""

    def sign_in(self) -> None:
        status, page = self.call("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert status == 200 and token, f"login page answered {status}"
        status, _page = self.call(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token.group(1), "email": self.email, "password": PASSWORD},
        )
        assert status == 302, f"sign-in of {self.email} answered {status}"
        self.conversation()  # the token rotates at sign-in: take the new one from a page

    def _family_path(self, rest: str = "") -> str:
        return f"/f/{self.family['family']}/{rest}"

    def conversation(self) -> int:
        status, page = self.call(self._family_path(f"messages/{self.family['thread']}/"))
        if token := re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page):
            self.csrf = token.group(1)
        if cursor := re.search(r"poll/\?after=(\d+)", page):
            self.cursor = cursor.group(1)
        return status

    def act(self, kind: str) -> tuple[int, set[int]]:
        """One request of `kind`: (its status, the statuses that count as success)."""
        thread = self._family_path(f"messages/{self.family['thread']}/")
        if kind == "home":
            return self.call(self._family_path())[0], {200}
        if kind == "calendar":
            return self.call(self._family_path("calendar/"))[0], {200}
        if kind == "conversation":
            return self.conversation(), {200}
        if kind == "poll":
            return self.call(f"{thread}poll/?after={self.cursor}")[0], {200, 204}
        if kind == "send":
            body = f"Pickup at six works for me ({self.rng.randrange(10**6)})."
            return self.call(thread, {"csrfmiddlewaretoken": self.csrf, "body": body})[0], {302}
        if kind == "check-in":
            path = self._family_path(
                f"exchanges/{self.family['plan']}/{self.family['exchange']}/check-in/"
            )
            return self.call(path, {"csrfmiddlewaretoken": self.csrf, "kind": "arrived"})[0], {302}
        if kind == "ledger":
            return self.call(self._family_path("expenses/"))[0], {200}
        raise ValueError(kind)


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _drive(parents: list[Parent]) -> tuple[dict[str, list[float]], list[str], float]:
    timings: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(parents) + 1)
    kinds, weights = list(WORKLOAD), list(WORKLOAD.values())

    def run(parent: Parent) -> None:
        barrier.wait()
        for _ in range(REQUESTS_PER_PARENT):
            kind = parent.rng.choices(kinds, weights)[0]
            start = time.perf_counter()
            try:
                status, expected = parent.act(kind)
            except OSError as error:
                status, expected = -1, {0}
                detail = type(error).__name__
            else:
                detail = str(status)
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                timings[kind].append(elapsed)
                if status not in expected:
                    errors.append(f"{kind}: {detail}")

    threads = [threading.Thread(target=run, args=(p,)) for p in parents]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return timings, errors, time.perf_counter() - start


def run() -> list[Result]:
    admin_url = _admin_url()
    name = f"coparent_bench_load_{os.getpid()}"
    families = PARENTS // 2
    try:
        _admin(admin_url, f'CREATE DATABASE "{name}"')
    except Exception as error:  # no PostgreSQL here: say so in the table rather than crash
        return [
            Result(
                "load run (50 parents, gunicorn + PostgreSQL)",
                "0 errors",
                f"not run: PostgreSQL unreachable ({type(error).__name__})",
                False,
            )
        ]
    var = Path(tempfile.mkdtemp(prefix="coparent-load-"))
    server = None
    log = None
    try:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "coparent.settings",
            "DATABASE_URL": _with_database(admin_url, name),
            "COPARENT_VAR_DIR": str(var),
            "DEBUG": "0",
            "SECRET_KEY": "load-run-" + "k" * 50,
            "SITE_URL": base,
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("DATABASE_REPLICA_URLS", None)
        redis = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL")
        if redis:
            env["REDIS_URL"] = redis
        else:
            env.pop("REDIS_URL", None)
        coparent = str(BIN / "coparent")
        for step in (["migrate", "--noinput"], ["createcachetable"]):
            subprocess.run([coparent, *step], env=env, check=True, stdout=subprocess.DEVNULL)
        script = f"FAMILIES = {families}\nPASSWORD = {PASSWORD!r}\n{SEED}"
        seeded = subprocess.run(
            [coparent, "shell", "-c", script], env=env, check=True, capture_output=True, text=True
        )
        layout = json.loads(seeded.stdout.strip().splitlines()[-1])
        log = (var / "gunicorn.log").open("wb")
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "coparent.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(GUNICORN_WORKERS),
                "--threads",
                str(GUNICORN_THREADS),
                "--backlog",
                "256",
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _wait_until_up(base, server)
        parents = [
            Parent(base, email, family, random.Random(f"{email}"))
            for family in layout
            for email in family["parents"]
        ]
        for parent in parents:
            parent.sign_in()
        timings, errors, seconds = _drive(parents)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        if log is not None:
            log.close()
        shutil.rmtree(var, ignore_errors=True)
        _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    every = [ms for samples in timings.values() for ms in samples]
    setup = (
        f"{PARENTS} parents x {REQUESTS_PER_PARENT} requests, no pause between them; gunicorn "
        f"{GUNICORN_WORKERS} workers x {GUNICORN_THREADS} threads; PostgreSQL"
        + (" + Redis" if redis else "")
    )
    shown = ", ".join(sorted(set(errors))[:5])
    results = [
        Result(
            f"errors ({setup})",
            "0",
            f"{len(errors)} of {len(every)}" + (f" ({shown})" if errors else ""),
            not errors,
        ),
        Result(
            "throughput",
            "reported",
            f"{len(every) / seconds:.1f} requests/s ({len(every)} in {seconds:.1f} s)",
            True,
        ),
        Result(
            "latency, every request (client side, queueing included)",
            "reported",
            f"p95 {_percentile(every, 0.95):.0f} ms (median {statistics.median(every):.0f})",
            True,
        ),
    ]
    for kind in WORKLOAD:
        samples = timings.get(kind, [])
        if samples:
            results.append(
                Result(
                    f"latency, {kind} ({len(samples)} requests)",
                    "reported",
                    f"p95 {_percentile(samples, 0.95):.0f} ms "
                    f"(median {statistics.median(samples):.0f})",
                    True,
                )
            )
    return results


def _wait_until_up(base: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped before answering (exit {server.returncode})")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer within {seconds:.0f} s")
