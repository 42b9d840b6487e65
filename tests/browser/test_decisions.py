"""Decisions in real browsers: one parent proposes on a phone, the other answers on a desktop,
the agreement is shared with the grandmother, who sees it and nothing else."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_no_horizontal_overflow,
    open_menu,
    screenshot,
    sign_in,
)
from tests.cast import build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, label: str) -> None:
    assert_accessible(page, label)
    assert_no_horizontal_overflow(page, label)
    screenshot(page, label)


def test_propose_on_a_phone_answer_on_a_desktop_share_with_gran(new_page) -> None:
    from tests.decisions.helpers import agreed

    cast = build_cast()
    agreed(cast, title="Relocation: nobody moves before 2028", category="relocation")
    chicago = zoneinfo.ZoneInfo("America/Chicago")  # alice's zone in the cast
    respond_by = (timezone.now() + dt.timedelta(days=7)).astimezone(chicago)

    alice = new_page(PHONE)
    sign_in(alice, cast.alice.email)
    open_menu(alice)
    alice.get_by_role("link", name="Agreements").click()
    alice.get_by_role("link", name="Decisions", exact=True).click()
    alice.get_by_role("link", name="Propose a decision").click()
    alice.get_by_label("What is to be decided").fill(
        "Kit may post dance videos on a private account"
    )
    alice.get_by_label("Category").select_option("online")
    alice.get_by_label("Kit").check()
    alice.get_by_label("Details").fill("No face until 15; both parents follow the account.")
    alice.get_by_label("Choose one of the options").check()
    alice.get_by_role("textbox", name="Options").fill("TikTok\nYouTube\nNeither")
    alice.get_by_label("Answer by").fill(respond_by.strftime("%Y-%m-%dT%H:%M"))
    check(alice, "phone-decision-propose")
    alice.get_by_role("button", name="Propose").click()
    alice.get_by_text("Proposed. The other parent has been asked to answer.").wait_for()
    check(alice, "phone-decision-open")

    bob = new_page(DESKTOP)
    sign_in(bob, cast.bob.email)
    bob.get_by_text("Alice Parent proposes a decision").click()
    bob.get_by_role("heading", name="Your answer").wait_for()
    check(bob, "desktop-decision-answer")
    bob.get_by_role("textbox", name="Comment").fill("YouTube is fine; not TikTok.")
    bob.get_by_role("button", name="Comment").click()
    bob.get_by_text("YouTube is fine; not TikTok.").wait_for()
    bob.get_by_label("YouTube").check()
    bob.get_by_role("button", name="Accept").click()
    bob.get_by_text("Agreed. It is now in the family's agreements.").wait_for()
    check(bob, "desktop-decision-agreed")

    alice.goto(f"/f/{cast.family_a.public_id}/agreements/")
    card = alice.get_by_test_id("agreement").filter(has_text="dance videos")
    card.get_by_label("Caregivers").check()
    card.get_by_role("button", name="Save sharing").click()
    alice.get_by_text("Sharing saved.").wait_for()
    check(alice, "phone-agreements")

    gran = new_page(PHONE)
    sign_in(gran, cast.gran.email)
    open_menu(gran)
    gran.get_by_role("link", name="Agreements").click()
    gran.get_by_text("Kit may post dance videos on a private account").wait_for()
    assert "Relocation" not in gran.locator("main").inner_text()
    check(gran, "phone-agreements-caregiver")

    bob.goto(f"/f/{cast.family_a.public_id}/agreements/")
    check(bob, "desktop-agreements")
