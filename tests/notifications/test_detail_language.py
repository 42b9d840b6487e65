"""The details of a notification (who did what, with names) are read in the recipient's language,
whoever caused them and whatever language was active then; what people wrote passes untouched."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy, ngettext_lazy

from coparent.accounts.models import User
from coparent.exchanges import services as exchange_services
from coparent.notifications import services
from coparent.notifications.models import Channel, Kind
from coparent.notifications.services import Detail, Phrase, formatted, lowercase, notify
from coparent.passes import services as pass_services
from tests.cast import Cast
from tests.exchanges.helpers import daily_exchanges, next_exchange, sides
from tests.expenses.helpers import expense
from tests.messaging.helpers import open_thread
from tests.notifications.helpers import choose, told
from tests.passes.test_passes import issue, token_of
from tests.schedule.helpers import agreed, swap

pytestmark = pytest.mark.django_db


def speaks(user: User, language: str) -> User:
    user.language = language
    user.save(update_fields=["language"])
    return user


def test_a_phrase_renders_its_template_and_translatable_parameters_in_the_active_language() -> None:
    phrase = Phrase(
        gettext_lazy("The pickup pass for %(person)s was checked%(at)s: valid"),
        {"person": "Tía Rosa", "at": Phrase(gettext_lazy(" at %(gate)s"), {"gate": "Gate 2"})},
    )
    with translation.override("es"):
        spanish = phrase.render()
    with translation.override("en"):
        english = phrase.render()
    assert english == "The pickup pass for Tía Rosa was checked at Gate 2: valid"
    assert spanish != english and "Tía Rosa" in spanish and "Gate 2" in spanish
    days = Phrase(
        ngettext_lazy(
            "%(title)s expires in %(days)d day, on %(date)s.",
            "%(title)s expires in %(days)d days, on %(date)s.",
            3,
        ),
        {"title": "Passport", "days": 3, "date": "2026-06-20"},
    )
    with translation.override("en"):
        assert days.render() == "Passport expires in 3 days, on 2026-06-20."
    moment = formatted(dt.datetime(2026, 6, 17, 15, 0, tzinfo=dt.UTC), "DATETIME_FORMAT")
    with translation.override("es"):
        assert str(moment) == "mié 17 jun 2026, 15:00"
        assert str(lowercase(gettext_lazy("Parent"))) == "progenitor"
    with translation.override("en"):
        assert str(moment) == "Wed 17 Jun 2026, 15:00"


def test_a_message_is_detailed_in_each_recipients_language(cast: Cast) -> None:
    speaks(cast.bob, "es")
    with translation.override("en"):
        open_thread(cast, subject="School pickup")
    (note,) = told(cast.bob, Kind.MESSAGE)
    assert note.detail_title == "Alice Parent escribió en “School pickup”"


def test_an_actor_writing_in_spanish_tells_an_english_reader_in_english(cast: Cast) -> None:
    speaks(cast.alice, "es")
    version = agreed(cast)
    with translation.override("es"):
        swap(cast, version, by=cast.alice)
    (note,) = told(cast.bob, Kind.SWAP_REQUEST)
    assert note.detail_title == "Alice Parent asked for a swap; please answer"
    assert note.detail_body == "Grandma's birthday", "what someone wrote is not translated"


def test_a_swap_request_is_detailed_in_spanish_for_a_spanish_reader(cast: Cast) -> None:
    speaks(cast.bob, "es")
    version = agreed(cast)
    with translation.override("en"):
        swap(cast, version, by=cast.alice)
    (note,) = told(cast.bob, Kind.SWAP_REQUEST)
    assert note.detail_title == "Alice Parent pidió un cambio de días; por favor, responda"
    assert note.detail_body == "Grandma's birthday"


def test_an_expense_request_is_detailed_in_the_recipients_language(cast: Cast) -> None:
    speaks(cast.bob, "es")
    with translation.override("en"):
        expense(cast)
    (note,) = told(cast.bob, Kind.EXPENSE_REQUEST)
    assert note.detail_title == "Alice Parent pide su parte de un gasto"
    assert note.detail_body.startswith("Dentist: ")
    assert "Plazo de respuesta" in note.detail_body and "Answer by" not in note.detail_body


def test_exchange_check_ins_and_reminders_are_detailed_in_the_recipients_language(
    cast: Cast,
) -> None:
    plan = daily_exchanges(cast)
    at = next_exchange()
    giver, taker = sides(plan, at)
    speaks(taker, "es")
    with translation.override("en"):
        exchange_services.checkin_record(
            family=cast.family_a,
            actor=giver,
            plan=plan,
            exchange_at=at,
            kind="arrived",
            now=at - dt.timedelta(minutes=5),
        )
    (note,) = told(taker, Kind.EXCHANGE_CHECKIN)
    assert note.detail_title == f"{giver.display_name} llegó a la entrega"

    speaks(giver, "es")
    exchange_services.reminders_update(
        family=cast.family_a, actor=giver, minutes_before=[60], by_email=True
    )
    with translation.override("en"):
        assert exchange_services.reminders_send(now=at - dt.timedelta(minutes=30)) == 1
    (reminder,) = told(giver, Kind.EXCHANGE_REMINDER)
    assert reminder.detail_title.startswith("Entrega el ")
    with translation.override("es"):
        when = date_format(at.astimezone(dt.UTC), "DATETIME_FORMAT")
    assert when.split(",")[0] in reminder.detail_title, "the date in Spanish format"


def test_a_gate_check_is_detailed_in_the_recipients_language_whatever_the_gates(
    cast: Cast,
) -> None:
    speaks(cast.bob, "es")
    waiting = issue(cast, actor=cast.alice)
    pass_services.pass_revoke(family=cast.family_a, actor=cast.alice, pickup_pass=waiting)
    with translation.override("en"):
        pass_services.pass_check(token_of(waiting))
    (spanish,) = told(cast.bob, Kind.PASS_CHECKED)
    assert spanish.detail_title == "Se verificó el pase de recogida de Jamie Cousin: NO válido"
    assert spanish.detail_body == "El progenitor que emitió este pase lo revocó."
    (english,) = told(cast.alice, Kind.PASS_CHECKED)
    assert english.detail_body == "The parent who issued this pass has revoked it."


def test_detailed_emails_and_pushes_carry_the_recipients_language(
    cast: Cast, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    speaks(cast.bob, "es")
    choose(cast.bob, channels={Kind.MESSAGE: Channel.EMAIL}, include_details=True)
    choose(cast.alice, channels={Kind.MESSAGE: Channel.PUSH}, include_details=True)
    pushed: list[dict] = []
    monkeypatch.setattr(
        services.push, "send_to_user", lambda user, **push: pushed.append(push) or 1
    )
    mail.outbox.clear()
    detail = Detail(
        Phrase(
            gettext_lazy("%(sender)s wrote in “%(subject)s”"),
            {"sender": "Gran", "subject": "Summer camp"},
        )
    )
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        notify(cast.family_a, [cast.bob], Kind.MESSAGE, link="/", detail=detail, actor=cast.gran)
    (email,) = mail.outbox
    assert "Gran escribió en “Summer camp”" in email.body
    with translation.override("es"), django_capture_on_commit_callbacks(execute=True):
        notify(cast.family_a, [cast.alice], Kind.MESSAGE, link="/", detail=detail, actor=cast.gran)
    assert pushed[0]["body"] == "Gran wrote in “Summer camp”"
