"""Notifications in a real browser: the count in the header, the list, opening one, and the
settings, on a phone and a desktop, with nothing wider than the screen."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, screenshot, sign_in
from tests.cast import build_cast
from tests.messaging.helpers import open_thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_fits(page, label: str) -> None:
    wider = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert wider <= 0, f"{label}: {wider}px wider than the screen"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_parent_sees_opens_and_tunes_notifications(new_page, viewport) -> None:
    cast = build_cast()
    open_thread(cast, subject="Dentist on Thursday with a rather long subject line to wrap")
    page = new_page(viewport)
    sign_in(page, cast.bob.email)
    name = f"{'phone' if viewport == PHONE else 'desktop'}"
    link = page.get_by_test_id("nav-notifications")
    unread = int(re.search(r"\d+", link.inner_text()).group(0))  # joins, the message, sign-in
    link.click()
    page.get_by_role("heading", name="Notifications", exact=True).wait_for()
    text = page.get_by_test_id("notification-list").inner_text()
    assert "Alice Parent wrote in “Dentist on Thursday" in text
    assert_fits(page, "notifications")
    assert_accessible(page, "notifications")
    screenshot(page, f"{name}-notifications")
    # Signing in from this new browser was news too; open the message.
    assert "New sign-in from" in text
    page.get_by_role("button", name=re.compile("Alice Parent wrote")).click()
    page.wait_for_url(f"**/f/{cast.family_a.public_id}/messages/*/", wait_until="commit")
    page.get_by_text("Can you get Kit at 3?").first.wait_for()
    assert "Can you get Kit at 3?" in page.locator("main").inner_text()
    page.goto("/notifications/")
    assert f"{unread - 1}\nunread" in page.get_by_test_id("nav-notifications").inner_text()
    page.get_by_role("button", name="Mark all as read").click()
    page.get_by_text("All notifications are marked as read.").wait_for()
    assert "unread" not in page.get_by_test_id("nav-notifications").inner_text()
    page.get_by_role("link", name="How you are notified").click()
    page.get_by_label("New messages").select_option("digest")
    page.get_by_label("Quiet hours start").fill("22:00")
    page.get_by_label("Quiet hours end").fill("07:00")
    assert_fits(page, "notification settings")
    assert_accessible(page, "notification settings")
    screenshot(page, f"{name}-notification-settings")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved.").wait_for()
    assert page.get_by_label("New messages").input_value() == "digest"
