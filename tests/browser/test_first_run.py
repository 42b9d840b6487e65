"""An invited parent's first run in a real browser, on a 390 px phone and a desktop: the invitation
link, sign-up (time zone from the device), the confirmation link from the email, and straight
into the family with the invitation's role; the inviting parent sees it pending until then."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from django.core import mail

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    link_from_mail,
    screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def path_of(url: str) -> str:
    parsed = urlparse(url)
    return parsed.path + (f"?{parsed.query}" if parsed.query else "")


def assert_no_sideways_scroll(page, label: str) -> None:
    wide = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert wide <= 0, f"{label}: the page scrolls sideways by {wide}px"


@pytest.fixture
def page_in_zone(browser, live_server) -> Iterator:
    """A fresh browser context whose device clock is in `zone`, as a phone abroad would be."""
    contexts = []

    def make(viewport: dict[str, int], zone: str):
        context = browser.new_context(viewport=viewport, base_url=live_server.url, timezone_id=zone)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_invited_parent_signs_up_confirms_and_is_in_the_family(
    new_page, page_in_zone, viewport
) -> None:
    from tests.cast import PASSWORD, build_cast

    shots = "desktop" if viewport == DESKTOP else "phone"
    cast = build_cast()
    # Charlie's family has one parent; he invites the other by email.
    inviter = new_page(viewport)
    inviter.goto("/accounts/login/")
    inviter.get_by_label("Email address").fill(cast.charlie.email)
    inviter.get_by_label("Password").fill(PASSWORD)
    inviter.get_by_role("button", name="Sign in").click()
    inviter.get_by_role("heading", name="Family B").wait_for()
    inviter.get_by_role("link", name="Invite someone").first.click()
    inviter.get_by_label("Parent — Full rights").check()
    inviter.get_by_label("Their email address").fill("rowan@example.test")
    inviter.get_by_role("button", name="Create invitation").click()
    link = inviter.get_by_test_id("invitation-link").inner_text()

    inviter.goto(f"/f/{cast.family_b.public_id}/")
    pending = inviter.get_by_test_id("pending-invitations")
    assert "rowan@example.test" in pending.inner_text()
    assert "Invite the other parent" not in inviter.locator("main").inner_text()
    pending.get_by_role("button", name="Resend").wait_for()
    pending.get_by_role("link", name="Withdraw").wait_for()
    assert_accessible(inviter, "home with a pending invitation")
    assert_no_sideways_scroll(inviter, "home with a pending invitation")
    screenshot(inviter, f"{shots}-first-run-pending-invitation")

    invitee = page_in_zone(viewport, "Europe/Berlin")
    invitee.goto(path_of(link))
    invitee.get_by_role("heading", name="Join Family B").wait_for()
    assert_no_sideways_scroll(invitee, "invitation")
    screenshot(invitee, f"{shots}-first-run-invitation")
    invitee.locator("main").get_by_role("link", name="Create an account").click()
    assert "Family B" in invitee.get_by_test_id("signup-invitation").inner_text()
    zone = invitee.get_by_label("Your time zone")
    # The picker's script fills the zone in once it has run; a loaded machine runs it late.
    invitee.wait_for_function(
        "() => document.querySelector('#id_timezone')?.value === 'Europe/Berlin'"
    )
    assert zone.input_value() == "Europe/Berlin", "the zone comes from the device"
    invitee.get_by_text("Set from this device").wait_for()
    invitee.get_by_label("Search by city").fill("lisbon")
    assert zone.input_value() == "Europe/Lisbon"
    invitee.get_by_label("Search by city").fill("")
    zone.select_option("Europe/Berlin")
    invitee.get_by_text("Set from this device").wait_for()
    assert_accessible(invitee, "sign-up from an invitation")
    assert_no_sideways_scroll(invitee, "sign-up")
    screenshot(invitee, f"{shots}-first-run-signup")
    invitee.get_by_label("Your name").fill("Rowan Example")
    invitee.get_by_label("Email address").fill("rowan@example.test")
    invitee.get_by_label("Password", exact=True).fill("a calm and long passphrase")
    invitee.get_by_role("button", name="Create account").click()
    invitee.get_by_role("heading", name="Check your email").wait_for()
    assert "Family B" in invitee.locator("main").inner_text()

    invitee.goto(path_of(link_from_mail(mail.outbox, "rowan@example.test")))
    invitee.get_by_text("You joined Family B as Parent.").wait_for()
    assert_no_sideways_scroll(invitee, "sign-in after confirming")
    screenshot(invitee, f"{shots}-first-run-confirmed")
    invitee.get_by_label("Password").fill("a calm and long passphrase")
    invitee.get_by_role("button", name="Sign in").click()
    invitee.get_by_role("heading", name="Family B").wait_for()
    people = invitee.locator("main").inner_text()
    assert "Rowan Example" in people and "Charlie" in people
    assert "Create a family" not in people
    assert_accessible(invitee, "family home after joining")
    assert_no_sideways_scroll(invitee, "family home after joining")
    screenshot(invitee, f"{shots}-first-run-in-the-family")

    from coparent.families.models import Membership

    membership = Membership.objects.get(user__email="rowan@example.test")
    assert (membership.family_id, membership.role) == (cast.family_b.pk, "parent")
    assert membership.user.timezone == "Europe/Berlin"


def test_account_settings_suggest_the_devices_zone_without_changing_it(
    page_in_zone, live_server
) -> None:
    from tests.browser.conftest import sign_in
    from tests.cast import build_cast

    cast = build_cast()
    page = page_in_zone(PHONE, "Asia/Tokyo")
    sign_in(page, cast.alice.email)
    page.goto("/account/")
    zone = page.get_by_label("Your time zone")
    assert zone.input_value() == "America/Chicago", "a saved zone is never changed silently"
    page.get_by_role("button", name="Use Asia/Tokyo").click()
    assert zone.input_value() == "Asia/Tokyo"
    assert_accessible(page, "account settings")
    assert_no_sideways_scroll(page, "account settings")
    screenshot(page, "phone-first-run-account-zone")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Your settings are saved.").wait_for()
    cast.alice.refresh_from_db()
    assert cast.alice.timezone == "Asia/Tokyo"
