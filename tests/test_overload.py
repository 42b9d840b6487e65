"""Writes under load: a write that cannot get its lock in time answers 503 with Retry-After (a
page, or the API's error shape), never 500; connections stay open across requests; and on SQLite
every write transaction takes the write lock at BEGIN, where the busy timeout applies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import close_old_connections, connection, connections
from django.db.backends.signals import connection_created
from django.db.utils import OperationalError
from django.test import Client
from psycopg import errors as psycopg_errors

from coparent.core import overload
from coparent.messaging import services as messaging_services
from coparent.messaging.models import Message
from coparent.records.models import LogEntry
from tests.cast import Cast, build_cast
from tests.messaging.helpers import open_thread

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def lock_held(table: str, column: str, value: int) -> Iterator[None]:
    """Another connection holds a write lock: the whole database on SQLite (one writer at a
    time), the matching rows on PostgreSQL. The test's own connection waits 0.2 s for it."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA busy_timeout = 200")
        else:
            cursor.execute("SET lock_timeout = '200ms'")
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            if other.vendor == "sqlite":
                cursor.execute("BEGIN IMMEDIATE")
            else:
                cursor.execute("BEGIN")
                cursor.execute(f"SELECT 1 FROM {table} WHERE {column} = %s FOR UPDATE", [value])
        yield
    finally:
        with other.cursor() as cursor:
            cursor.execute("ROLLBACK")
        other.close()
        connection.close()  # the next connection has the configured timeouts again


def browser(cast: Cast, user) -> Client:
    """A signed-in browser that has loaded a page, so it holds a CSRF cookie."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(user)
    assert client.get(f"/f/{cast.family_a.public_id}/").status_code == 200
    return client


def csrf(client: Client) -> str:
    return client.cookies["csrftoken"].value


def test_a_write_page_answers_503_with_retry_after_when_the_database_is_busy() -> None:
    cast = build_cast()
    thread = open_thread(cast)
    client = browser(cast, cast.bob)
    url = f"/f/{cast.family_a.public_id}/messages/{thread.public_id}/"
    entries = LogEntry.objects.count()
    with lock_held("records_familylog", "family_id", cast.family_a.pk):
        response = client.post(url, {"body": "Running late", "csrfmiddlewaretoken": csrf(client)})
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert "try again" in response.content.decode()
    assert LogEntry.objects.count() == entries
    assert not Message.objects.filter(body="Running late").exists()
    sent = client.post(url, {"body": "Running late", "csrfmiddlewaretoken": csrf(client)})
    assert sent.status_code == 302


def test_an_api_write_answers_503_in_the_error_shape_when_the_database_is_busy() -> None:
    cast = build_cast()
    thread = open_thread(cast)
    client = browser(cast, cast.bob)
    url = f"/api/v1/families/{cast.family_a.public_id}/threads/{thread.public_id}/messages"
    entries = LogEntry.objects.count()
    with lock_held("records_familylog", "family_id", cast.family_a.pk):
        response = client.post(
            url,
            data=json.dumps({"body": "Running late"}),
            content_type="application/json",
            HTTP_X_CSRFTOKEN=csrf(client),
        )
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    error = response.json()["error"]
    assert error["code"] == "overloaded" and "try again" in error["message"]
    assert LogEntry.objects.count() == entries


def test_a_busy_database_outside_the_view_is_a_503_too() -> None:
    """The first request of a session records when it was last seen, in a middleware, before
    any view runs."""
    cast = build_cast()
    client = Client(raise_request_exception=False)
    client.force_login(cast.bob)
    with lock_held("accounts_usersession", "user_id", cast.bob.pk):
        response = client.get(f"/f/{cast.family_a.public_id}/")
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert "try again" in response.content.decode()


def test_connections_stay_open_across_requests() -> None:
    connection.ensure_connection()
    opened = connection.connection
    close_old_connections()  # what Django does when each request starts and ends
    assert connection.connection is opened
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]


@pytest.mark.sqlite_only
def test_every_sqlite_transaction_takes_the_write_lock_when_it_begins() -> None:
    """A transaction that begins deferred, reads, and then writes cannot wait for the write lock
    (SQLite answers "database is locked" at once, whatever the busy timeout): every BEGIN of a
    sign-in, page views, a message sent from the page and through the API is IMMEDIATE."""
    cast = build_cast()
    thread = open_thread(cast)
    statements: list[str] = []

    def trace(sender: object, connection: object, **kwargs: object) -> None:
        connection.connection.set_trace_callback(statements.append)  # type: ignore[attr-defined]

    connection_created.connect(trace)
    try:
        connection.close()
        client = Client(enforce_csrf_checks=True)
        client.get("/accounts/login/")
        signed_in = client.post(
            "/accounts/login/",
            {
                "username": cast.bob.email,
                "email": cast.bob.email,
                "password": "correct horse battery staple",
                "csrfmiddlewaretoken": csrf(client),
            },
        )
        assert signed_in.status_code == 302
        family = f"/f/{cast.family_a.public_id}"
        for page in ("/", "/messages/", f"/messages/{thread.public_id}/", "/calendar/"):
            assert client.get(family + page).status_code == 200
        sent = client.post(
            f"{family}/messages/{thread.public_id}/",
            {"body": "See you at six", "csrfmiddlewaretoken": csrf(client)},
        )
        assert sent.status_code == 302
        api = client.post(
            f"/api/v1/families/{cast.family_a.public_id}/threads/{thread.public_id}/messages",
            data=json.dumps({"body": "And Sunday?"}),
            content_type="application/json",
            HTTP_X_CSRFTOKEN=csrf(client),
        )
        assert api.status_code == 201
    finally:
        connection_created.disconnect(trace)
        connection.close()
    begins = [s.strip().upper() for s in statements if s.strip().upper().startswith("BEGIN")]
    assert len(begins) >= 4  # the session writes, two messages and their receipts at least
    assert set(begins) == {"BEGIN IMMEDIATE"}


def _rolled_back(error_class: type[Exception]) -> OperationalError:
    """What Django raises when PostgreSQL aborts a transaction with `error_class`."""
    error = OperationalError(f"{error_class.__name__}")
    error.__cause__ = error_class("the transaction was rolled back")
    return error


@pytest.mark.parametrize(
    "error_class", [psycopg_errors.DeadlockDetected, psycopg_errors.SerializationFailure]
)
def test_a_deadlock_or_serialization_failure_is_a_503_too(error_class, monkeypatch) -> None:
    """PostgreSQL rolled the whole transaction back (40P01, 40001): nothing was written and the
    same request will succeed when retried."""
    assert overload.is_overload(_rolled_back(error_class))
    cast = build_cast()
    thread = open_thread(cast)
    client = browser(cast, cast.bob)

    def fail(**kwargs):
        raise _rolled_back(error_class)

    monkeypatch.setattr(messaging_services, "message_send", fail)
    page = client.post(
        f"/f/{cast.family_a.public_id}/messages/{thread.public_id}/",
        {"body": "Running late", "csrfmiddlewaretoken": csrf(client)},
    )
    api = client.post(
        f"/api/v1/families/{cast.family_a.public_id}/threads/{thread.public_id}/messages",
        data=json.dumps({"body": "Running late"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf(client),
    )
    for response in (page, api):
        assert response.status_code == 503 and response["Retry-After"].isdigit()
    assert api.json()["error"]["code"] == "overloaded"
