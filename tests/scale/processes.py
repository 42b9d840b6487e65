"""Real app servers (gunicorn) and workers (`coparent worker`) for the scale-out tests, on ports
picked at run time, against the test database; and a browser-like client for them. Every process
is stopped when its block ends, whether the test passed or not."""

from __future__ import annotations

import http.cookiejar
import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url(settings_dict: dict[str, Any] | None = None, name: str | None = None) -> str:
    """A postgres:// URL for the test database this process uses (or another on its server)."""
    d = settings_dict or connection.settings_dict
    user = urllib.parse.quote(d.get("USER") or "")
    password = urllib.parse.quote(d.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    where = f"{d.get('HOST') or '127.0.0.1'}:{d.get('PORT') or 5432}"
    return f"postgres://{auth}{where}/{name or d['NAME']}"


def environment(var_dir: Path, **extra: str) -> dict[str, str]:
    """What every process gets: the test database, Redis when the suite has it, one secret key,
    and this test run's signing keys, so a record written by a server verifies here."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.scale.server_settings",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url(),
        "SECRET_KEY": "scale-out-test-" + "k" * 50,
        "DEBUG": "0",
        "COPARENT_VAR_DIR": str(var_dir),
        "COPARENT_RECORD_KEY_FILE": str(settings.RECORD_SIGNING_KEY_FILE),
        "COPARENT_RECORD_CHECKPOINT_DIR": str(settings.RECORD_CHECKPOINT_DIR),
        "COPARENT_PASS_KEY_FILE": str(settings.PASS_SIGNING_KEY_FILE),
        "COPARENT_PUSH_KEY_FILE": str(settings.PUSH_VAPID_KEY_FILE),
        "TEST_CACHE_PREFIX": settings.TEST_CACHE_PREFIX,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DATABASE_REPLICA_URLS", None)
    env.update(extra)
    return env


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"--- {self.name} ({self.log}) ---\n" + "\n".join(text.splitlines()[-lines:])


def _stop(process: Process) -> None:
    """SIGTERM to the process group (gunicorn's workers too), then SIGKILL if it lingers."""
    if process.popen.poll() is None:
        try:
            os.killpg(process.popen.pid, signal.SIGTERM)
            process.popen.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.popen.pid, signal.SIGKILL)
            process.popen.wait(timeout=5)


@contextmanager
def started(
    name: str, command: Sequence[str], env: dict[str, str], var_dir: Path
) -> Iterator[Process]:
    log = var_dir / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(
            list(command),
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one
        )
    process = Process(name, popen, log)
    try:
        yield process
    finally:
        _stop(process)


def wait_until_up(base: str, process: Process, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise AssertionError(f"{process.name} stopped before answering\n{process.tail()}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{process.name} did not answer within {seconds:.0f} s\n{process.tail()}")


@contextmanager
def app_servers(count: int, var_dir: Path, **extra_env: str) -> Iterator[list[str]]:
    """`count` gunicorn servers (one sync worker each) on free ports; their base URLs."""
    with ExitStack() as stack:
        bases = []
        for n in range(count):
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            env = environment(var_dir, SITE_URL=base, **extra_env)
            command = [
                str(BIN / "gunicorn"),
                "coparent.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--graceful-timeout",
                "5",
            ]
            process = stack.enter_context(started(f"server-{n}", command, env, var_dir))
            wait_until_up(base, process)
            bases.append(base)
        yield bases


@contextmanager
def workers(count: int, var_dir: Path) -> Iterator[list[Process]]:
    with ExitStack() as stack:
        env = environment(var_dir)
        processes = [
            stack.enter_context(
                started(
                    f"worker-{n}",
                    [
                        str(BIN / "coparent"),
                        "worker",
                        "--interval",
                        "0.05",
                        "--no-scheduler",
                        "--worker-id",
                        f"worker-{n}",
                    ],
                    env,
                    var_dir,
                )
            )
            for n in range(count)
        ]
        yield processes


@dataclass
class Reply:
    status: int
    body: str
    headers: Any
    server: str

    def csrf_token(self) -> str:
        found = CSRF_FIELD.search(self.body)
        assert found, f"no CSRF field in the page from {self.server}"
        return found.group(1)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 302 is an answer to look at, not to follow


class Browser:
    """One person's browser behind a load balancer: one cookie jar, each request to the next
    server in turn (cookies are per host, not per port, so every server sees the same ones)."""

    def __init__(self, servers: Sequence[str]) -> None:
        self.servers = list(servers)
        self._turn = itertools.cycle(self.servers)
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def request(
        self,
        method: str,
        path: str,
        data: dict[str, str] | None = None,
        *,
        server: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        base = server or next(self._turn)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(
            base + path, data=body, method=method, headers=headers or {}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return Reply(response.status, response.read().decode(), response.headers, base)
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode(errors="replace"), error.headers, base)

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict[str, str], **kwargs: Any) -> Reply:
        return self.request("POST", path, data, **kwargs)

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def sign_in(self, email: str, password: str) -> None:
        form = self.get("/accounts/login/")
        signed_in = self.post(
            "/accounts/login/",
            {"csrfmiddlewaretoken": form.csrf_token(), "email": email, "password": password},
        )
        assert signed_in.status == 302, f"sign-in answered {signed_in.status} on {signed_in.server}"
