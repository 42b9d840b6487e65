"""A child's information in real browsers: a parent adds an allergy on a desktop; the grandmother
at the school gate, on a phone, reaches it and the emergency contact in two taps, and never sees
the policy number."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

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
from tests.childinfo.helpers import ALLERGEN, EMERGENCY_PHONE, POLICY_NUMBER, write_info

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_parent_adds_and_the_caregiver_reads_on_a_phone(new_page) -> None:
    cast = build_cast()
    write_info(cast)
    parent = new_page(DESKTOP)
    sign_in(parent, cast.alice.email)
    parent.goto(f"/f/{cast.family_a.public_id}/")
    parent.get_by_role("link", name="Children", exact=True).click()
    parent.get_by_role("link", name="Kit").click()
    parent.get_by_role("heading", name="Kit's information").wait_for()
    assert POLICY_NUMBER in parent.locator("main").inner_text()
    assert_accessible(parent, "child information (parent)")
    assert_no_horizontal_overflow(parent, "child information (parent, desktop)")
    screenshot(parent, "desktop-child-information")

    parent.locator("#essentials").get_by_role("link", name="medication").click()
    parent.get_by_label("Medicine", exact=True).fill("Ventolin")
    parent.get_by_label("Dose", exact=True).fill("2 puffs")
    parent.get_by_label("When", exact=True).fill("before sport")
    assert_accessible(parent, "item form")
    assert_no_horizontal_overflow(parent, "item form (desktop)")
    screenshot(parent, "desktop-child-information-form")
    parent.get_by_role("button", name="Save").click()
    parent.get_by_text("Saved.").wait_for()
    assert "Ventolin" in parent.locator("#essentials").inner_text()

    parent.get_by_role("link", name="History").click()
    # The click returns once the page starts arriving; expect waits for the text itself.
    expect(parent.locator("main")).to_contain_text("Ventolin")
    parent.wait_for_load_state("load")
    assert_accessible(parent, "child information history")
    screenshot(parent, "desktop-child-information-history")

    gran = new_page(PHONE)
    sign_in(gran, cast.gran.email)
    gran.goto(f"/f/{cast.family_a.public_id}/")
    open_menu(gran)
    gran.get_by_role("link", name="Children", exact=True).click()  # one child: straight there
    gran.get_by_role("heading", name="Kit's information").wait_for()
    text = gran.locator("main").inner_text()
    assert ALLERGEN in text and EMERGENCY_PHONE in text and "Ventolin" in text
    assert POLICY_NUMBER not in gran.content()
    assert_accessible(gran, "child information (caregiver)")
    assert_no_horizontal_overflow(gran, "child information (caregiver, phone)")
    screenshot(gran, "phone-child-information-caregiver")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_pages_fit_the_screen(new_page, viewport) -> None:
    cast = build_cast()
    items = write_info(cast)
    page = new_page(viewport)
    sign_in(page, cast.alice.email)
    base = f"/f/{cast.family_a.public_id}/children/{cast.kit.public_id}/info/"
    name = "phone" if viewport is PHONE else "desktop"
    for path, label in (
        (base, "child"),
        (f"{base}new/activity/", "activity-form"),
        (f"{base}{items['insurance'].public_id}/edit/", "edit"),
        (f"{base}history/", "history"),
        (f"/f/{cast.family_a.public_id}/children/", "children"),
    ):
        page.goto(path)
        assert_no_horizontal_overflow(page, f"{label} ({name})")
        screenshot(page, f"{name}-childinfo-{label}")
