"""Two app servers (real gunicorn processes) in front of one database and one cache, and a
browser that alternates between them as behind a load balancer: whatever one server knows about
a person (their session, their CSRF token, their failed sign-ins, their rate limits) the other
knows too, because it lives in the database or the cache, never in a process."""

from __future__ import annotations

import pytest

from tests.cast import PASSWORD, build_cast
from tests.scale.processes import Browser, app_servers

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def servers(django_db_setup, tmp_path_factory):
    """Started once for the module: they keep nothing between tests but the database (emptied
    after each test) and the cache (cleared before each)."""
    with app_servers(2, tmp_path_factory.mktemp("servers")) as bases:
        yield bases


def test_a_session_made_on_one_server_works_on_the_other(servers):
    cast = build_cast()
    a, b = servers
    browser = Browser(servers)
    form = browser.get("/accounts/login/", server=a)
    signed_in = browser.post(
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": form.csrf_token(),
            "email": "alice@example.test",
            "password": PASSWORD,
        },
        server=b,
    )
    assert signed_in.status == 302  # A's CSRF token was good on B, and B signed alice in
    family = f"/f/{cast.family_a.public_id}/"
    for server in (a, b, a, b):
        page = browser.get(family, server=server)
        assert page.status == 200, server
        assert "Family A" in page.body
    signed_out = browser.post(
        "/accounts/logout/",
        {"csrfmiddlewaretoken": browser.get(family, server=a).csrf_token()},
        server=b,
    )
    assert signed_out.status == 302
    assert browser.get(family, server=a).status == 302  # signed out on B is signed out on A


def test_a_csrf_token_from_one_server_is_accepted_by_the_other_and_a_forged_one_by_neither(servers):
    build_cast()
    a, b = servers
    browser = Browser(servers)
    token = browser.get("/accounts/login/", server=a).csrf_token()
    credentials = {"email": "bob@example.test", "password": PASSWORD}
    forged = browser.post(
        "/accounts/login/", {"csrfmiddlewaretoken": "x" * 64, **credentials}, server=b
    )
    assert forged.status == 403
    forged = browser.post(
        "/accounts/login/", {"csrfmiddlewaretoken": "x" * 64, **credentials}, server=a
    )
    assert forged.status == 403
    accepted = browser.post(
        "/accounts/login/", {"csrfmiddlewaretoken": token, **credentials}, server=b
    )
    assert accepted.status == 302


def test_failed_sign_ins_are_counted_on_both_servers_together(servers, settings):
    build_cast()
    browser = Browser(servers)
    token = browser.get("/accounts/login/").csrf_token()
    wrong = {"csrfmiddlewaretoken": token, "email": "alice@example.test", "password": "wrong"}
    answers = [
        browser.post("/accounts/login/", wrong)
        for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS)
    ]
    assert [r.status for r in answers] == [200] * len(answers)
    assert {r.server for r in answers} == set(servers)  # both servers counted some of them
    for server in servers:
        refused = browser.post("/accounts/login/", wrong, server=server)
        assert refused.status == 429, server
        assert int(refused.headers["Retry-After"]) > 0
    # Throttled on both, even with the right password.
    right = {**wrong, "password": PASSWORD}
    assert {browser.post("/accounts/login/", right, server=s).status for s in servers} == {429}


def test_a_rate_limit_counts_requests_on_both_servers_together(servers, settings):
    browser = Browser(servers)
    token = browser.get("/accounts/password-reset/").csrf_token()
    limit = settings.ACCOUNT_EMAILS_PER_CLIENT
    answers = [
        browser.post(
            "/accounts/password-reset/",
            {"csrfmiddlewaretoken": token, "email": f"someone{n}@example.test"},
        )
        for n in range(limit)
    ]
    assert [r.status for r in answers] == [302] * limit
    assert {r.server for r in answers} == set(servers)
    for server in servers:
        refused = browser.post(
            "/accounts/password-reset/",
            {"csrfmiddlewaretoken": token, "email": "one-more@example.test"},
            server=server,
        )
        assert refused.status == 429, server
