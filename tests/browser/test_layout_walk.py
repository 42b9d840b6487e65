"""What a newcomer's walk on a phone and a desktop found: the phone menu is a short bar, the week
fits a 1366 px screen, and the builder's preview keeps names whole and lists only exchanges to
come. Screenshots at 390 px and on a desktop."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from coparent.schedule import services
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
from tests.schedule.helpers import agreed, two_two_three

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}


def family_with_a_schedule():
    cast = build_cast()
    agreed(
        cast,
        two_two_three(**{"x-exchange-place": "Riverside Community Library, north entrance"}),
    )
    # Kit's own plan too: with two plans each night is labelled ("All children: Alice Parent").
    own = services.schedule_propose(
        family=cast.family_a,
        actor=cast.alice,
        spec=two_two_three(),
        child=cast.kit,
        effective_at=timezone.now() + dt.timedelta(days=1),
    )
    services.schedule_accept(family=cast.family_a, actor=cast.bob, version=own)
    today = timezone.now().date()
    services.event_create(
        family=cast.family_a,
        actor=cast.alice,
        # One long word, as a pasted link or a hyphenated name makes: it must not widen a day.
        title="Parent-teacher-conference-with-Ms-Abernathy-Whitfield",
        kind="school",
        starts_at=dt.datetime.combine(today, dt.time(16), tzinfo=dt.UTC),
    )
    return cast


def test_the_phone_menu_is_a_short_bar_that_opens_without_javascript(browser, live_server):
    cast = family_with_a_schedule()
    context = browser.new_context(
        viewport=PHONE, base_url=live_server.url, java_script_enabled=False
    )
    try:
        page = context.new_page()
        from tests.cast import PASSWORD

        page.goto("/accounts/login/")
        page.get_by_label("Email address").fill(cast.alice.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Family A").wait_for()
        page.wait_for_load_state("load")
        height = page.locator("header.site-header").bounding_box()["height"]
        assert height < 60, f"the header takes {height} px of an 844 px screen"
        assert not page.get_by_role("link", name="Calendar", exact=True).is_visible()
        screenshot(page, "phone-menu-closed")
        open_menu(page)
        page.get_by_role("link", name="Calendar", exact=True).wait_for()
        assert page.get_by_role("button", name="Sign out").is_visible()
        assert_no_horizontal_overflow(page, "phone menu open")
        screenshot(page, "phone-menu-open")
        page.get_by_role("link", name="Calendar", exact=True).click()
        page.wait_for_url("**/calendar/**")
    finally:
        context.close()


def test_the_desktop_menu_is_always_open_under_the_bar(new_page):
    family_with_a_schedule()
    page = new_page(DESKTOP)
    sign_in(page, "alice@example.test")
    for name in ("Home", "Messages", "Calendar", "Exchanges", "Record", "Account"):
        assert page.get_by_role("link", name=name, exact=True).is_visible(), name
    assert not page.locator("details.menu > summary").is_visible()
    screenshot(page, "desktop-menu")
    # Two rows: brand, switcher, bell and quick exit; then the family's pages and the account.
    height = page.locator("header.site-header").bounding_box()["height"]
    assert height < 100, f"the header takes {height} px on a desktop"
    exit_box = page.get_by_test_id("quick-exit").bounding_box()
    assert exit_box["y"] < 20 and exit_box["x"] > DESKTOP["width"] - 150, "quick exit: top right"
    assert_accessible(page, "family home with the desktop menu")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "phone"])
def test_the_week_fits_the_screen(new_page, viewport):
    cast = family_with_a_schedule()
    page = new_page(viewport)
    sign_in(page, cast.alice.email)
    page.goto(f"/f/{cast.family_a.public_id}/calendar/week/")
    page.get_by_text("Ms-Abernathy-Whitfield").first.wait_for()
    assert_no_horizontal_overflow(page, "week view")
    wider = page.evaluate(
        """() => [...document.querySelectorAll('ol.days .day')]
            .filter(day => day.scrollWidth > day.clientWidth + 1).length"""
    )
    assert wider == 0, f"{wider} days are wider than their column"
    assert_accessible(page, "week view")
    screenshot(page, f"{'desktop-1366' if viewport == LAPTOP else 'phone'}-week")


# Words in the preview's cells that are split over two lines (each word's text measured with a
# Range: a whole word has one box).
BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll('table.preview-weeks td')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const re = /\\S+/g;
      let m;
      while ((m = re.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_builder_preview_keeps_names_whole_and_shows_only_exchanges_to_come(new_page, viewport):
    cast = family_with_a_schedule()
    page = new_page(viewport)
    sign_in(page, cast.alice.email)
    now = timezone.now()  # before the page renders its exchanges to come, not after
    page.goto(f"/f/{cast.family_a.public_id}/schedule/new/")
    page.get_by_text("No change yet").wait_for()
    assert page.evaluate(BROKEN_WORDS) == []
    times = page.locator(".next-exchanges time").evaluate_all(
        "items => items.map(t => t.getAttribute('datetime'))"
    )
    assert times and all(dt.datetime.fromisoformat(t) >= now for t in times), times
    assert_no_horizontal_overflow(page, "builder")
    page.get_by_label("Usual exchange place").fill("Town library")
    page.get_by_label("Usual exchange place").blur()
    page.get_by_text("Exchange place: Riverside Community Library").wait_for()
    assert_accessible(page, "builder with a change")
    screenshot(page, f"{'desktop' if viewport == DESKTOP else 'phone'}-builder-change")
