"""Two parents message each other in two browsers: new messages and read receipts arrive without
a reload, and the conversation's export downloads from the thread page and verifies."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, screenshot, sign_in
from tests.cast import build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_two_parents_exchange_messages_and_export_the_thread(new_page, tmp_path, settings) -> None:
    settings.MESSAGING_ATTACHMENT_DIR = str(tmp_path / "attachments")
    cast = build_cast()
    family = cast.family_a.public_id
    alice = new_page(DESKTOP)
    bob = new_page(PHONE)
    sign_in(alice, cast.alice.email)
    sign_in(bob, cast.bob.email)

    alice.get_by_role("link", name="Messages", exact=True).click()
    alice.get_by_role("heading", name="Messages").wait_for()
    alice.get_by_role("link", name="New conversation").click()
    assert_accessible(alice, "compose form")
    screenshot(alice, "desktop-messaging-compose")
    alice.get_by_label("Subject").fill("School pickup")
    alice.get_by_role("textbox", name="Message").fill("You never pick Kit up on time.")
    alice.get_by_role("button", name="Start conversation").click()
    # The tone check warns and names the phrase; Alice rephrases.
    alice.get_by_test_id("tone-warning").wait_for()
    assert "You never" in alice.get_by_test_id("tone-warning").inner_text()
    screenshot(alice, "desktop-messaging-tone-warning")
    alice.get_by_role("textbox", name="Message").fill("Can you pick Kit up at 3 on Friday?")
    alice.get_by_role("button", name="Send the new version").click()
    alice.get_by_role("heading", name="School pickup").wait_for()
    assert alice.get_by_text("Not seen yet").is_visible()

    bob.goto(f"/f/{family}/messages/")
    bob.get_by_text("1 new").wait_for()
    assert_accessible(bob, "thread list")
    screenshot(bob, "phone-messaging-threads")
    bob.get_by_role("link", name="School pickup").click()
    bob.get_by_text("Can you pick Kit up at 3 on Friday?").wait_for()

    # Alice's page, never reloaded, shows Bob's read receipt from its next poll.
    alice.get_by_text("Seen by Bob Parent at").wait_for(timeout=15_000)

    bob.get_by_role("textbox", name="Message").fill("Yes, 3 on Friday works.")
    bob.get_by_role("button", name="Send").click()
    bob.get_by_text("Yes, 3 on Friday works.").wait_for()
    assert_accessible(bob, "thread")
    screenshot(bob, "phone-messaging-thread")
    alice.get_by_text("Yes, 3 on Friday works.").wait_for(timeout=15_000)
    # Alice is shown Bob's reply in place, which records her receipt for Bob.
    bob.get_by_text("Seen by Alice Parent at").wait_for(timeout=15_000)
    assert_accessible(alice, "thread (desktop)")
    screenshot(alice, "desktop-messaging-thread")

    with alice.expect_download() as info:
        alice.get_by_test_id("export-thread").click()
    bundle = tmp_path / "conversation.zip"
    info.value.save_as(bundle)
    result = subprocess.run(
        [sys.executable, "-m", "coparent.cli", "verify", str(bundle)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PARTIAL export" in result.stdout

    # The other messaging screens are usable too.
    alice.goto(f"/f/{family}/messages/search/?q=friday")
    alice.get_by_text("2 messages found").wait_for()
    assert_accessible(alice, "search")
    alice.goto(f"/f/{family}/messages/response-times/")
    alice.get_by_text("Median wait for a reply").first.wait_for()
    assert_accessible(alice, "response times")
    bob.goto(f"/f/{family}/messages/settings/")
    bob.get_by_label("Fold away messages that may be hostile").check()
    bob.get_by_role("button", name="Save").click()
    bob.get_by_text("Saved.").wait_for()
    assert_accessible(bob, "message settings")
    screenshot(bob, "phone-messaging-settings")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_compose_forms_say_who_will_read(new_page, viewport) -> None:
    from tests.messaging.helpers import open_thread

    cast = build_cast()
    thread = open_thread(cast, others=[cast.gran])
    size = "phone" if viewport is PHONE else "desktop"
    page = new_page(viewport)
    sign_in(page, cast.alice.email)
    page.goto(f"/f/{cast.family_a.public_id}/messages/new/")
    assert "Bob Parent will read this." in page.get_by_test_id("readers").inner_text()
    page.get_by_label("Subject").fill("You ALWAYS forget, idiot")
    page.get_by_role("textbox", name="Message").fill("Kit needs shoes.")
    page.get_by_role("button", name="Start conversation").click()
    page.get_by_test_id("tone-warning").wait_for()
    assert "idiot" in page.get_by_test_id("tone-warning").inner_text()
    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0
    screenshot(page, f"{size}-messaging-compose-readers")
    page.goto(f"/f/{cast.family_a.public_id}/messages/{thread.public_id}/")
    readers = page.get_by_test_id("readers").inner_text()
    assert readers == "Bob Parent and Gran Caregiver will read this."
    assert_accessible(page, "thread with readers")
    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0
    screenshot(page, f"{size}-messaging-thread-readers")
