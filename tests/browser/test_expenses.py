"""Money in a real browser: a parent adds an expense with a receipt, the other approves part of
it, the ledger shows who owes whom and settles up; the summary's chart and the rules page. On a
phone and a desktop, accessible, nothing wider than the screen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from coparent.expenses import services
from coparent.families.models import Membership
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
from tests.messaging.helpers import png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _files(settings, tmp_path) -> None:
    settings.MESSAGING_ATTACHMENT_DIR = str(tmp_path / "attachments")


def some_history(cast) -> None:
    for index, (what, category, amount) in enumerate(
        [
            ("Dentist check-up", "medical", "120.00"),
            ("School trip to the coast", "education", "45.50"),
            ("Football boots", "activities", "89.99"),
        ]
    ):
        made = services.expense_create(
            family=cast.family_a,
            actor=cast.alice,
            description=what,
            category=category,
            amount=Decimal(amount),
            currency="USD",
            date=dt.date(2026, 5, 1) + dt.timedelta(days=index * 7),
            children=[cast.kit],
        )
        if index < 2:
            services.expense_approve(family=cast.family_a, actor=cast.bob, expense=made)


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_a_parent_adds_an_expense_and_the_other_answers(new_page, tmp_path, viewport, label):
    cast = build_cast()
    some_history(cast)
    family = cast.family_a.public_id
    receipt = tmp_path / "receipt.png"
    receipt.write_bytes(png_bytes((40, 60)))

    page = new_page(viewport)
    sign_in(page, cast.alice.email)
    if viewport is PHONE:
        open_menu(page)
    page.get_by_role("link", name="Money").click()
    page.get_by_role("heading", name="Money", exact=True).wait_for()
    assert "Bob Parent owes you $82.75" in page.locator("main").inner_text()
    assert_accessible(page, f"{label} ledger")
    assert_no_horizontal_overflow(page, f"{label} ledger")
    screenshot(page, f"{label}-money-ledger")

    page.get_by_role("link", name="Add an expense").click()
    page.get_by_label("What was it for?").fill("Winter coat")
    page.get_by_label("Category").select_option("clothing")
    page.get_by_label("Amount").fill("60.00")
    page.get_by_label("Receipts").set_input_files(str(receipt))
    assert_accessible(page, f"{label} expense form")
    assert_no_horizontal_overflow(page, f"{label} expense form")
    screenshot(page, f"{label}-money-new-expense")
    page.get_by_role("button", name="Save and ask for the share").click()
    page.get_by_text("The other parent is asked for their share.").wait_for()
    assert "receipt.png" in page.locator("main").inner_text()
    assert_accessible(page, f"{label} expense")
    assert_no_horizontal_overflow(page, f"{label} expense")

    other = new_page(viewport)
    sign_in(other, cast.bob.email)
    other.goto(f"/f/{family}/expenses/")
    other.get_by_role("link", name="Winter coat").first.click()
    other.get_by_text("Approve part of it").click()
    other.get_by_label("Amount you approve").fill("20")
    other.get_by_label("Reason").first.fill("Half of the cheaper coat")
    other.get_by_role("button", name="Approve this part").click()
    other.get_by_text("Your answer is saved.").wait_for()
    assert "Partly approved" in other.locator("main").inner_text()
    screenshot(other, f"{label}-money-expense-answered")

    other.goto(f"/f/{family}/expenses/")
    assert "You owe Alice Parent $102.75" in other.locator("main").inner_text()
    other.get_by_role("link", name="Settle up").click()
    other.get_by_label("How").select_option("bank_transfer")
    assert_accessible(other, f"{label} settle up")
    assert_no_horizontal_overflow(other, f"{label} settle up")
    other.get_by_role("button", name="Record $102.75").click()
    other.get_by_text("The other parent is asked to confirm it.").wait_for()
    screenshot(other, f"{label}-money-settled")


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_summary_chart_and_the_rules_page(new_page, viewport, label):
    cast = build_cast()
    some_history(cast)
    alice = Membership.objects.active().get(family=cast.family_a, user=cast.alice)
    bob = Membership.objects.active().get(family=cast.family_a, user=cast.bob)
    services.agreement_propose(
        family=cast.family_a,
        actor=cast.alice,
        effective_from=dt.date(2026, 7, 1),
        rules=[services.RuleSpec({alice: Decimal(60), bob: Decimal(40)})],
    )
    family = cast.family_a.public_id
    page = new_page(viewport)
    sign_in(page, cast.bob.email)
    page.goto(f"/f/{family}/expenses/summary/")
    chart = page.get_by_role("img", name="Spending by category in USD")
    chart.wait_for()
    assert "Medical and dental" in page.locator("table").first.inner_text()
    assert_accessible(page, f"{label} summary")
    assert_no_horizontal_overflow(page, f"{label} summary")
    screenshot(page, f"{label}-money-summary")

    page.goto(f"/f/{family}/expenses/rules/")
    page.get_by_role("heading", name="Proposed, waiting for an answer").wait_for()
    assert_accessible(page, f"{label} rules")
    assert_no_horizontal_overflow(page, f"{label} rules")
    screenshot(page, f"{label}-money-rules")
    page.get_by_role("link", name="Answer").click()
    page.get_by_role("button", name="Accept").click()
    page.get_by_text("Accepted.").wait_for()
    page.goto(f"/f/{family}/expenses/settings/")
    assert_accessible(page, f"{label} money settings")
    assert_no_horizontal_overflow(page, f"{label} money settings")
    screenshot(page, f"{label}-money-settings")
