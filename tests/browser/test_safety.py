"""Quick exit in a real browser: the Exit button and Escape pressed twice each replace the page
with the neutral site and end the session, on a phone and a desktop."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import override_settings
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, screenshot, sign_in
from tests.cast import build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEUTRAL = "https://neutral.example/"


def serve_neutral_site(page) -> None:
    # The browser never leaves the machine: the neutral site is answered here.
    page.context.route(
        "https://neutral.example/**",
        lambda route: route.fulfill(
            body="<title>Weather</title><p>Sunny</p>", content_type="text/html"
        ),
    )


def wait_for_session_end(session_key: str) -> None:
    """The sign-out is a keepalive request that outlives the page, so the browser reports it as
    failed when the page moves on and never says when the server has answered. Going back to
    the family before the server has handled it would race the sign-out, so wait on the
    server's side instead."""
    deadline = time.monotonic() + 10
    while Session.objects.filter(session_key=session_key).exists():
        assert time.monotonic() < deadline, "the quick exit did not end the session"
        time.sleep(0.05)


def press_escape_twice(page) -> None:
    """Two presses leave when they are under a second apart by the browser's clock, which the
    test cannot freeze; on a loaded machine two presses can land further apart, so a pair is
    pressed again (as a person would) until the page leaves."""
    for _ in range(3):
        page.keyboard.press("Escape")
        page.keyboard.press("Escape")
        try:
            page.wait_for_url(NEUTRAL, timeout=3_000)
            return
        except PlaywrightTimeoutError:
            continue


@override_settings(COPARENT_QUICK_EXIT_URL=NEUTRAL)
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("how", ["button", "escape"])
def test_quick_exit_leaves_and_signs_out(new_page, viewport, how) -> None:
    cast = build_cast()
    page = new_page(viewport)
    serve_neutral_site(page)
    sign_in(page, cast.alice.email)
    family = f"/f/{cast.family_a.public_id}/"
    page.goto(family)
    name = "phone" if viewport == PHONE else "desktop"
    session_key = next(
        cookie["value"]
        for cookie in page.context.cookies()
        if cookie["name"] == settings.SESSION_COOKIE_NAME
    )
    if how == "button":
        screenshot(page, f"{name}-quick-exit-header")
        page.get_by_test_id("quick-exit").click()
    else:
        press_escape_twice(page)
    page.wait_for_url(NEUTRAL)
    assert page.title() == "Weather"
    wait_for_session_end(session_key)
    # The session ended: the family page is behind the sign-in again.
    page.goto(family)
    page.wait_for_url("**/login/**")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_safety_page_reads_well(new_page, viewport) -> None:
    page = new_page(viewport)
    page.goto("/safety/")
    page.get_by_role("heading", name="Your safety").wait_for()
    assert_accessible(page, "safety")
    screenshot(page, f"{'phone' if viewport == PHONE else 'desktop'}-safety")
    wider = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert wider <= 0
