"""Emails and absolute links: plain text that is not HTML-escaped, a mail server that cannot hang
a request, and links that come from SITE_URL whatever Host header a request carries."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from coparent.accounts.models import ApiToken
from coparent.accounts.services import api_token_create
from coparent.families import services as family_services
from coparent.families.models import Role
from tests.cast import Cast
from tests.tasks import committing, sent_mail
from tests.test_security import run_coparent

pytestmark = pytest.mark.django_db

HOSTILE_NAME = "Siobhán O'Neil & Co <script>"
SITE = "https://coparent.example.org"


def form_post(client: Client, path: str, data: dict[str, str], **extra: str):
    """Post a form the way a browser does: with the CSRF token from the page itself."""
    page = client.get(path, **extra).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return client.post(path, {"csrfmiddlewaretoken": token, **data}, **extra)


def test_names_reach_plain_text_emails_as_typed(
    cast: Cast, client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = form_post(
            Client(enforce_csrf_checks=True),
            "/accounts/signup/",
            {
                "display_name": HOSTILE_NAME,
                "email": "siobhan@example.test",
                "password": "a perfectly fine passphrase",
                "timezone": "Europe/Dublin",
            },
        )
    assert response.status_code == 302
    (confirm,) = mail.outbox
    assert f"Hello {HOSTILE_NAME}," in confirm.body
    assert (
        "&#x27;" not in confirm.body and "&amp;" not in confirm.body and "&lt;" not in confirm.body
    )

    cast.alice.display_name = HOSTILE_NAME
    cast.alice.save(update_fields=["display_name"])
    with django_capture_on_commit_callbacks(execute=True):
        family_services.invitation_create(
            family=cast.family_a, actor=cast.alice, role=Role.CAREGIVER, email="aunt@example.test"
        )
    invitation = mail.outbox[-1]
    assert invitation.subject == f"{HOSTILE_NAME} invited you to coparent"
    assert f"{HOSTILE_NAME} invited you to join" in invitation.body


def last_line(result) -> str:
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr


def test_the_smtp_mailer_has_a_timeout_from_the_environment(tmp_path) -> None:
    show = "from django.core.mail import mailers; print(mailers['default'].timeout)"
    env = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "COPARENT_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "coparent.settings",
    }
    default = run_coparent("shell", "-c", show, env=env)
    assert last_line(default) == "10.0"
    chosen = run_coparent("shell", "-c", show, env={**env, "EMAIL_TIMEOUT": "3"})
    assert last_line(chosen) == "3.0"


def test_in_development_site_url_follows_the_port(tmp_path) -> None:
    show = "from django.conf import settings; print(settings.SITE_URL)"
    env = {"COPARENT_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "coparent.settings"}
    result = run_coparent("shell", "-c", show, env={**env, "PORT": "9000", "SITE_URL": ""})
    assert last_line(result) == "http://127.0.0.1:9000"


@pytest.fixture
def forged_host(settings) -> dict[str, str]:
    """The server answers to a second name (a typical misconfiguration) and someone sends that
    name: links must still point at SITE_URL."""
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    return {"HTTP_HOST": "evil.example"}


def test_the_password_reset_link_comes_from_site_url(cast: Cast, forged_host) -> None:
    with committing():
        response = form_post(
            Client(enforce_csrf_checks=True),
            "/accounts/password-reset/",
            {"email": cast.alice.email},
            **forged_host,
        )
    assert response.status_code == 302
    (message,) = sent_mail()
    assert message.subject == "Reset your coparent password"
    assert f"{SITE}/accounts/password-reset/" in message.body
    assert "evil.example" not in message.body


def test_calendar_feed_links_come_from_site_url(cast: Cast, client_for, forged_host) -> None:
    page = f"/f/{cast.family_a.public_id}/calendar/subscribe/"
    made = client_for(cast.alice).post(page, {"action": "regenerate"}, **forged_host)
    html = made.content.decode()
    assert f"{SITE}/calendar/" in html and "evil.example" not in html

    _token, secret = api_token_create(user=cast.bob, name="script", scope=ApiToken.READ_WRITE)
    answer = Client().post(
        f"/api/v1/families/{cast.family_a.public_id}/calendar-feed",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        **forged_host,
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["url"].startswith(f"{SITE}/calendar/")


def test_only_the_text_engine_renders_email_templates() -> None:
    """The default engine escapes HTML; an email template rendered through it would turn names
    into entities again. Emails go through core.emails, whose engine does not escape."""
    from pathlib import Path

    import coparent

    root = Path(coparent.__file__).parent
    elsewhere = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "emails/" in path.read_text() and path != root / "core" / "emails.py"
    ]
    assert elsewhere == []


def test_pass_links_and_qr_codes_come_from_site_url(cast: Cast, client_for, forged_host) -> None:
    from tests.passes.test_passes import issue, one_parent_always

    holder = one_parent_always(cast)
    parent = cast.alice if holder == cast.alice.email else cast.bob
    pickup_pass = issue(cast)
    page = client_for(parent).get(
        f"/f/{cast.family_a.public_id}/passes/{pickup_pass.public_id}/", **forged_host
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert f"{SITE}/pass/" in html and "evil.example" not in html
