from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.test import Client

from tests.cast import Cast, build_cast


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Sign-in throttling lives in the cache; Redis, unlike the database cache, outlives a test."""
    from django.conf import settings
    from django.core.cache import cache

    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        cache.clear()


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
def cast(db: None) -> Cast:
    return build_cast()


@pytest.fixture
def client_for(db: None):
    """A logged-in test client for a cast member (force_login skips the password and 2FA steps)."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
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
