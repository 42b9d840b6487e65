"""The parenting plan in real browsers: one parent proposes the right of first refusal on a
phone, the other accepts on a desktop; time away is offered and taken; the printable plan and the
calendar's call windows fit both screens."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

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

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, label: str) -> None:
    # A click that navigates returns once the new page starts arriving: judge it when loaded.
    page.wait_for_load_state("load")
    assert_accessible(page, label)
    assert_no_horizontal_overflow(page, label)
    screenshot(page, label)


def test_propose_accept_offer_time_away_and_print(new_page) -> None:
    from tests.exchanges.helpers import daily_exchanges
    from tests.plan.helpers import TERMS, agree, away_during_own_time

    cast = build_cast()
    plan = daily_exchanges(cast)
    agree(cast, "calls", TERMS["calls"])
    agree(cast, "online", TERMS["online"])
    chicago = zoneinfo.ZoneInfo("America/Chicago")  # alice's zone in the cast
    respond_by = (timezone.now() + dt.timedelta(days=7)).astimezone(chicago)

    alice = new_page(PHONE)
    sign_in(alice, cast.alice.email)
    open_menu(alice)
    alice.get_by_role("link", name="Parenting plan").click()
    alice.get_by_role("heading", name="Parenting plan", exact=True).wait_for()
    check(alice, "phone-plan")
    alice.locator("#first_refusal").get_by_role("link", name="Propose").click()
    alice.get_by_label("Hours away before the other parent is offered the time").fill("6")
    alice.get_by_label("Answer by").fill(respond_by.strftime("%Y-%m-%dT%H:%M"))
    check(alice, "phone-plan-propose")
    alice.get_by_role("button", name="Send proposal").click()
    alice.get_by_text("Proposed. It applies once the other parent accepts it.").wait_for()

    bob = new_page(DESKTOP)
    sign_in(bob, cast.bob.email)
    bob.goto(f"/f/{cast.family_a.public_id}/plan/")
    section = bob.locator("#first_refusal")
    assert "6 hours" in section.inner_text()
    check(bob, "desktop-plan-pending")
    section.get_by_role("button", name="Accept").click()
    bob.get_by_text("Agreed. The plan now says this.").wait_for()
    assert "6 hours" in bob.locator("#first_refusal").inner_text()

    away = away_during_own_time(cast, plan, hours=8)
    bob.goto(f"/f/{cast.family_a.public_id}/")
    bob.get_by_role("link", name="offers you the time first").first.click()
    check(bob, "desktop-time-away")
    bob.get_by_role("button", name="Accept: I will have the children").click()
    bob.get_by_text("Accepted: the children are with you for that time.").wait_for()
    away.refresh_from_db()
    assert away.swap is not None

    alice.goto(f"/f/{cast.family_a.public_id}/plan/time-away/new/")
    check(alice, "phone-time-away-form")
    for page, size in ((alice, "phone"), (bob, "desktop")):
        page.goto(f"/f/{cast.family_a.public_id}/plan/print/")
        assert "Right of first refusal" in page.locator("main").inner_text()
        check(page, f"{size}-plan-print")
        page.goto(f"/f/{cast.family_a.public_id}/calendar/week/?date=2026-06-15")
        assert "Call window" in page.locator("main").inner_text()
        check(page, f"{size}-calendar-call-windows")
