"""The professionals' workspace and leaving, in real Chromium at phone and desktop widths: a
mediator asks a parent for access, the parent approves from the email's link, reads what the
mediator opened, makes a copy of their data and reads what deleting their account would do."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from coparent.families.models import ProfessionalKind, Role
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_no_horizontal_overflow,
    open_menu,
    screenshot,
    sign_in,
)
from tests.cast import PASSWORD, build_cast, join, make_user
from tests.tasks import run_tasks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, label: str) -> None:
    assert_accessible(page, label)
    assert_no_horizontal_overflow(page, label)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_professional_asks_and_a_parent_approves(new_page, mailoutbox, viewport) -> None:
    cast = build_cast()
    pat = make_user("pc@example.test", "Pat Coordinator")
    join(
        cast.family_b,
        cast.charlie,
        pat,
        Role.PROFESSIONAL,
        professional_kind=ProfessionalKind.PARENTING_COORDINATOR,
    )
    size = "phone" if viewport == PHONE else "desktop"

    mediator = new_page(viewport)  # the parenting coordinator, with access to Family B
    mediator.goto("/accounts/login/")
    mediator.get_by_label("Email address").fill("pc@example.test")
    mediator.get_by_label("Password").fill(PASSWORD)
    mediator.get_by_role("button", name="Sign in").click()
    mediator.get_by_role("heading", name="Family B").wait_for()
    open_menu(mediator)
    mediator.get_by_role("link", name="Professional workspace").click()
    mediator.get_by_role("heading", name="Professional workspace").wait_for()
    assert "Access ends" in mediator.get_by_test_id("workspace-families").inner_text()
    check(mediator, "workspace")
    screenshot(mediator, f"{size}-workspace")

    mediator.get_by_role("link", name="Ask a family for access").click()
    mediator.get_by_label("A parent's email address").fill("bob@example.test")
    mediator.get_by_label("You are").select_option("guardian-ad-litem")
    mediator.get_by_label("Access for (days)").fill("21")
    mediator.get_by_label("A note for the parents").fill("Appointed in case 118.")
    check(mediator, "access request form")
    screenshot(mediator, f"{size}-access-request-form")
    mediator.get_by_role("button", name="Send the request").click()
    mediator.get_by_text("If that address belongs to a parent").wait_for()
    assert "Waiting for an answer" in mediator.get_by_test_id("workspace-requests").inner_text()

    bob = new_page(viewport)
    sign_in(bob, "bob@example.test")
    run_tasks()
    request_mail = next(m for m in mailoutbox if "asks for access" in m.subject)
    assert request_mail.to == ["bob@example.test"]
    bob.goto(urlparse(re.search(r"https?://\S+", request_mail.body).group(0)).path)
    bob.get_by_role("heading", name="A professional asks for access").wait_for()
    assert "Appointed in case 118." in bob.get_by_test_id("access-request").inner_text()
    check(bob, "access request")
    screenshot(bob, f"{size}-access-request")
    bob.get_by_role("button", name="Approve").click()
    bob.get_by_text("has read-only access for 21 days").wait_for()

    # The parent reads what a professional opened, in words, one professional at a time.
    mediator.goto(f"/f/{cast.family_a.public_id}/people/")
    other = new_page(viewport)
    sign_in(other, "mediator@example.test")
    bob.goto(f"/f/{cast.family_a.public_id}/access-log/")
    bob.get_by_role("link", name="Pat Coordinator").click()
    bob.get_by_role("heading", name="What Pat Coordinator opened").wait_for()
    log = bob.get_by_test_id("access-log").inner_text()
    assert "Pat Coordinator viewed the people in the family" in log
    assert "Medi Ator" not in log
    check(bob, "access log of one professional")
    screenshot(bob, f"{size}-access-log-professional")

    # Leaving: a copy of the data, and what deleting the account would do.
    bob.goto("/account/data/")
    bob.get_by_role("button", name="Make a copy of my data").click()
    bob.get_by_text("Your copy is being made").wait_for()
    run_tasks()
    bob.get_by_test_id("data-export-download").wait_for(timeout=15_000)  # the page refreshes itself
    check(bob, "your data")
    screenshot(bob, f"{size}-your-data")
    bob.goto("/account/delete/")
    assert "a former member" in bob.get_by_test_id("delete-explained").inner_text()
    check(bob, "delete account")
    screenshot(bob, f"{size}-delete-account")
