"""Security defaults: headers, cookies, cache control, and production settings that pass Django's
deployment checks."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.test import Client

from tests.cast import PASSWORD, Cast

pytestmark = pytest.mark.django_db


def test_pages_carry_the_security_headers(cast: Cast, client_for) -> None:
    for client, path in (
        (Client(), "/accounts/login/"),
        (client_for(cast.alice), f"/f/{cast.family_a.public_id}/"),
    ):
        response = client.get(path)
        assert response.status_code == 200
        csp = response["Content-Security-Policy"]
        assert (
            "default-src 'self'" in csp
            and "frame-ancestors 'none'" in csp
            and "unsafe-inline" not in csp
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cache-Control"] == "no-store"


def test_session_and_csrf_cookies_are_httponly_and_samesite(cast: Cast) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"email": cast.alice.email, "password": PASSWORD})
    session_cookie = response.cookies["coparent-session"]
    assert session_cookie["httponly"] and session_cookie["samesite"] == "Lax"
    csrf = Client().get("/accounts/login/").cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"


def test_sign_in_rotates_the_session_id(cast: Cast) -> None:
    client = Client()
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    client.post("/accounts/login/", {"email": cast.alice.email, "password": PASSWORD})
    assert client.session.session_key != before


def run_coparent(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coparent.cli", *args],
        env={**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION = {
    "COPARENT_ENV": "production",
    "ALLOWED_HOSTS": "coparent.example.org",
    "SITE_URL": "https://coparent.example.org",
    "TRUSTED_PROXIES": "127.0.0.1",
    "DJANGO_SETTINGS_MODULE": "coparent.settings",
}


def test_production_settings_pass_the_deployment_checks(tmp_path) -> None:
    env = {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(64), "COPARENT_VAR_DIR": str(tmp_path)}
    result = run_coparent("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_with_the_default_secret_key(tmp_path) -> None:
    env = {**PRODUCTION, "SECRET_KEY": "short", "COPARENT_VAR_DIR": str(tmp_path)}
    result = run_coparent("check", env=env)
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr
