"""Schedules in a real browser: Alice builds a 2-2-3 schedule with holidays, Bob accepts it in his
own browser, both see it on the month calendar; Alice asks for a swap, Bob accepts, and the
calendar changes. Checked by axe-core, with screenshots on a desktop and a 390 px phone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from coparent.engine import parse_spec
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, screenshot
from tests.cast import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHICAGO = ZoneInfo("America/Chicago")
ANCHOR = "2026-01-05"


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Family A").wait_for()


def bobs_two_nights(today: dt.date) -> dt.date:
    """The first day at least 5 days ahead whose night and the next one are Bob's under 2-2-3."""
    schedule = parse_spec(
        {
            "timezone": "America/Chicago",
            "parents": ["A", "B"],
            "rotation": {"template": "2-2-3", "anchor": ANCHOR, "first": "A"},
        }
    )
    day = today + dt.timedelta(days=5)
    while True:
        start = dt.datetime.combine(day, dt.time(20), tzinfo=CHICAGO)
        nights = schedule.timeline(start, start + dt.timedelta(days=2)).nights
        if [n.parent for n in nights] == ["B", "B"]:
            return day
        day += dt.timedelta(days=1)


def night_in_month(page, day: dt.date) -> str:
    label = f"{day:%A} {day.day} {day:%B}"
    return (
        page.locator(f'td:has(a[aria-label="{label}"]) .night').first.inner_text().split("\n")[-1]
    )


def test_build_agree_swap_and_see_the_calendar_change(new_page) -> None:
    cast = build_cast()
    family = f"/f/{cast.family_a.public_id}"

    alice = new_page(DESKTOP)
    sign_in(alice, "alice@example.test")
    alice.goto(f"{family}/schedule/new/")
    alice.get_by_role("heading", name="Build the schedule").wait_for()
    # The page opens with a preview of its starting values; htmx refreshes it on every change.
    first_night = alice.locator("#preview table.preview-weeks td").first
    expect(first_night).to_contain_text("Alice Parent")
    starts = alice.get_by_label("Who has the children at the start of the pattern")
    starts.select_option(label="Bob Parent")
    expect(first_night).to_contain_text("Bob Parent")
    starts.select_option(label="Alice Parent")
    expect(first_night).to_contain_text("Alice Parent")
    alice.get_by_label("2-2-3").check()
    alice.get_by_label("First day of the pattern").fill(ANCHOR)
    alice.get_by_label("Exchange time").fill("18:00")
    alice.get_by_label("Governing time zone").select_option("America/Chicago")
    alice.get_by_label("Usual exchange place").fill("School gate")
    alice.get_by_label("Thanksgiving", exact=True).check()
    alice.get_by_label("Christmas", exact=True).check()
    alice.get_by_label("School breaks").fill("2026-12-19 2027-01-03 Winter break")
    # The Preview button does the same without script (a full page).
    alice.get_by_role("button", name="Preview").click()
    alice.get_by_role("heading", name="The coming year").wait_for()
    assert "Alice Parent" in alice.locator("#preview").inner_text()
    assert_accessible(alice, "schedule builder")
    screenshot(alice, "desktop-schedule-builder")
    alice.get_by_role("button", name="Send to the other parent").click()
    alice.get_by_text("Proposal sent.").wait_for()

    bob = new_page(DESKTOP)
    sign_in(bob, "bob@example.test")
    bob.goto(f"{family}/schedule/")
    bob.get_by_role("button", name="Accept").click()
    bob.get_by_text("Agreed. The new schedule is on the calendar.").wait_for()

    today = dt.datetime.now(CHICAGO).date()
    swap_day = bobs_two_nights(today)
    month = f"?month={swap_day:%Y-%m}"
    alice.goto(f"{family}/calendar/{month}")
    assert night_in_month(alice, swap_day) == "Bob Parent"
    assert_accessible(alice, "month calendar")
    screenshot(alice, "desktop-calendar-month")

    alice.goto(f"{family}/swaps/")
    alice.get_by_role("link", name="Ask for a swap").click()
    alice.wait_for_load_state("load")
    assert_accessible(alice, "swap form")
    alice.get_by_label("You would have the children from").fill(f"{swap_day}T18:00")
    alice.get_by_label("You would have them until").fill(f"{swap_day + dt.timedelta(days=2)}T18:00")
    alice.get_by_label("Please answer by").fill(f"{today + dt.timedelta(days=2)}T20:00")
    alice.get_by_label("Reason").fill("Cousin's wedding")
    alice.get_by_role("button", name="Send the request").click()
    alice.get_by_text("Request sent to the other parent.").wait_for()
    assert_accessible(alice, "swap request")
    screenshot(alice, "desktop-swap-request")

    bob.goto(f"{family}/swaps/")
    assert_accessible(bob, "swap list")
    bob.get_by_role("link", name="Alice Parent has the children").click()
    bob.get_by_role("heading", name="Your answer").wait_for()
    assert_accessible(bob, "swap answer")
    bob.get_by_role("button", name="Accept").click()
    bob.get_by_text("Accepted. The calendar shows the swap.").wait_for()

    alice.goto(f"{family}/calendar/{month}")
    assert night_in_month(alice, swap_day) == "Alice Parent"
    assert alice.locator(".item.special.swap").count() >= 1
    screenshot(alice, "desktop-calendar-after-swap")
    alice.goto(f"{family}/calendar/week/?date={swap_day}")
    assert_accessible(alice, "week calendar")
    screenshot(alice, "desktop-calendar-week")
    alice.goto(f"{family}/schedule/")
    assert_accessible(alice, "schedule versions")
    screenshot(alice, "desktop-schedule-versions")
    alice.goto(f"{family}/report/")
    assert_accessible(alice, "parenting-time report")
    screenshot(alice, "desktop-report")
    alice.goto(f"{family}/")
    alice.get_by_role("heading", name="Right now").wait_for()
    assert_accessible(alice, "family home")
    screenshot(alice, "desktop-family-home")

    phone = new_page(PHONE)
    sign_in(phone, "bob@example.test")
    phone.goto(f"{family}/calendar/{month}")
    assert_accessible(phone, "month calendar on a phone")
    screenshot(phone, "phone-calendar-month")
    phone.goto(f"{family}/calendar/agenda/")
    phone.get_by_text("Alice Parent → Bob Parent").first.wait_for()
    assert_accessible(phone, "agenda on a phone")
    screenshot(phone, "phone-calendar-agenda")
    phone.goto(f"{family}/swaps/")
    assert_accessible(phone, "swap list on a phone")
    screenshot(phone, "phone-swaps")
    phone.goto(f"{family}/swaps/new/")
    assert_accessible(phone, "swap form on a phone")
    screenshot(phone, "phone-swap-form")
    phone.goto(f"{family}/schedule/new/")
    assert_accessible(phone, "schedule builder on a phone")
    screenshot(phone, "phone-schedule-builder")
    phone.goto(f"{family}/")
    phone.get_by_role("heading", name="Right now").wait_for()
    screenshot(phone, "phone-family-home")
