from __future__ import annotations

import os

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
