"""Each reader in their own language: visitors by their browser or the switcher, signed-in people
by their account, everywhere (pages, API errors, emails, notifications and pushes), and dates,
times and money in that language's formats."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.template import Context, Template
from django.test import Client
from django.utils import timezone, translation

from coparent.accounts.models import ApiToken, User
from coparent.accounts.services import api_token_create
from coparent.expenses.money import money
from coparent.notifications import services as notification_services
from coparent.notifications.models import Kind
from coparent.notifications.services import Detail, notify
from tests.cast import Cast

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 17, 15, 0, tzinfo=dt.UTC)


def page_language(response) -> str:
    found = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert found, "a page names its language"
    return found.group(1)


def speaks(user: User, language: str) -> User:
    user.language = language
    user.save(update_fields=["language"])
    return user


# ---- visitors ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/pass/"])
def test_visitors_read_public_pages_in_their_browsers_language(path: str) -> None:
    spanish = Client().get(path, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    assert spanish.status_code == 200
    assert page_language(spanish) == "es"
    assert spanish["Content-Language"] == "es"
    assert page_language(Client().get(path, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")) == "en"
    assert page_language(Client().get(path, HTTP_ACCEPT_LANGUAGE="de")) == "en", "we have no German"
    assert page_language(Client().get(path)) == "en"


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/pass/"])
def test_the_switcher_changes_a_visitors_language_without_javascript(path: str) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    form = re.search(r'<form class="language-switcher" method="post" action="([^"]+)"', page)
    assert form, "every public page offers the switcher"
    assert 'name="language" value="es" lang="es">Español</button>' in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(
        form.group(1),
        {"csrfmiddlewaretoken": token, "language": "es", "next": path},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    assert response["Location"] == path
    after = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert page_language(after) == "es", "the choice outlasts the browser's language"
    assert 'value="en" lang="en">English</button>' in after.content.decode()


def test_signing_up_in_spanish_keeps_spanish_for_the_account_and_its_email(
    django_capture_on_commit_callbacks,
) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/signup/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {
                "csrfmiddlewaretoken": token,
                "display_name": "Lucía",
                "email": "lucia@example.test",
                "password": "una frase de paso bastante larga",
                "timezone": "America/Mexico_City",
            },
            HTTP_ACCEPT_LANGUAGE="es",
        )
    assert response.status_code == 302
    assert User.objects.get(email="lucia@example.test").language == "es"
    (email,) = mail.outbox
    assert email.subject == "Confirme su correo electrónico para coparent"
    assert "Hola, Lucía:" in email.body


# ---- signed-in people ----------------------------------------------------------------------


def test_a_signed_in_person_reads_their_accounts_language_whatever_the_browser_says(
    cast: Cast, client_for
) -> None:
    speaks(cast.alice, "es")
    home = f"/f/{cast.family_a.public_id}/"
    assert page_language(client_for(cast.alice).get(home, HTTP_ACCEPT_LANGUAGE="en")) == "es"
    assert page_language(client_for(cast.bob).get(home, HTTP_ACCEPT_LANGUAGE="es")) == "en"


def test_the_account_page_changes_the_language(cast: Cast, client_for) -> None:
    client = client_for(cast.alice)
    page = client.get("/account/").content.decode()
    assert '<option value="es">Español</option>' in page
    response = client.post(
        "/account/",
        {"display_name": "Alice Parent", "timezone": "America/Chicago", "language": "es"},
        follow=True,
    )
    cast.alice.refresh_from_db()
    assert cast.alice.language == "es"
    assert page_language(response) == "es"
    assert "Su configuración se guardó." in response.content.decode()
    refused = client.post(
        "/account/",
        {"display_name": "Alice Parent", "timezone": "America/Chicago", "language": "xx"},
    )
    assert refused.status_code == 200
    cast.alice.refresh_from_db()
    assert cast.alice.language == "es", "nothing written"


def test_the_api_shows_and_changes_the_accounts_language(cast: Cast, client_for) -> None:
    client = client_for(cast.alice)
    assert client.get("/api/v1/me").json()["language"] == "en"
    changed = client.patch("/api/v1/me", {"language": "es"}, content_type="application/json")
    assert changed.status_code == 200
    assert changed.json()["language"] == "es"
    refused = client.patch("/api/v1/me", {"language": "xx"}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"] == {"language": "Elija un idioma de la lista."}
    cast.alice.refresh_from_db()
    assert cast.alice.language == "es"


def test_api_errors_are_in_the_callers_language(cast: Cast) -> None:
    anonymous = Client().get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="es")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["message"] == "Inicie sesión o envíe un token de API válido."
    _token, secret = api_token_create(user=speaks(cast.alice, "es"), name="s", scope=ApiToken.READ)
    missing = Client().get(
        "/api/v1/families/00000000-0000-0000-0000-000000000000",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "No se encontró."


# ---- emails, notifications and pushes go out in the recipient's language -----------------------


def test_notifications_and_their_emails_are_in_each_recipients_language(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    speaks(cast.alice, "es")
    mail.outbox.clear()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        notify(
            cast.family_a,
            [cast.alice, cast.bob],
            Kind.MESSAGE,
            link="/notifications/",
            detail=Detail("Gran wrote"),
            actor=cast.gran,
        )
    by_address = {email.to[0]: email for email in mail.outbox}
    spanish, english = by_address[cast.alice.email], by_address[cast.bob.email]
    assert spanish.subject == "Tiene un mensaje nuevo en coparent"
    assert "Inicie sesión para verlo:" in spanish.body
    assert english.subject == "You have a new message in coparent"
    assert "Sign in to see it:" in english.body


def test_pushes_are_in_the_recipients_language(cast: Cast, monkeypatch) -> None:
    speaks(cast.bob, "es")
    from coparent.notifications.models import Channel
    from tests.notifications.helpers import choose

    choose(cast.bob, channels={Kind.MESSAGE: Channel.PUSH})
    sent: list[dict] = []
    monkeypatch.setattr(
        notification_services.push, "send_to_user", lambda user, **push: sent.append(push) or 1
    )
    with translation.override("en"):
        (notification,) = notify(
            cast.family_a, [cast.bob], Kind.MESSAGE, link="/", detail=Detail("x"), actor=cast.alice
        )
    delivery = notification.deliveries.get()
    assert notification_services.delivery_send(delivery.pk)
    assert sent[0]["body"] == "Tiene un mensaje nuevo en coparent"


def test_the_digest_is_in_the_recipients_language(cast: Cast, time_machine) -> None:
    from coparent.notifications.models import Channel
    from tests.notifications.helpers import choose

    time_machine.move_to(NOW, tick=False)
    speaks(cast.bob, "es")
    choose(cast.bob, channels={Kind.MESSAGE: Channel.DIGEST}, digest_hour=18)
    with translation.override("en"):
        notify(
            cast.family_a, [cast.bob], Kind.MESSAGE, link="/", detail=Detail("x"), actor=cast.alice
        )
    mail.outbox.clear()
    assert notification_services.send_due_digests(dt.datetime(2026, 6, 17, 22, 0, tzinfo=dt.UTC))
    (email,) = mail.outbox
    assert email.subject == "Su resumen de coparent: 1 notificación"
    assert "- Tiene un mensaje nuevo en coparent" in email.body


# ---- formats -------------------------------------------------------------------------------


def rendered(source: str, **context: object) -> str:
    return Template(source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "date", "moment", "month", "amount", "pesos"),
    [
        (
            "en",
            "Wed 17 Jun 2026",
            "Wed 17 Jun 2026, 15:00",
            "June 2026",
            "$1,234.50",
            "MX$1,234.50",
        ),
        (
            "es",
            "mié 17 jun 2026",
            "mié 17 jun 2026, 15:00",
            "junio de 2026",
            "USD\xa01,234.50",
            "MXN\xa01,234.50",
        ),
    ],
)
def test_dates_times_and_money_follow_the_readers_language(
    language: str, date: str, moment: str, month: str, amount: str, pesos: str
) -> None:
    with translation.override(language):
        assert rendered('{{ d|date:"DATE_FORMAT" }}', d=NOW.date()) == date
        assert rendered('{{ d|date:"DATETIME_FORMAT" }}', d=NOW) == moment
        assert rendered('{{ d|time:"TIME_FORMAT" }}', d=NOW.replace(hour=19)) == "19:00"
        assert rendered('{{ d|date:"YEAR_MONTH_FORMAT" }}', d=NOW) == month
        assert money(Decimal("1234.50"), "USD") == amount
        assert money(Decimal("1234.50"), "MXN") == pesos


def test_a_spanish_readers_calendar_page_uses_spanish_formats(cast: Cast, client_for) -> None:
    speaks(cast.alice, "es")
    page = client_for(cast.alice).get(f"/f/{cast.family_a.public_id}/calendar/").content.decode()
    assert "junio de 2026" in page
    assert "June" not in page


def test_templates_use_only_named_formats() -> None:
    """One way of writing a date per language: a template names a format (DATE_FORMAT...) or
    asks for one part of a date (a weekday, a day, a month name), never spells a layout."""
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "coparent" / "templates"
    parts = {"D", "l", "j", "F", "b", "N", "j M"}
    spelled = []
    for path in templates.rglob("*.html"):
        for found in re.findall(r'\|(?:date|time):"([^"]+)"', path.read_text()):
            if not found.endswith("_FORMAT") and found not in parts:
                spelled.append(f"{path.name}: {found}")
    assert spelled == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "3\u20135 July"), ("es", "3\u20135 de julio")],
)
def test_a_swap_span_on_the_record_reads_as_its_language_writes_dates(language, expected) -> None:
    from coparent.records.labels import _span

    fields = {"start": "2026-07-03T17:00:00+00:00", "end": "2026-07-06T00:00:00+00:00"}
    with translation.override(language), timezone.override("UTC"):
        assert _span(fields, "start", "end") == expected
