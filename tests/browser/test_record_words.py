"""A newcomer reads the record and the access log on a phone and on a desktop: sentences, not
internal kinds or request paths, and nothing scrolls sideways."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, screenshot, sign_in
from tests.cast import build_cast
from tests.messaging.helpers import open_thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDEST = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('main *')]
    .filter((el) => el.getBoundingClientRect().right > width + 1)
    .map((el) => el.tagName + '.' + el.className);
  return {page: document.documentElement.scrollWidth - width, wide: wide.slice(0, 5)};
}"""


def assert_no_sideways_scroll(page, label: str) -> None:
    found = page.evaluate(WIDEST)
    assert found["page"] <= 0 and not found["wide"], f"{label} overflows: {found}"


def test_the_record_and_access_log_read_as_sentences(new_page) -> None:
    cast = build_cast()
    family = cast.family_a.public_id

    # The mediator opens the December calendar; the page's record check runs in the background.
    mediator = new_page(PHONE)
    sign_in(mediator, cast.mediator.email, witnessed=True)
    mediator.goto(f"/f/{family}/calendar/?month=2026-12")
    mediator.wait_for_function("() => document.documentElement.dataset.recordChecked !== undefined")
    # A conversation polls for new messages; htmx names the page on each poll.
    thread = open_thread(cast, others=[cast.mediator])
    with mediator.expect_request(lambda r: "/poll/" in r.url, timeout=15_000) as polled:
        mediator.goto(f"/f/{family}/messages/{thread.public_id}/")
    page_id = mediator.get_by_test_id("message-log").get_attribute("hx-headers")
    assert polled.value.headers["x-coparent-page"] in page_id

    for viewport, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page = new_page(viewport)
        sign_in(page, cast.alice.email, witnessed=True)
        page.goto(f"/f/{family}/record/")
        entries = page.get_by_test_id("record-entries")
        assert entries.get_by_text("Alice Parent created the family").is_visible()
        assert entries.get_by_test_id("record-kind").first.is_visible()  # the kind, small
        assert page.locator("main table").count() == 0
        assert_no_sideways_scroll(page, f"{name} record")
        assert_accessible(page, f"{name} record")
        screenshot(page, f"{name}-record-in-words")

        page.goto(f"/f/{family}/access-log/")
        log = page.get_by_test_id("access-log")
        visits = log.get_by_test_id("access-visit")
        assert visits.filter(has_text="Medi Ator read a conversation").count() == 1
        visit = visits.filter(has_text="Medi Ator viewed the calendar (December 2026)")
        assert visit.count() == 1
        summary = visit.locator("summary")
        background = r"The request, and \d+ more the page made in the background"
        assert re.fullmatch(background, summary.inner_text())
        assert visit.get_by_test_id("access-raw").first.is_hidden()
        summary.click()
        raw = visit.get_by_test_id("access-raw").all_inner_texts()
        assert raw[0] == f"GET /f/{family}/calendar/"
        assert all("/record/" in line for line in raw[1:])
        assert_no_sideways_scroll(page, f"{name} access log")
        assert_accessible(page, f"{name} access log")
        screenshot(page, f"{name}-access-log-in-words")
