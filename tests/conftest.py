from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.test import Client
from time_machine import TimeMachineFixture

from tests.cast import Cast, build_cast
from tests.push.fake_push_service import FakePushService
from tests.push.fake_push_service import running as running_push_service

# Every test runs at one instant, never at the real date: a Wednesday mid-morning in Chicago,
# mid-month, far from DST changes and the year's end. COPARENT_TEST_NOW (ISO 8601 with a UTC
# offset) moves the whole suite, e.g. to a Sunday evening or a DST change.
DEFAULT_TEST_NOW = "2026-06-17T15:00:00+00:00"


def suite_now() -> dt.datetime:
    """The instant every test starts at: COPARENT_TEST_NOW, or the default."""
    text = os.environ.get("COPARENT_TEST_NOW", "").strip() or DEFAULT_TEST_NOW
    try:
        instant = dt.datetime.fromisoformat(text)
    except ValueError:
        raise pytest.UsageError(
            f"COPARENT_TEST_NOW={text!r} is not an ISO 8601 date and time, "
            "e.g. 2026-11-29T19:30:00-06:00"
        ) from None
    if instant.utcoffset() is None:
        raise pytest.UsageError(
            f"COPARENT_TEST_NOW={text!r} has no UTC offset (add -06:00, Z, ...): "
            "the instant must not depend on the machine's zone"
        )
    return instant.astimezone(dt.UTC)


def pytest_configure(config: pytest.Config) -> None:
    suite_now()  # a bad COPARENT_TEST_NOW stops the run at once, not in every test


def pytest_report_header(config: pytest.Config) -> str:
    return f"clock: every test starts at {suite_now().isoformat()} (COPARENT_TEST_NOW)"


@pytest.fixture(autouse=True)
def _frozen_clock(
    request: pytest.FixtureRequest, time_machine: TimeMachineFixture
) -> TimeMachineFixture:
    """Puts each test at the suite's instant. The clock ticks on from there, so timeouts, waits,
    session and token ages and throttle windows behave as they do in life; a test that needs
    time to stand still or jump uses the same `time_machine` fixture (move_to with tick=False,
    shift) or travels inside it. Only Python's wall clock is moved (the live server's thread
    too): time.monotonic, subprocesses, the database's clock and Chromium's stay real. Nothing
    in the app asks the database for the date, no page script reads the browser's, and Django's
    cookies carry Max-Age, which Chromium prefers to an Expires date in its past or future."""
    if request.node.get_closest_marker("time_machine") is None:
        time_machine.move_to(suite_now().timestamp(), tick=True)
    return time_machine


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """A test that renders in Spanish (or calls a service in someone's language) leaves that
    language active for its thread; the next test on that worker would read Spanish messages.
    Each test starts in the default language."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Sign-in throttling lives in the cache; Redis, unlike the database cache, outlives a test,
    and so does each process's memory cache."""
    from django.conf import settings
    from django.core.cache import cache, caches

    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        cache.clear()
    # Keys there name rows by primary key, which the next test's rows reuse.
    caches["local"].clear()
    caches["pages"].clear()


@pytest.fixture(autouse=True)
def _append_only_guard(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests that commit (transactional_db) empty every table afterwards, which the family
    record's triggers refuse while their guard row exists: put the guard in place for the test,
    take it away just before the database is emptied."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (marker is not None and marker.kwargs.get("transaction", False))
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    from coparent.records.models import AppendOnlyGuard

    if not AppendOnlyGuard.objects.exists():
        AppendOnlyGuard.objects.create(note="Log rows are append-only while this row exists.")
    yield
    AppendOnlyGuard.objects.all().delete()


@pytest.fixture
def django_capture_on_commit_callbacks():
    """pytest-django's fixture, but with execute=True the callbacks run once (they are taken off
    the list, as a commit does) and the worker then runs what they queued (emails), as it would
    right after the commit: tests read mail.outbox afterwards."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.test import TestCase

    from tests.tasks import run_tasks

    @contextmanager
    def capture(*, using: str = DEFAULT_DB_ALIAS, execute: bool = False) -> Iterator[list]:
        start = len(connections[using].run_on_commit)
        with TestCase.captureOnCommitCallbacks(using=using, execute=execute) as callbacks:
            yield callbacks
        if execute:
            del connections[using].run_on_commit[start:]
            run_tasks()

    return capture


@pytest.fixture
def cast(db: None) -> Cast:
    return build_cast()


@pytest.fixture
def client_for(db: None):
    """A logged-in test client for a cast member (force_login skips the password and 2FA steps).

    It enforces CSRF, as a real server does, and sends the token like the pages' htmx does (an
    X-CSRFToken header beside the csrftoken cookie): a form or API write that forgot its token
    fails here instead of only in a browser."""
    from django.conf import settings
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils.crypto import get_random_string

    def make(user) -> Client:
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        token = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
        client.cookies[settings.CSRF_COOKIE_NAME] = token
        client.defaults["HTTP_X_CSRFTOKEN"] = token
        return client

    return make


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`postgres_only` and `sqlite_only` tests are left out (deselected, not skipped) on the
    other database: they exercise one database's own locking."""
    from django.conf import settings

    other = (
        "sqlite_only"
        if "postgresql" in settings.DATABASES["default"]["ENGINE"]
        else "postgres_only"
    )
    kept = [item for item in items if item.get_closest_marker(other) is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """On CI a skipped test is a failure: a skipped browser or PostgreSQL test hides a gap."""
    if os.environ.get("CI", "").lower() != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(
            f"CI=true: {len(skipped)} test(s) were skipped, which CI counts as failure.", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def push_service() -> Iterator[FakePushService]:
    """A push service on localhost that checks VAPID and keeps what it received."""
    yield from running_push_service()
