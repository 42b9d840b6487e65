"""The money pages through HTTP with CSRF enforced: the ledger and its balance, adding,
answering, correcting and withdrawing an expense, payments and settling up, split rules,
settings, the summary and the CSV export; who may see what; bad input refused beside its field
with nothing written; query counts that do not grow with the family's history."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coparent.expenses import services
from coparent.expenses.models import (
    Expense,
    ExpenseStatus,
    Payment,
    PaymentStatus,
    Receipt,
    SplitAgreement,
)
from coparent.families.models import Membership, Role
from coparent.records.models import FamilyLog
from tests.cast import Cast, join, make_user
from tests.messaging.helpers import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db

# The session, the user, the membership, the nav's family list, unread count and attention
# badge; then the page's own reads: categories, children, one page of lines and their children,
# the balance (two SQL aggregates and the members they name), the latest payments, and for a
# parent what waits for them. A professional's visit is also written to the access log.
# Fixed whatever the history.
LEDGER_QUERIES = {
    "alice": 15,
    "mediator": 14,
}  # a professional's nav badge counts what they moderate


@pytest.fixture(autouse=True)
def _files(settings):
    with tempfile.TemporaryDirectory() as folder:
        settings.MESSAGING_ATTACHMENT_DIR = folder
        yield


def url(name: str, cast: Cast, *args: object) -> str:
    return reverse(f"expenses:{name}", args=[cast.family_a.public_id, *args])


def member(cast: Cast, user) -> Membership:
    return Membership.objects.get(family=cast.family_a, user=user, revoked_at__isnull=True)


def record_size(cast: Cast) -> int:
    return FamilyLog.objects.get(family=cast.family_a).size


def expense(cast: Cast, amount: str = "100.00", **extra) -> Expense:
    arguments = {
        "family": cast.family_a,
        "actor": cast.alice,
        "description": "Dentist",
        "category": "medical",
        "amount": Decimal(amount),
        "currency": "USD",
        "date": dt.date(2026, 6, 1),
        "children": [cast.kit],
        **extra,
    }
    return services.expense_create(**arguments)


def form_data(cast: Cast, **extra) -> dict[str, object]:
    return {
        "description": "School trip",
        "category": "education",
        "children": [str(cast.kit.public_id)],
        "date": "2026-06-10",
        "amount": "80.50",
        "currency": "USD",
        "paid_by": str(member(cast, cast.alice).public_id),
        "note": "",
        **extra,
    }


# ---- adding an expense --------------------------------------------------------------------------


def test_a_parent_adds_an_expense_with_receipts_and_the_other_parent_is_asked(
    cast: Cast, client_for
):
    client = client_for(cast.alice)
    before = record_size(cast)
    receipts = [
        SimpleUploadedFile("bill.png", png_bytes(), content_type="image/png"),
        SimpleUploadedFile("bill.pdf", pdf_bytes(), content_type="application/pdf"),
    ]
    response = client.post(url("expense_new", cast), {**form_data(cast), "receipts": receipts})
    assert response.status_code == 302, response.content.decode()[:2000]
    made = Expense.objects.get(family=cast.family_a)
    assert response["Location"] == url("expense_detail", cast, made.public_id)
    assert made.amount_minor == 8050 and made.currency == "USD"
    assert made.status == ExpenseStatus.REQUESTED
    assert made.debtor == member(cast, cast.bob)
    assert Receipt.objects.filter(expense=made).count() == 2
    assert record_size(cast) > before

    page = client_for(cast.bob).get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "School trip" in text and "$80.50" in text
    assert "Approve $40.25" in text  # the other parent's half, written the reader's way
    receipt = Receipt.objects.filter(expense=made).first()
    download = client_for(cast.bob).get(url("receipt", cast, receipt.public_id))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")


def test_the_form_offers_the_family_s_default_currency_and_today(cast: Cast, client_for):
    services.settings_update(
        family=cast.family_a, actor=cast.alice, default_currency="EUR", respond_by_days=10
    )
    page = client_for(cast.alice).get(url("expense_new", cast))
    text = page.content.decode()
    assert page.status_code == 200
    assert '<option value="EUR" selected>' in text
    assert 'value="2026-06-17"' in text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": "0"}, "amount", "more than zero"),
        ({"amount": "-3"}, "amount", "more than zero"),
        ({"amount": "1.234"}, "amount", "2 decimal places at most"),
        ({"amount": "10.5", "currency": "JPY"}, "amount", "no decimals"),
        ({"currency": "ZZZ"}, "currency", "Choose a currency from the list"),
        ({"date": "1900-01-01"}, "date", ""),
        ({"description": "bad\x00text"}, "description", ""),
        ({"category": "not-a-category"}, "category", ""),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_is_written(
    cast: Cast, client_for, changes, field, message
):
    before = record_size(cast)
    response = client_for(cast.alice).post(url("expense_new", cast), form_data(cast, **changes))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Expense.objects.exists()
    assert record_size(cast) == before


def test_a_split_that_does_not_add_up_to_100_is_refused(cast: Cast, client_for):
    alice, bob = member(cast, cast.alice), member(cast, cast.bob)
    data = form_data(cast, **{f"split_{alice.public_id}": "70", f"split_{bob.public_id}": "20"})
    response = client_for(cast.alice).post(url("expense_new", cast), data)
    assert response.status_code == 200
    assert "add up to exactly 100%" in response.content.decode()
    assert not Expense.objects.exists()


def test_a_different_split_for_one_expense(cast: Cast, client_for):
    alice, bob = member(cast, cast.alice), member(cast, cast.bob)
    data = form_data(cast, **{f"split_{alice.public_id}": "70", f"split_{bob.public_id}": "30"})
    response = client_for(cast.alice).post(url("expense_new", cast), data)
    assert response.status_code == 302
    made = Expense.objects.get()
    assert made.requested_minor == 2415  # 30% of 80.50


def test_more_than_ten_receipts_are_refused(cast: Cast, client_for):
    files = [SimpleUploadedFile(f"r{i}.png", png_bytes()) for i in range(11)]
    response = client_for(cast.alice).post(
        url("expense_new", cast), {**form_data(cast), "receipts": files}
    )
    assert response.status_code == 200
    assert "at most 10" in " ".join(response.context["form"].errors["receipts"])
    assert not Expense.objects.exists()


def test_a_receipt_that_is_not_a_picture_or_pdf_is_refused(cast: Cast, client_for):
    files = [SimpleUploadedFile("notes.txt", b"just text")]
    response = client_for(cast.alice).post(
        url("expense_new", cast), {**form_data(cast), "receipts": files}
    )
    assert response.status_code == 200
    assert "receipts" in response.context["form"].errors
    assert not Expense.objects.exists()


# ---- answering ----------------------------------------------------------------------------------


def test_the_other_parent_approves_and_the_balance_says_who_owes_whom(cast: Cast, client_for):
    made = expense(cast, "100.00")
    bob = client_for(cast.bob)
    response = bob.post(url("expense_answer", cast, made.public_id), {"action": "approve"})
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.status == ExpenseStatus.APPROVED and made.approved_minor == 5000

    alice_page = client_for(cast.alice).get(url("ledger", cast)).content.decode()
    assert "Bob Parent owes you $50.00" in alice_page
    bob_page = bob.get(url("ledger", cast)).content.decode()
    assert "You owe Alice Parent $50.00" in bob_page
    assert url("payment_new", cast) + "?settle=USD" in bob_page  # settle up, for the one who owes


def test_approving_part_needs_an_amount_and_a_reason(cast: Cast, client_for):
    made = expense(cast, "100.00")
    bob = client_for(cast.bob)
    answer = url("expense_answer", cast, made.public_id)
    before = record_size(cast)
    refused = bob.post(answer, {"action": "approve", "amount": "20"})
    assert refused.status_code == 400
    assert "Say why you approve only part of it." in refused.content.decode()
    assert record_size(cast) == before
    refused = bob.post(answer, {"action": "approve", "amount": "20.001", "reason": "x"})
    assert refused.status_code == 400
    made.refresh_from_db()
    assert made.status == ExpenseStatus.REQUESTED

    ok = bob.post(answer, {"action": "approve", "amount": "20", "reason": "Only the check-up"})
    assert ok.status_code == 302
    made.refresh_from_db()
    assert made.status == ExpenseStatus.PARTLY_APPROVED and made.approved_minor == 2000
    page = client_for(cast.alice).get(url("expense_detail", cast, made.public_id))
    assert "Only the check-up" in page.content.decode()


def test_a_dispute_needs_a_reason_and_the_payer_answers_it(cast: Cast, client_for):
    made = expense(cast)
    bob = client_for(cast.bob)
    answer = url("expense_answer", cast, made.public_id)
    refused = bob.post(answer, {"action": "dispute", "dispute-reason": ""})
    assert refused.status_code == 400
    assert "Say why" in refused.content.decode()
    assert (
        bob.post(
            answer, {"action": "dispute", "dispute-reason": "We agreed on the free one"}
        ).status_code
        == 302
    )
    made.refresh_from_db()
    assert made.status == ExpenseStatus.DISPUTED

    alice = client_for(cast.alice)
    assert (
        "Answer and ask again"
        in alice.get(url("expense_detail", cast, made.public_id)).content.decode()
    )
    assert (
        alice.post(answer, {"action": "reply", "reply-reason": "It was an emergency"}).status_code
        == 302
    )
    made.refresh_from_db()
    assert made.status == ExpenseStatus.REQUESTED


def test_only_the_parent_asked_may_answer(cast: Cast, client_for):
    made = expense(cast)
    response = client_for(cast.alice).post(
        url("expense_answer", cast, made.public_id), {"action": "approve"}
    )
    assert response.status_code == 400
    made.refresh_from_db()
    assert made.status == ExpenseStatus.REQUESTED


def test_the_payer_corrects_and_the_old_version_stays(cast: Cast, client_for):
    made = expense(cast, "100.00")
    alice = client_for(cast.alice)
    page = alice.get(url("expense_correct", cast, made.public_id))
    assert page.status_code == 200 and 'value="100.00"' in page.content.decode()
    data = form_data(
        cast, description="Dentist", category="medical", amount="120.00", reason="Forgot the X-ray"
    )
    response = alice.post(url("expense_correct", cast, made.public_id), data)
    assert response.status_code == 302
    new = Expense.objects.get(is_current=True)
    assert new.supersedes_id == made.pk and new.amount_minor == 12000
    text = alice.get(url("expense_detail", cast, new.public_id)).content.decode()
    assert "Version 1" in text and "Version 2" in text and "Forgot the X-ray" in text
    old = alice.get(url("expense_detail", cast, made.public_id))
    assert old.status_code == 302 and old["Location"].endswith(f"{new.public_id}/")
    assert alice.get(url("expense_detail", cast, made.public_id) + "?version=1").status_code == 200


def test_the_payer_withdraws(cast: Cast, client_for):
    made = expense(cast)
    response = client_for(cast.alice).post(
        url("expense_answer", cast, made.public_id), {"action": "withdraw", "withdraw-reason": ""}
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.status == ExpenseStatus.WITHDRAWN


# ---- payments -----------------------------------------------------------------------------------


def approved(cast: Cast, amount: str = "100.00") -> Expense:
    made = expense(cast, amount)
    return services.expense_approve(family=cast.family_a, actor=cast.bob, expense=made)


def test_a_payment_is_recorded_then_confirmed_by_the_receiver(cast: Cast, client_for):
    approved(cast)
    bob = client_for(cast.bob)
    data = {
        "to": str(member(cast, cast.alice).public_id),
        "amount": "30.00",
        "currency": "USD",
        "date": "2026-06-16",
        "method": "app",
        "app_name": "",
        "reference": "June",
    }
    refused = bob.post(url("payment_new", cast), data)
    assert refused.status_code == 200 and "Name the app." in refused.content.decode()
    assert not Payment.objects.exists()
    data["app_name"] = "Venmo"
    proof = SimpleUploadedFile("proof.png", png_bytes())
    response = bob.post(url("payment_new", cast), {**data, "proof": proof})
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.PENDING and payment.amount_minor == 3000
    assert bob.get(url("payment_proof", cast, payment.public_id)).status_code == 200

    alice = client_for(cast.alice)
    ledger = alice.get(url("ledger", cast)).content.decode()
    assert "Bob Parent owes you $50.00" in ledger  # not confirmed yet: it does not count
    assert (
        alice.post(
            url("payment_detail", cast, payment.public_id), {"action": "confirm"}
        ).status_code
        == 302
    )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CONFIRMED
    assert "Bob Parent owes you $20.00" in alice.get(url("ledger", cast)).content.decode()


def test_the_receiver_disputes_a_payment_with_a_reason(cast: Cast, client_for):
    approved(cast)
    payment = services.payment_record(
        family=cast.family_a,
        actor=cast.bob,
        payee=member(cast, cast.alice),
        amount=Decimal("50"),
        currency="USD",
        date=dt.date(2026, 6, 16),
        method="cash",
    )
    alice = client_for(cast.alice)
    page = url("payment_detail", cast, payment.public_id)
    assert alice.post(page, {"action": "dispute", "dispute-reason": ""}).status_code == 400
    assert (
        alice.post(page, {"action": "dispute", "dispute-reason": "Never got it"}).status_code == 302
    )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.DISPUTED
    # the payer cannot answer their own payment
    assert client_for(cast.bob).post(page, {"action": "confirm"}).status_code == 404


def test_settle_up_records_exactly_the_balance(cast: Cast, client_for):
    approved(cast, "100.01")
    bob = client_for(cast.bob)
    form = bob.get(url("settle_up", cast, "USD"))
    assert form.status_code == 200
    assert "$50.00" in form.content.decode()  # the payer keeps the odd cent
    response = bob.post(
        url("settle_up", cast, "USD"), {"date": "2026-06-17", "method": "bank_transfer"}
    )
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert payment.settle_up and payment.amount_minor == 5000
    # Alice owes nothing: she is sent back to the ledger
    assert client_for(cast.alice).get(url("settle_up", cast, "USD")).status_code == 302


# ---- split rules --------------------------------------------------------------------------------


def test_rules_are_proposed_and_accepted_like_schedule_proposals(cast: Cast, client_for):
    alice_id = member(cast, cast.alice).public_id
    bob_id = member(cast, cast.bob).public_id
    alice = client_for(cast.alice)
    data = {
        "effective_from": "2026-07-01",
        f"default_{alice_id}": "60",
        f"default_{bob_id}": "40",
        f"category_medical_{alice_id}": "50",
        f"category_medical_{bob_id}": "50",
        "limit_activities": "200",
        "note": "",
    }
    bad = alice.post(url("rules", cast), {**data, f"default_{bob_id}": "30"})
    assert bad.status_code == 200 and "add up to exactly 100%" in bad.content.decode()
    assert not SplitAgreement.objects.exists()
    assert alice.post(url("rules", cast), data).status_code == 302
    agreement = SplitAgreement.objects.get()
    assert agreement.status == "proposed"

    bob = client_for(cast.bob)
    page = bob.get(url("rules_detail", cast, agreement.public_id)).content.decode()
    assert "Alice Parent 60%" in page and "Bob Parent 40%" in page
    assert "$200.00" in page
    assert (
        bob.post(url("rules_detail", cast, agreement.public_id), {"decision": "accept"}).status_code
        == 302
    )
    agreement.refresh_from_db()
    assert agreement.status == "accepted"
    assert "Proposed, waiting" not in bob.get(url("rules", cast)).content.decode()


# ---- settings and who sees what -----------------------------------------------------------------


def test_settings_and_a_caregiver_sees_only_the_shared_category(cast: Cast, client_for):
    expense(cast, description="Dentist", category="medical")
    expense(cast, description="Football boots", category="activities")
    gran = client_for(cast.gran)
    assert gran.get(url("ledger", cast)).status_code == 404  # nothing shared yet

    alice = client_for(cast.alice)
    gran_member = member(cast, cast.gran)
    response = alice.post(
        url("settings", cast),
        {
            "form": f"share-{gran_member.public_id}",
            f"share-{gran_member.public_id}-categories": ["activities"],
        },
    )
    assert response.status_code == 302
    page = gran.get(url("ledger", cast))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Football boots" in text and "Dentist" not in text
    assert "owes" not in text and 'data-testid="payment-lines"' not in text
    dentist = Expense.objects.get(description="Dentist")
    assert gran.get(url("expense_detail", cast, dentist.public_id)).status_code == 404
    assert gran.get(url("rules", cast)).status_code == 404
    assert gran.post(url("expense_new", cast), form_data(cast)).status_code == 404


def test_settings_change_the_currency_and_answer_days(cast: Cast, client_for):
    alice = client_for(cast.alice)
    bad = alice.post(
        url("settings", cast),
        {"form": "settings", "default_currency": "ZZZ", "respond_by_days": "0"},
    )
    assert bad.status_code == 400
    ok = alice.post(
        url("settings", cast),
        {"form": "settings", "default_currency": "GBP", "respond_by_days": "7"},
    )
    assert ok.status_code == 302
    assert services.settings_of(cast.family_a).default_currency == "GBP"
    assert (
        alice.post(url("settings", cast), {"form": "category", "name": "Orthodontics"}).status_code
        == 302
    )
    assert "Orthodontics" in alice.get(url("expense_new", cast)).content.decode()


def test_a_child_s_account_sees_no_money_page(cast: Cast, client_for):
    teen = make_user("teen@example.test", "Kit Teen")
    join(cast.family_a, cast.alice, teen, Role.CHILD, child=cast.kit)
    made = expense(cast)
    client = client_for(teen)
    for name, args in [
        ("ledger", ()),
        ("summary", ()),
        ("expense_detail", (made.public_id,)),
        ("export", ()),
    ]:
        assert client.get(url(name, cast, *args)).status_code == 404


def test_a_professional_reads_but_never_writes(cast: Cast, client_for):
    made = expense(cast)
    client = client_for(cast.mediator)
    assert client.get(url("ledger", cast)).status_code == 200
    assert client.get(url("expense_detail", cast, made.public_id)).status_code == 200
    assert client.get(url("rules", cast)).status_code == 200
    assert client.get(url("summary", cast)).status_code == 200
    assert client.post(
        url("expense_answer", cast, made.public_id), {"action": "approve"}
    ).status_code in (403, 404)
    assert client.post(url("rules", cast), {}).status_code == 403
    made.refresh_from_db()
    assert made.status == ExpenseStatus.REQUESTED


def test_an_outsider_gets_404_for_another_family_s_expense(cast: Cast, client_for):
    made = expense(cast)
    client = client_for(cast.charlie)
    assert client.get(url("ledger", cast)).status_code == 404
    assert client.get(url("expense_detail", cast, made.public_id)).status_code == 404
    own = reverse("expenses:expense_detail", args=[cast.family_b.public_id, made.public_id])
    assert client.get(own).status_code == 404


# ---- ledger filters, summary, export ------------------------------------------------------------


def test_the_ledger_filters_by_category_status_child_and_period(cast: Cast, client_for):
    expense(cast, description="Dentist", category="medical", date=dt.date(2026, 3, 1))
    expense(cast, description="Boots", category="clothing", date=dt.date(2026, 6, 1), children=[])
    alice = client_for(cast.alice)
    text = alice.get(url("ledger", cast), {"category": "clothing"}).content.decode()
    assert "Boots" in text and "Dentist" not in text
    text = alice.get(
        url("ledger", cast), {"start": "2026-01-01", "end": "2026-04-01"}
    ).content.decode()
    assert "Dentist" in text and "Boots" not in text
    text = alice.get(url("ledger", cast), {"child": str(cast.kit.public_id)}).content.decode()
    assert "Dentist" in text and "Boots" not in text
    text = alice.get(url("ledger", cast), {"status": "approved"}).content.decode()
    assert "No expenses match these filters." in text
    odd = alice.get(url("ledger", cast), {"start": "nonsense", "page": "x"})
    assert odd.status_code == 200


def history(cast: Cast, count: int) -> None:
    for index in range(count):
        made = expense(
            cast,
            f"{10 + index}.00",
            description=f"Item {index}",
            date=dt.date(2026, 1, 1) + dt.timedelta(days=index),
        )
        if index % 2:
            services.expense_approve(family=cast.family_a, actor=cast.bob, expense=made)
    services.payment_record(
        family=cast.family_a,
        actor=cast.bob,
        payee=member(cast, cast.alice),
        amount=Decimal("5"),
        currency="USD",
        date=dt.date(2026, 6, 1),
        method="cash",
    )


@pytest.mark.parametrize("who", ["alice", "mediator"])
def test_the_ledger_s_query_count_does_not_grow_with_history(
    cast: Cast, client_for, django_assert_num_queries, who
):
    client = client_for(getattr(cast, who))
    history(cast, 30)
    client.get(url("ledger", cast))  # warm the session and the nav badge
    caches["pages"].clear()  # counted as rendered afresh, not as kept (core/fragments.py)
    with django_assert_num_queries(LEDGER_QUERIES[who]) as first:
        assert client.get(url("ledger", cast)).status_code == 200
    young = len(first.captured_queries)  # read now: each request empties the query log
    history(cast, 30)
    # The writes grew the record: the next view counts the nav badge anew.
    client.get(url("ledger", cast))
    caches["pages"].clear()
    with django_assert_num_queries(young):
        page = client.get(url("ledger", cast))
    assert "Older" in page.content.decode()
    assert client.get(url("ledger", cast), {"page": "3"}).status_code == 200


def test_the_ledger_is_kept_for_its_reader_until_the_record_grows(
    cast: Cast, client_for, django_assert_num_queries
):
    approved(cast, "60.00")
    alice, bob = client_for(cast.alice), client_for(cast.bob)
    alice.get(url("ledger", cast))
    # Kept: the session, the user, the membership with the record's size, the unread count.
    with django_assert_num_queries(4):
        again = alice.get(url("ledger", cast)).content.decode()
    assert "Bob Parent owes you $30.00" in again and "Dentist" in again
    # Each reader their own words, never another's page.
    assert "You owe Alice Parent $30.00" in bob.get(url("ledger", cast)).content.decode()
    # A write is a record entry: the next view shows it.
    expense(cast, "8.00", description="Boots")
    assert "Boots" in alice.get(url("ledger", cast)).content.decode()
    # The address (filters, page) and the reader's language are part of what is kept.
    filtered = alice.get(url("ledger", cast), {"category": "education"}).content.decode()
    assert "No expenses match these filters." in filtered
    cast.alice.language = "es"
    cast.alice.save(update_fields=["language"])
    assert "Boots" in (spanish := alice.get(url("ledger", cast)).content.decode())
    assert "Bob Parent owes you" not in spanish


def test_the_summary_draws_an_accessible_chart_with_a_table(cast: Cast, client_for):
    expense(cast, "30.00", category="medical")
    expense(cast, "10.00", category="education")
    expense(cast, "500", currency="JPY", category="medical")
    page = client_for(cast.alice).get(
        url("summary", cast), {"start": "2026-01-01", "end": "2026-12-31"}
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count('role="img"') == 2  # one chart per currency, never added together
    assert '<title id="chart-1-title">Spending by category in USD</title>' in text
    assert "Medical and dental: $30.00" in text  # the description says the numbers too
    assert "<table>" in text and "¥500" in text
    bad = client_for(cast.alice).get(
        url("summary", cast), {"start": "2026-12-31", "end": "2026-01-01"}
    )
    assert bad.status_code == 200 and "on or after the start date" in bad.content.decode()


def test_the_export_is_a_formula_safe_csv_with_a_bom(cast: Cast, client_for):
    expense(cast, description='=HYPERLINK("http://evil.example")')
    approved(cast)
    response = client_for(cast.alice).get(url("export", cast))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    assert "'=HYPERLINK" in body
    assert ",100.00,USD," in body


def test_a_repeating_expense_is_set_up_and_stopped(cast: Cast, client_for):
    from coparent.expenses.models import RecurringExpense

    alice = client_for(cast.alice)
    data = {
        "form": "add",
        "description": "School tuition",
        "category": "education",
        "children": [str(cast.kit.public_id)],
        "amount": "250.00",
        "currency": "USD",
        "paid_by": str(member(cast, cast.alice).public_id),
        "rrule": "FREQ=MONTHLY",
        "starts_on": "2026-07-01",
    }
    bad = alice.post(url("recurring", cast), {**data, "amount": "0", "rrule": "FREQ=SECONDLY"})
    assert bad.status_code == 200
    assert {"amount", "rrule"} <= set(bad.context["form"].errors)
    assert not RecurringExpense.objects.exists()
    assert alice.post(url("recurring", cast), data).status_code == 302
    made = RecurringExpense.objects.get()
    assert made.active and made.next_on == dt.date(2026, 7, 1)
    page = client_for(cast.mediator).get(url("recurring", cast)).content.decode()
    assert "School tuition" in page and "Every month" in page and "$250.00" in page
    assert "Stop" not in page
    stop = {"form": "stop", "recurring": str(made.public_id)}
    assert client_for(cast.mediator).post(url("recurring", cast), stop).status_code == 403
    assert alice.post(url("recurring", cast), stop).status_code == 302
    made.refresh_from_db()
    assert not made.active
    assert client_for(cast.gran).get(url("recurring", cast)).status_code == 404


def test_receipts_are_added_later_and_a_bad_file_is_refused(cast: Cast, client_for):
    made = expense(cast)
    bob = client_for(cast.bob)
    path = url("receipt_add", cast, made.public_id)
    before = record_size(cast)
    bad = bob.post(path, {"receipts": [SimpleUploadedFile("x.txt", b"plain text")]})
    assert bad.status_code == 400
    assert "PNG or JPEG" in bad.content.decode()
    assert record_size(cast) == before
    ok = bob.post(path, {"receipts": [SimpleUploadedFile("bill.pdf", pdf_bytes())]})
    assert ok.status_code == 302
    assert Receipt.objects.filter(expense=made).count() == 1
    assert client_for(cast.mediator).post(path, {}).status_code in (403, 404)


def test_consent_is_asked_before_spending_and_answered(cast: Cast, client_for):
    from coparent.expenses.models import Preapproval

    alice = client_for(cast.alice)
    path = url("consents", cast)
    bad = alice.post(
        path,
        {
            "form": "ask",
            "description": "Camp",
            "category": "activities",
            "amount": "0",
            "currency": "USD",
        },
    )
    assert bad.status_code == 200 and "more than zero" in bad.content.decode()
    assert not Preapproval.objects.exists()
    ask = {
        "form": "ask",
        "description": "Summer camp",
        "category": "activities",
        "amount": "400",
        "currency": "USD",
    }
    assert alice.post(path, ask).status_code == 302
    consent = Preapproval.objects.get()
    bob = client_for(cast.bob)
    page = bob.get(path).content.decode()
    assert "Summer camp" in page and "up to $400.00" in page and "Give consent" in page
    prefix = f"answer-{consent.public_id}"
    refused = bob.post(
        path,
        {
            "form": "answer",
            "consent": str(consent.public_id),
            "decision": "refuse",
            f"{prefix}-reason": "",
        },
    )
    assert refused.status_code == 400
    consent.refresh_from_db()
    assert consent.status == "requested"
    given = bob.post(
        path, {"form": "answer", "consent": str(consent.public_id), "decision": "give"}
    )
    assert given.status_code == 302
    consent.refresh_from_db()
    assert consent.status == "given"
    assert client_for(cast.mediator).get(path).status_code == 200
    assert client_for(cast.mediator).post(path, ask).status_code == 403
