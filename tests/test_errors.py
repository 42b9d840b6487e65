"""Errors leave a trace: a request id on every response, one JSON log line per server error
(with no query string, body, cookie or token in it), and under /api/v1/ every error, from an
operation or from Django itself, in the API's one error shape."""

from __future__ import annotations

import json
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.test import Client, override_settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from coparent.accounts.models import ApiToken
from coparent.accounts.services import api_token_create
from coparent.core.middleware import UserTimezoneMiddleware
from coparent.families import selectors, services
from tests.cast import Cast

pytestmark = pytest.mark.django_db

GENERATED_ID = re.compile(r"[0-9a-f]{32}")
SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def crash(*args: object, **kwargs: object) -> None:
    raise RuntimeError("the selector broke")


def error_lines(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]


def assert_error_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    error = response.json()["error"]
    assert error["code"] == code and error["message"], error
    return error


def test_every_response_carries_a_request_id(db: None) -> None:
    first, second = Client().get("/healthz"), Client().get("/accounts/login/")
    assert GENERATED_ID.fullmatch(first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert Client().get("/nowhere/")["X-Request-ID"]

    with override_settings(TRUSTED_PROXIES=["127.0.0.1"]):  # the test client's address
        kept = Client(HTTP_X_REQUEST_ID="edge-7f3a.92_c1").get("/healthz")
        assert kept["X-Request-ID"] == "edge-7f3a.92_c1"
        for unsafe in ("x" * 65, "short", "id with spaces", 'id"><script>', "ab\u00e9cdefgh"):
            replaced = Client(HTTP_X_REQUEST_ID=unsafe).get("/healthz")["X-Request-ID"]
            assert GENERATED_ID.fullmatch(replaced), unsafe


def test_only_our_proxies_may_name_the_request_id(db: None) -> None:
    """Anyone else could reuse the id a parent reported and mix their log lines with hers."""
    direct = Client(HTTP_X_REQUEST_ID="edge-7f3a.92_c1").get("/healthz")["X-Request-ID"]
    assert GENERATED_ID.fullmatch(direct)
    with override_settings(TRUSTED_PROXIES=["10.0.0.0/24"]):
        other = Client(HTTP_X_REQUEST_ID="edge-7f3a.92_c1").get("/healthz")["X-Request-ID"]
        assert GENERATED_ID.fullmatch(other)


@hypothesis_settings(max_examples=60, deadline=None)
@given(incoming=st.one_of(st.text(max_size=80), st.from_regex(SAFE_ID, fullmatch=True)))
def test_an_incoming_request_id_is_kept_only_when_short_and_plain(incoming: str) -> None:
    with override_settings(TRUSTED_PROXIES=["127.0.0.1"]):
        answered = Client(HTTP_X_REQUEST_ID=incoming).get("/healthz")["X-Request-ID"]
    if SAFE_ID.fullmatch(incoming):
        assert answered == incoming
    else:
        assert GENERATED_ID.fullmatch(answered)


def test_an_api_crash_is_one_log_line_and_a_json_500(
    cast: Cast, settings, monkeypatch, capsys
) -> None:
    settings.DEBUG = False
    _token, secret = api_token_create(user=cast.alice, name="script", scope=ApiToken.READ)
    monkeypatch.setattr(selectors, "family_list_for_user", crash)
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.cookies["coparent-session"] = "cookie-value-never-logged"
    capsys.readouterr()

    response = client.get("/api/v1/families?q=a+private+search")

    error = assert_error_shape(response, 500, "server_error")
    request_id = response["X-Request-ID"]
    assert request_id in error["message"]
    [line] = error_lines(capsys)
    assert line["level"] == "ERROR" and line["logger"] == "django.request"
    assert line["request_id"] == request_id
    assert (line["method"], line["path"], line["status"]) == ("GET", "/api/v1/families", 500)
    assert line["exception"] == "RuntimeError"
    assert line["exception_message"] == "the selector broke"
    assert "in crash" in line["traceback"] and line["traceback"].endswith("the selector broke")
    text = json.dumps(line)
    for private in ("private", secret, "cookie-value-never-logged"):
        assert private not in text


def test_an_api_crash_is_json_with_debug_on_too(cast: Cast, settings, monkeypatch) -> None:
    settings.DEBUG = True
    monkeypatch.setattr(selectors, "family_list_for_user", crash)
    client = Client(raise_request_exception=False)
    client.force_login(cast.alice)
    assert_error_shape(client.get("/api/v1/families"), 500, "server_error")
    assert_error_shape(client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_a_page_crash_shows_the_request_id_and_logs_it(
    cast: Cast, settings, monkeypatch, capsys
) -> None:
    settings.DEBUG = False
    monkeypatch.setattr(selectors, "family_list_for_user", crash)
    client = Client(raise_request_exception=False)
    client.force_login(cast.alice)
    capsys.readouterr()

    response = client.get("/")

    assert response.status_code == 500 and response["Content-Type"].startswith("text/html")
    assert response["X-Request-ID"] in response.content.decode()
    [line] = error_lines(capsys)
    assert (line["request_id"], line["path"]) == (response["X-Request-ID"], "/")


def test_a_database_error_is_logged_without_the_row_it_quotes(
    cast: Cast, settings, monkeypatch, capsys
) -> None:
    settings.DEBUG = False
    _token, secret = api_token_create(user=cast.alice, name="script", scope=ApiToken.READ)

    def duplicate(*args: object, **kwargs: object) -> None:
        raise IntegrityError(
            'duplicate key value violates unique constraint "accounts_user_email_key"\n'
            "DETAIL:  Key (email)=(someone.private@example.test) already exists."
        )

    monkeypatch.setattr(selectors, "family_list_for_user", duplicate)
    capsys.readouterr()
    response = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {secret}").get(
        "/api/v1/families"
    )

    assert_error_shape(response, 500, "server_error")
    [line] = error_lines(capsys)
    assert line["exception_message"].startswith("duplicate key value violates unique constraint")
    assert line["traceback"].endswith('"accounts_user_email_key"')
    assert "someone.private" not in json.dumps(line)


def test_secret_links_are_blanked_in_the_log(cast: Cast, settings, monkeypatch, capsys) -> None:
    settings.DEBUG = False
    _invitation, token = services.invitation_create(
        family=cast.family_a, actor=cast.alice, role="caregiver"
    )

    def broken_lookup(looked_up: str) -> None:
        raise RuntimeError(f"no invitation {looked_up}")

    monkeypatch.setattr(services, "invitation_by_token", broken_lookup)
    capsys.readouterr()
    response = Client(raise_request_exception=False).get(f"/invite/{token}/")

    assert response.status_code == 500
    [line] = error_lines(capsys)
    assert line["path"] == "/invite/[redacted]/"
    assert line["exception_message"] == "no invitation [redacted]"
    assert token not in json.dumps(line)


def test_a_crashing_middleware_still_answers_json_under_the_api(
    cast: Cast, settings, monkeypatch, capsys
) -> None:
    settings.DEBUG = False
    monkeypatch.setattr(UserTimezoneMiddleware, "__call__", crash)
    client = Client(raise_request_exception=False)
    capsys.readouterr()

    api = client.get("/api/v1/me")
    error = assert_error_shape(api, 500, "server_error")
    assert api["X-Request-ID"] in error["message"]
    page = client.get("/accounts/login/")
    assert page.status_code == 500 and page["X-Request-ID"] in page.content.decode()
    lines = error_lines(capsys)
    assert [line["request_id"] for line in lines] == [api["X-Request-ID"], page["X-Request-ID"]]

    def refuse(*args: object) -> None:
        raise PermissionDenied

    monkeypatch.setattr(UserTimezoneMiddleware, "__call__", refuse)
    assert_error_shape(client.get("/api/v1/me"), 403, "forbidden")


def test_oversized_bodies_are_413(cast: Cast, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.alice)

    too_big = client.post(
        f"/api/v1/families/{cast.family_a.public_id}/children",
        data=json.dumps({"first_name": "x" * 3000, "date_of_birth": "2020-01-01"}),
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer "
        + api_token_create(user=cast.alice, name="s", scope=ApiToken.READ_WRITE)[1],
    )
    error = assert_error_shape(too_big, 413, "too_large")
    assert "2000" in error["message"]

    page = Client().post("/accounts/login/", {"email": "a@example.test", "password": "x" * 3000})
    assert page.status_code == 413 and page["Content-Type"].startswith("text/html")
    assert b"too large" in page.content


def test_django_level_errors_under_the_api_are_in_the_error_shape(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.alice)

    assert_error_shape(client.get("/api/v1/no-such-thing"), 404, "not_found")
    assert_error_shape(client.post("/api/v1/no-such-thing"), 404, "not_found")
    not_allowed = client.delete("/api/v1/families")
    assert_error_shape(not_allowed, 405, "method_not_allowed")
    assert set(not_allowed["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    assert_error_shape(Client(HTTP_HOST="evil.example").get("/api/v1/me"), 400, "bad_request")

    # Outside the API, pages keep their HTML.
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_an_unreadable_body_is_a_400_in_the_error_shape(cast: Cast) -> None:
    from coparent.messaging.services import thread_create

    thread = thread_create(family=cast.family_a, actor=cast.alice, subject="Files", body="Here")
    _token, secret = api_token_create(user=cast.alice, name="s", scope=ApiToken.READ_WRITE)
    broken = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").post(
        f"/api/v1/families/{cast.family_a.public_id}/threads/{thread.public_id}/attachments",
        data="--nothing--",
        content_type="multipart/form-data",
    )
    assert_error_shape(broken, 400, "bad_request")
