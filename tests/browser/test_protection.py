"""Protective-order mode in a real browser, as each person meets it: the protected parent turns
it on, the other parent writes with a message form and through the moderator, the moderator
delivers; on a phone and a desktop, readable, accessible and never wider than the screen."""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_no_horizontal_overflow,
    screenshot,
    sign_in,
)
from tests.cast import PASSWORD, build_cast
from tests.messaging.helpers import open_thread
from tests.safety.helpers import moderator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def look(page, label: str, name: str) -> None:
    assert_no_horizontal_overflow(page, label)
    assert_accessible(page, label)
    screenshot(page, f"{name}-{label}")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_order_as_each_person_meets_it(new_page, viewport) -> None:
    cast = build_cast()
    thread = open_thread(cast, subject="Weekend plans")
    mod = moderator(cast)
    name = "phone" if viewport == PHONE else "desktop"
    family = f"/f/{cast.family_a.public_id}"

    alice = new_page(viewport)
    sign_in(alice, cast.alice.email)
    alice.goto(f"{family}/protection/")
    look(alice, "protection-off", name)
    alice.get_by_label("The order's reference").fill("Order 2026-PO-0042")
    alice.get_by_label("Moderator").select_option(label="Mod Erator (Other professional)")
    alice.get_by_role("button", name="Turn protective-order mode on").click()
    alice.get_by_test_id("protection-on").wait_for()
    assert alice.get_by_test_id("two-factor-prompt").is_visible()
    look(alice, "protection-on", name)

    bob = new_page(viewport)
    sign_in(bob, cast.bob.email)
    bob.goto(f"{family}/messages/{thread.public_id}/")
    bob.get_by_test_id("restricted-compose").wait_for()
    look(bob, "restricted-compose", name)
    bob.get_by_role("link", name="I am running late").click()
    bob.get_by_label("Date").fill("2026-06-19")
    bob.get_by_label("About how many minutes late").fill("15")
    look(bob, "structured-form", name)
    bob.get_by_role("button", name="Send").click()
    bob.get_by_text("I am running about 15 minutes late").wait_for()
    bob.get_by_label("Your message, for the moderator to deliver").fill("Can we swap Sunday?")
    bob.get_by_role("button", name="Send to the moderator").click()
    bob.get_by_test_id("held-messages").wait_for()
    assert "Waiting for the moderator" in bob.get_by_test_id("held-messages").inner_text()

    moderating = new_page(viewport)
    moderating.goto("/accounts/login/")
    moderating.get_by_label("Email address").fill(mod.user.email)
    moderating.get_by_label("Password").fill(PASSWORD)
    moderating.get_by_role("button", name="Sign in").click()
    moderating.wait_for_load_state()
    moderating.goto(f"{family}/moderation/")
    moderating.get_by_test_id("held").wait_for()
    look(moderating, "moderation", name)
    moderating.get_by_role("button", name="Deliver as written").click()
    moderating.get_by_text("Nothing is waiting for you.").wait_for()

    alice.goto(f"{family}/messages/{thread.public_id}/")
    alice.get_by_text("Can we swap Sunday?").wait_for()
    assert "Delivered by the moderator" in alice.locator("main").inner_text()
