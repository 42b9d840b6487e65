"""A newcomer's first visit, in a real browser: sign up, confirm, create a family, invite the other
parent, who joins from a second browser; on a desktop and a 390 px phone, checked by axe-core."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    link_from_mail,
    screenshot,
    sign_in,
)
from tests.tasks import sent_mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def path_of(url: str) -> str:
    parsed = urlparse(url)
    return parsed.path + (f"?{parsed.query}" if parsed.query else "")


def sign_up_and_confirm(page, name: str, email: str, *, shots: str | None = None) -> None:
    page.goto("/accounts/signup/")
    if shots:
        assert_accessible(page, "sign-up")
        screenshot(page, f"{shots}-signup")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill("a calm and long passphrase")
    page.get_by_label("Your time zone").select_option("America/Chicago")
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    page.goto(path_of(link_from_mail(sent_mail(), email)))
    page.get_by_text("your email address is confirmed").wait_for()
    if shots:
        assert_accessible(page, "sign-in")
        screenshot(page, f"{shots}-signin")
    page.get_by_label("Password").fill("a calm and long passphrase")
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_two_parents_join_one_family(new_page, viewport) -> None:
    shots = "desktop" if viewport == DESKTOP else "phone"
    first = new_page(viewport)
    first.goto("/")
    assert_accessible(first, "landing")
    screenshot(first, f"{shots}-landing")

    sign_up_and_confirm(first, "Avery Example", "avery@example.test", shots=shots)
    first.get_by_role("heading", name="Your families").wait_for()
    first.get_by_label("Family name").fill("Our family")
    first.get_by_role("button", name="Create family").click()
    first.get_by_role("heading", name="Our family").wait_for()

    first.get_by_role("link", name="Add a child").click()
    first.get_by_label("First name").fill("Robin")
    first.get_by_label("Date of birth").fill("2017-04-09")
    first.get_by_role("button", name="Save").click()
    first.get_by_text("Robin is added.").wait_for()
    assert_accessible(first, "family home")
    screenshot(first, f"{shots}-family-home")

    first.get_by_role("link", name="Invite someone").first.click()
    assert_accessible(first, "invitation form")
    screenshot(first, f"{shots}-invite-form")
    first.get_by_label("Parent — Full rights").check()
    first.get_by_label("Their email address").fill("blake@example.test")
    first.get_by_role("button", name="Create invitation").click()
    link = first.get_by_test_id("invitation-link").inner_text()
    assert link == link_from_mail(sent_mail(), "blake@example.test")

    second = new_page(viewport)
    second.goto(path_of(link))
    second.get_by_role("heading", name="Join Our family").wait_for()
    assert_accessible(second, "invitation")
    second.locator("main").get_by_role("link", name="Create an account").click()
    sign_up_and_confirm(second, "Blake Example", "blake@example.test")
    # Confirming the address from the invitation's sign-up joined the family already.
    second.get_by_role("heading", name="Our family").wait_for()
    body = second.locator("main").inner_text()
    assert "Robin" in body and "Avery Example" in body
    screenshot(second, f"{shots}-second-parent-joined")

    first.goto(first.url.split("/people/")[0] + "/people/")
    assert "Blake Example" in first.locator("main").inner_text()
    assert_accessible(first, "people")
    screenshot(first, f"{shots}-people")


def test_account_pages_are_accessible(new_page, live_server) -> None:
    from tests.cast import PASSWORD, build_cast

    cast = build_cast()
    page = new_page(PHONE)
    sign_in(page, cast.alice.email)
    for path, name in (
        ("/account/", "profile"),
        ("/account/sessions/", "sessions"),
        ("/account/tokens/", "tokens"),
        ("/account/password/", "password"),
        (f"/f/{cast.family_a.public_id}/access-log/", "access-log"),
    ):
        page.goto(path)
        assert_accessible(page, name)
        screenshot(page, f"phone-account-{name}")
    page.goto("/account/two-factor/")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    page.get_by_test_id("totp-secret").wait_for()
    assert_accessible(page, "two-factor setup")
    screenshot(page, "phone-two-factor-setup")
