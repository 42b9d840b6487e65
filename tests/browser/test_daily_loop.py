"""The daily loop, end to end on a phone and a desktop: a swap request reaches the other parent's
home, their inbox and their phone; quiet hours hold the phone back until they end."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from coparent.notifications.services import deliveries_release
from coparent.push import services as push_services
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_no_horizontal_overflow,
    screenshot,
    sign_in,
)
from tests.cast import build_cast
from tests.push.fake_push_service import browser_keys
from tests.schedule.helpers import agreed, swap, two_two_three
from tests.tasks import run_tasks, sent_mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SWAP_REQUESTS = "Swap requests from the other parent"


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_a_swap_request_reaches_home_email_and_phone_and_quiet_hours_hold_the_phone(
    new_page, push_service, time_machine, viewport, name
) -> None:
    cast = build_cast()
    version = agreed(cast, two_two_three())
    phone = browser_keys()
    push_services.subscription_save(
        user=cast.bob,
        endpoint=push_service.endpoint("bob-phone"),
        p256dh=phone.p256dh,
        auth=phone.auth,
        user_agent="",
    )

    # By default a swap request is emailed, neutrally, and waits on home.
    swap(cast, version, by=cast.alice, reason="Cousin Robin's wedding")
    [email] = [m for m in sent_mail() if m.to == [cast.bob.email] and "request" in m.subject]
    assert email.subject == "You have a new request in coparent"
    assert "Alice" not in email.body and "wedding" not in email.body
    page = new_page(viewport)
    sign_in(page, cast.bob.email)
    attention = page.get_by_test_id("attention")
    attention.wait_for()
    assert "Alice Parent asks to swap time" in attention.inner_text()
    screenshot(page, f"{name}-daily-loop-home")

    # Bob moves swap requests to his phone and keeps 10:00-12:00 quiet (New York; it is 11:00).
    page.goto("/account/notifications/")
    page.get_by_label(SWAP_REQUESTS).select_option("push")
    page.get_by_label("Quiet hours start").fill("10:00")
    page.get_by_label("Quiet hours end").fill("12:00")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved.").wait_for()
    assert_no_horizontal_overflow(page, f"notification settings ({name})")
    screenshot(page, f"{name}-daily-loop-settings")

    swap(cast, version, by=cast.alice, days=20, reason="A school trip")
    run_tasks()
    assert push_service.received == [], "quiet hours let a push through"

    time_machine.move_to(dt.datetime(2026, 6, 17, 16, 5, tzinfo=dt.UTC))  # 12:05 in New York
    assert deliveries_release() == 1
    [delivered] = push_service.received
    payload = json.loads(phone.decrypt(delivered.body))
    assert payload["body"] == "You have a new request in coparent"
    assert "Alice" not in json.dumps(payload)
    assert payload["url"].startswith(f"/f/{cast.family_a.public_id}/")
    page.goto(payload["url"])
    page.get_by_role("button", name="Accept").first.wait_for()
