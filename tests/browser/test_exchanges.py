"""An exchange in a real browser: the agreed terms are shown on it, and both parents check in."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import PHONE, assert_accessible, open_menu, screenshot, sign_in
from tests.cast import build_cast
from tests.exchanges.helpers import daily_exchanges, next_exchange, sides
from tests.exchanges.test_exchanges import agree_terms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_parents_see_the_terms_and_check_in(new_page) -> None:
    cast = build_cast()
    plan = daily_exchanges(cast)
    agree_terms(cast, plan)
    at = next_exchange() - dt.timedelta(days=1)  # the last one: less than a day ago, still open
    giver, _taker = sides(plan, at)
    page = new_page(PHONE)
    sign_in(page, giver.email)
    open_menu(page)
    page.get_by_role("link", name="Exchanges").click()
    page.get_by_role("heading", name="Exchanges", exact=True).wait_for()
    assert "Library car park" in page.locator("main").inner_text()
    assert_accessible(page, "exchanges")
    screenshot(page, "phone-exchanges")
    page.goto(f"/f/{cast.family_a.public_id}/exchanges/{plan.public_id}/{int(at.timestamp())}/")
    assert "The receiving parent waits in the car." in page.locator("main").inner_text()
    assert_accessible(page, "exchange")
    page.get_by_role("button", name="I've arrived").click()
    page.get_by_text("Recorded at").wait_for()
    screenshot(page, "phone-exchange-checked-in")
    page.goto(f"/f/{cast.family_a.public_id}/exchanges/report/")
    assert_accessible(page, "planned versus actual")
    page.goto(f"/f/{cast.family_a.public_id}/exchanges/terms/{plan.public_id}/")
    assert_accessible(page, "terms")
