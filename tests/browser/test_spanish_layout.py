"""Spanish runs about a quarter longer than English: the main pages in Spanish, on a 390 px phone
and a desktop, must not overflow the screen, the header's nav must keep to its rows, and no
button may cut its label. Screenshots of each."""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_no_horizontal_overflow,
    open_menu,
    screenshot,
    sign_in,
)
from tests.cast import build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CUT_LABELS = """() => [...document.querySelectorAll('button, .button, summary, nav a')]
  .filter(el => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
  .map(el => el.textContent.trim().slice(0, 40))"""


def assert_fits(page, label: str) -> None:
    assert_no_horizontal_overflow(page, label)
    assert page.evaluate(CUT_LABELS) == [], f"{label}: labels cut short"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_public_pages_in_spanish_fit(browser, live_server, viewport) -> None:
    context = browser.new_context(viewport=viewport, base_url=live_server.url, locale="es-MX")
    try:
        page = context.new_page()
        for path, name in (("/", "landing"), ("/accounts/login/", "login"), ("/pass/", "pass")):
            page.goto(path)
            page.wait_for_load_state("load")
            assert page.locator("html").get_attribute("lang") == "es"
            assert_fits(page, name)
            screenshot(page, f"es-{'phone' if viewport == PHONE else 'desktop'}-{name}")
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_spanish_readers_pages_fit(new_page, viewport) -> None:
    cast = build_cast()
    cast.alice.language = "es"
    cast.alice.save(update_fields=["language"])
    page = new_page(viewport)
    sign_in(page, "alice@example.test")
    kind = "phone" if viewport == PHONE else "desktop"
    family = f"/f/{cast.family_a.public_id}/"
    for path, name in (
        ("", "home"),
        ("calendar/", "calendar"),
        ("messages/", "messages"),
        ("expenses/", "money"),
        ("record/", "record"),
    ):
        page.goto(family + path)
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == "es"
        open_menu(page)
        assert_fits(page, name)
        screenshot(page, f"es-{kind}-{name}")
    if viewport == DESKTOP:
        height = page.locator("header.site-header").bounding_box()["height"]
        assert height < 100, f"the header takes {height} px on a desktop in Spanish"
    page.goto("/account/")
    assert_fits(page, "account")
    screenshot(page, f"es-{kind}-account")
