"""The school gate, in real browsers: a parent issues a pass for a cousin, the gate's phone (no
account) sees VALID, the parent revokes it, and the gate sees NOT VALID with the reason."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, screenshot, sign_in
from tests.cast import build_cast
from tests.passes.test_passes import one_parent_always

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_gate_checks_a_pass_then_sees_it_revoked(new_page) -> None:
    cast = build_cast()
    email = one_parent_always(cast)
    parent = new_page(DESKTOP)
    sign_in(parent, email)

    parent.get_by_role("link", name="Pickup passes").click()
    parent.wait_for_load_state("load")
    assert_accessible(parent, "pass list")
    parent.get_by_role("link", name="Issue a pass").click()
    parent.get_by_label("Full name").fill("Jamie Cousin")
    parent.get_by_label("Relationship to the children").fill("cousin")
    parent.get_by_label("Kit").check()
    parent.get_by_label("Where").fill("Riverside School, main gate")
    now = dt.datetime.now(dt.UTC).astimezone(
        zoneinfo.ZoneInfo("America/Chicago")
    )  # the cast's zone
    parent.get_by_label("Valid from").fill((now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    parent.get_by_label("Valid until").fill(
        (now + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    )
    assert_accessible(parent, "pass form")
    parent.get_by_role("button", name="Issue pass").click()
    parent.get_by_text("The pass is ready").wait_for()
    assert_accessible(parent, "pass detail")
    screenshot(parent, "desktop-pass-detail")
    link = parent.get_by_test_id("pass-link").inner_text()

    gate = new_page(PHONE)  # staff's phone: no account, no cookies
    gate.goto(urlparse(link).path)
    assert gate.get_by_test_id("verdict").inner_text().startswith("VALID")
    assert "Jamie Cousin" in gate.locator("main").inner_text()
    assert_accessible(gate, "pass check (valid)")
    screenshot(gate, "phone-pass-valid")

    parent.get_by_role("link", name="Revoke pass").click()
    parent.get_by_role("heading", name="Revoke the pass for Jamie Cousin?").wait_for()
    gate.reload()
    assert gate.get_by_test_id("verdict").inner_text().startswith("VALID"), "asking revokes nothing"
    parent.get_by_role("button", name="Yes, revoke the pass").click()
    parent.get_by_text("The pass is revoked").wait_for()

    gate.reload()
    assert gate.get_by_test_id("verdict").inner_text().startswith("NOT VALID")
    assert "revoked" in gate.get_by_test_id("reason").inner_text()
    assert_accessible(gate, "pass check (revoked)")
    screenshot(gate, "phone-pass-revoked")


def assert_no_overflow(page, label: str) -> None:
    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{label}: {wide}px wider than the screen"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_pass_form_revoke_question_and_place_sign_fit_the_screen(new_page, viewport) -> None:
    from coparent.passes import services
    from tests.passes.test_passes import issue, responsible

    cast = build_cast()
    one_parent_always(cast)
    services.gate_create(family=cast.family_a, actor=cast.alice, name="North gate")
    p = issue(cast)
    size = "phone" if viewport is PHONE else "desktop"
    parent = new_page(viewport)
    sign_in(parent, responsible(cast).email)
    base = f"/f/{cast.family_a.public_id}/passes/"

    parent.goto(base + "new/")
    assert parent.get_by_role("group", name="Which children").is_visible()
    assert parent.get_by_role("group", name="Who will pick up").is_visible()
    assert parent.get_by_role("group", name="Where").is_visible()
    assert_accessible(parent, "pass form")
    assert_no_overflow(parent, "pass form")
    screenshot(parent, f"{size}-pass-form")

    parent.goto(f"{base}{p.public_id}/revoke/")
    assert_accessible(parent, "revoke question")
    assert_no_overflow(parent, "revoke question")
    screenshot(parent, f"{size}-pass-revoke-question")

    parent.goto(base + "places/")
    parent.get_by_label("Name of the place").fill("Riverside School, main gate")
    parent.get_by_role("button", name="Add place").click()
    parent.get_by_role("heading", name="Riverside School, main gate", exact=True).wait_for()
    link = parent.get_by_test_id("gate-link").inner_text()
    assert "/gate/" in link
    copy = parent.get_by_role("button", name="Copy link")
    copy.wait_for()  # the script shows it once it has run; without the script it stays hidden
    copy.click()
    parent.locator("#copy-status").filter(has_text="Link").wait_for()
    assert_accessible(parent, "place page")
    assert_no_overflow(parent, "place page")
    screenshot(parent, f"{size}-place-page")

    parent.emulate_media(media="print")
    assert parent.get_by_test_id("gate-sign").is_visible()
    assert parent.locator("main svg").first.is_visible()
    assert not parent.get_by_role("button", name="Copy link").is_visible()
    assert not parent.locator(".site-header").is_visible()
    screenshot(parent, f"{size}-place-sign-print")
    parent.emulate_media(media="screen")

    staff = new_page(PHONE)
    staff.goto(urlparse(link).path)
    staff.get_by_role("heading", name="Expected pickups today").wait_for()
    assert_no_overflow(staff, "gate page")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_caregiver_shows_their_pass_from_their_page(new_page, viewport) -> None:
    from coparent.families.models import Membership
    from tests.passes.test_passes import issue

    cast = build_cast()
    one_parent_always(cast)
    gran = Membership.objects.get(family=cast.family_a, user=cast.gran)
    issue(cast, holder=gran, person_name="")
    size = "phone" if viewport is PHONE else "desktop"
    page = new_page(viewport)
    sign_in(page, cast.gran.email)
    page.get_by_test_id("my-passes-link").click()
    page.get_by_role("heading", name="My pickup passes").wait_for()
    assert page.get_by_test_id("held-pass").count() == 1
    assert page.get_by_role("img", name="QR code of your pass").is_visible()
    assert_accessible(page, "caregiver passes")
    assert_no_overflow(page, "caregiver passes")
    screenshot(page, f"{size}-caregiver-passes")
