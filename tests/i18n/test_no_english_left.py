"""The main pages, an email, API errors and a PDF report asked for in Spanish hold no English:
no message of the catalog is shown untranslated, and no visible text reads as an English sentence
(which catches English that never reached the catalog). Fails until the catalog is translated."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core import mail
from django.test import Client
from pypdf import PdfReader

from coparent.accounts.models import User
from coparent.families.models import Membership
from coparent.reports import services as report_services
from tests.cast import Cast

pytestmark = pytest.mark.django_db

CATALOG = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
# Words a Spanish sentence never holds and nearly every English one does. Two of them in one
# piece of text is English left behind (names and places rarely hold two).
ENGLISH = set(
    [
        "the",
        "your",
        "you",
        "and",
        "with",
        "this",
        "that",
        "is",
        "are",
        "has",
        "have",
        "for",
        "of",
        "to",
        "from",
        "was",
        "will",
        "not",
        "be",
        "it",
        "or",
        "an",
        "in",
        "on",
    ]
)
WORD = re.compile(r"[^\W\d_]+")
# A word stands between spaces and punctuation; letters inside a key, hash or signature
# ("XsId/to8Th...") are not words, or random base64 would read as English now and then.
SPOKEN = re.compile(r"(?<![\w/+=])[^\W\d_]+(?![\w/+=])")
# The same in Spanish (the glossary keeps them).
KEPT = {"coparent", "API", "PDF", "CSV", "QR", "JSON", "URL", "SHA-256", "OK"}


@cache
def untranslated() -> tuple[frozenset[str], frozenset[str]]:
    """English texts of the catalog that Spanish shows differently: (single words, longer)."""
    with CATALOG.open("rb") as file:
        catalog = read_po(file, locale="es")
    words, sentences = set(), set()
    for message in catalog:
        if not message.id:
            continue
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        spanish = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in english:
            if "%" in text or "<" in text or text in spanish or text in KEPT:
                continue
            if not WORD.search(text):
                continue
            (sentences if " " in text.strip() else words).add(" ".join(text.split()))
    return frozenset(words), frozenset(sentences)


class Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self.hidden += 1
        for name, value in attrs:
            if name in ("title", "alt", "placeholder", "aria-label") and value:
                self.texts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.texts.append(data)


def english_in(texts: list[str], spared: tuple[str, ...] = ()) -> list[str]:
    words, sentences = untranslated()
    found = []
    whole = " ".join(" ".join(t.split()) for t in texts)
    for text in texts:
        text = " ".join(text.split())
        if any(name in text for name in spared):
            continue
        single = text.rstrip(":.") in words or text in words
        if single or len(set(SPOKEN.findall(text.lower())) & ENGLISH) >= 2:
            found.append(text)
    found += [sentence for sentence in sentences if sentence in whole]
    return sorted(set(found))


def english_on_page(response, spared: tuple[str, ...] = ()) -> list[str]:
    assert response.status_code == 200, response.status_code
    parser = Texts()
    parser.feed(response.content.decode())
    return english_in(parser.texts, spared)


# What the cast typed is the cast's own, in whatever language they wrote it.
CAST_WORDS = ("Alice", "Bob", "Gran", "Medi", "Charlie", "Family A", "Kit", "Grandmother")

PUBLIC = ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password-reset/", "/pass/"]
FAMILY = [
    "",
    "messages/",
    "calendar/",
    "exchanges/",
    "passes/",
    "people/",
    "children/",
    "documents/",
    "plan/",
    "agreements/",
    "decisions/",
    "expenses/",
    "reports/",
    "record/",
    "journal/",
    "settings/",
]
ACCOUNT = [
    "/families/",
    "/notifications/",
    "/account/",
    "/account/notifications/",
    "/account/sessions/",
    "/account/tokens/",
    "/account/devices/",
    "/safety/",
]


def spanish_reader(user: User) -> User:
    user.language = "es"
    user.save(update_fields=["language"])
    return user


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_in_spanish_hold_no_english(path: str) -> None:
    response = Client().get(path, HTTP_ACCEPT_LANGUAGE="es")
    assert english_on_page(response) == []


@pytest.mark.parametrize("path", FAMILY)
def test_family_pages_in_spanish_hold_no_english(cast: Cast, client_for, path: str) -> None:
    client = client_for(spanish_reader(cast.alice))
    response = client.get(f"/f/{cast.family_a.public_id}/{path}")
    assert english_on_page(response, CAST_WORDS) == []


@pytest.mark.parametrize("path", ACCOUNT)
def test_account_pages_in_spanish_hold_no_english(cast: Cast, client_for, path: str) -> None:
    response = client_for(spanish_reader(cast.alice)).get(path)
    assert english_on_page(response, CAST_WORDS) == []


def test_an_email_in_spanish_holds_no_english(cast: Cast, client_for) -> None:
    from coparent.accounts.services import email_confirmation_send
    from tests.tasks import committing, sent_mail

    mail.outbox.clear()
    with committing():
        email_confirmation_send(spanish_reader(cast.alice))
    (email,) = sent_mail()
    lines = [email.subject, *email.body.splitlines()]
    assert english_in([line for line in lines if "http" not in line], CAST_WORDS) == []


def test_api_errors_in_spanish_hold_no_english(cast: Cast, client_for) -> None:
    client = client_for(spanish_reader(cast.alice))
    errors = [
        Client().get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="es").json(),
        client.get("/api/v1/families/00000000-0000-0000-0000-000000000000").json(),
        client.patch("/api/v1/me", {"display_name": ""}, content_type="application/json").json(),
    ]
    texts = [error["error"]["message"] for error in errors]
    assert english_in(texts) == []


def test_api_field_errors_in_spanish_hold_no_english(cast: Cast, client_for) -> None:
    """Pydantic writes its field messages in English; each field answers in the reader's."""
    client = client_for(spanish_reader(cast.alice))
    answer = client.post(
        f"/api/v1/families/{cast.family_a.public_id}/expenses",
        {"amount": [1], "date": "31/01/2026", "children": "Robin", "paid_by": {"x": 1}},
        content_type="application/json",
    )
    assert answer.status_code == 422
    fields = answer.json()["error"]["fields"]
    assert {"description", "amount", "date", "children"} <= set(fields)
    assert english_in(list(fields.values())) == []


def test_a_pdf_report_in_spanish_holds_no_english(cast: Cast, settings, tmp_path) -> None:
    from tests.tasks import run_tasks

    settings.REPORT_DIR = str(tmp_path)
    spanish_reader(cast.alice)
    membership = Membership.objects.get(user=cast.alice, family=cast.family_a)
    from tests.tasks import committing

    with committing():
        report = report_services.report_request(
            family=cast.family_a,
            actor=membership,
            first=dt.date(2026, 6, 1),
            last=dt.date(2026, 6, 17),
            sections=["messages", "calendar", "exchanges", "access"],
        )
    run_tasks()
    report.refresh_from_db()
    assert report.status == "ready", report.error
    pages = PdfReader(str(Path(tmp_path) / report.pdf_name)).pages
    lines = [line for page in pages for line in (page.extract_text() or "").splitlines()]
    assert english_in(lines, CAST_WORDS) == []
