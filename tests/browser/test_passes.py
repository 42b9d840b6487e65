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
    assert_accessible(parent, "pass list")
    parent.get_by_role("link", name="Issue a pass").click()
    parent.get_by_label("Who will pick up").fill("Jamie Cousin")
    parent.get_by_label("Relationship to the children").fill("cousin")
    parent.get_by_label("Kit").check()
    parent.get_by_label("Other place").fill("Riverside School, main gate")
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

    parent.get_by_role("button", name="Revoke pass").click()
    parent.get_by_text("The pass is revoked").wait_for()

    gate.reload()
    assert gate.get_by_test_id("verdict").inner_text().startswith("NOT VALID")
    assert "revoked" in gate.get_by_test_id("reason").inner_text()
    assert_accessible(gate, "pass check (revoked)")
    screenshot(gate, "phone-pass-revoked")
