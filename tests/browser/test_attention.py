"""Home answers "does anything need me?" in a real browser, on a 390 px phone and a desktop."""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    open_menu,
    screenshot,
    sign_in,
)
from tests.cast import build_cast
from tests.messaging.helpers import open_thread
from tests.passes.test_passes import issue
from tests.schedule.helpers import agreed, swap, two_two_three

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_HORIZONTAL_OVERFLOW = (
    "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
)


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_home_lists_what_needs_you_and_the_badge_counts_it(new_page, viewport, name) -> None:
    cast = build_cast()
    version = agreed(cast, two_two_three())
    request = swap(cast, version, by=cast.alice, reason="Cousin Robin's wedding, out of town")
    open_thread(cast, subject="Kit's dentist appointment on Friday afternoon")
    issue(cast, actor=cast.alice)
    page = new_page(viewport)
    sign_in(page, cast.bob.email)
    card = page.get_by_test_id("attention")
    card.get_by_role("heading", name="Needs you").wait_for()
    text = card.inner_text()
    assert "Alice Parent asks to swap time" in text
    assert "Kit's dentist appointment on Friday afternoon" in text
    assert "Co-sign the pickup pass for Jamie Cousin" in text
    open_menu(page)  # on a phone the Home link is behind the menu, whose button shows the count
    assert page.get_by_test_id("attention-badge").inner_text().startswith("3")
    assert page.evaluate(NO_HORIZONTAL_OVERFLOW), "the page scrolls sideways"
    assert_accessible(page, f"home with items ({name})")
    screenshot(page, f"{name}-attention-home")

    card.get_by_role("link", name="Alice Parent asks to swap time").click()
    page.wait_for_url(f"**/swaps/{request.public_id}/")
    page.get_by_role("button", name="Accept").first.click()
    open_menu(page)
    page.get_by_role("link", name="Home").first.click()
    page.get_by_test_id("attention").wait_for()
    assert "asks to swap" not in page.get_by_test_id("attention").inner_text()
    open_menu(page)
    assert page.get_by_test_id("attention-badge").inner_text().startswith("2")


def test_home_says_nothing_needs_you(new_page) -> None:
    cast = build_cast()
    page = new_page(PHONE)
    sign_in(page, cast.alice.email)
    page.get_by_test_id("attention-empty").wait_for()
    assert page.get_by_test_id("attention-badge").count() == 0
    assert page.evaluate(NO_HORIZONTAL_OVERFLOW)
    screenshot(page, "phone-attention-empty")
