"""Expenses through the services: shares, answers, corrections, payments, balance, rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from coparent.core.errors import Conflict, ServiceError
from coparent.expenses import selectors, services
from coparent.expenses.models import (
    AgreementStatus,
    Expense,
    ExpenseStatus,
    PaymentStatus,
    Receipt,
    SplitSource,
)
from coparent.families.models import Role
from coparent.records.models import LogEntry
from coparent.tlog import decode
from tests.cast import Cast
from tests.expenses.helpers import DAY, agree, expense, member
from tests.messaging.helpers import jpeg_with_gps, pdf_bytes, png_bytes


def shares_of(e: Expense) -> dict[str, int]:
    return {s.member.user.email.split("@")[0]: s.amount_minor for s in selectors.expense_shares(e)}


def kinds(cast: Cast) -> list[str]:
    return list(LogEntry.objects.filter(family=cast.family_a).values_list("kind", flat=True))


def balance(cast: Cast) -> list[tuple[str, str, str, str]]:
    return [
        (
            b.currency,
            b.owed_by.user.email.split("@")[0],
            b.owed_to.user.email.split("@")[0],
            b.amount_text,
        )
        for b in selectors.balance_list(cast.family_a)
    ]


def test_without_rules_an_expense_is_split_equally_and_the_other_parent_is_asked(
    cast: Cast,
) -> None:
    e = expense(cast, amount="100.01")
    assert e.split_source == SplitSource.NO_RULES
    assert shares_of(e) == {"alice": 5001, "bob": 5000}  # the payer absorbs the odd cent
    assert e.status == ExpenseStatus.REQUESTED
    assert e.debtor == member(cast.family_a, cast.bob) and e.requested_minor == 5000
    assert (e.respond_by - timezone.now()).days in (13, 14)
    assert kinds(cast)[-1] == "expense.created"
    fields = decode(bytes(LogEntry.objects.filter(family=cast.family_a).last().leaf)).fields
    assert fields["amount"] == "100.01" and fields["currency"] == "USD"
    assert balance(cast) == []  # nothing approved yet


def test_agreed_rules_decide_the_shares_and_a_later_change_never_rewrites_past_expenses(
    cast: Cast,
) -> None:
    agree(cast, "60")
    first = expense(cast)
    assert first.split_source == SplitSource.RULES and shares_of(first) == {
        "alice": 6000,
        "bob": 4000,
    }
    agree(cast, "70", effective_from=dt.date(2026, 6, 1))
    first.refresh_from_db()
    assert shares_of(first) == {"alice": 6000, "bob": 4000}
    later = expense(cast, date=dt.date(2026, 6, 5))
    earlier = expense(cast, date=dt.date(2026, 5, 5))
    assert shares_of(later) == {"alice": 7000, "bob": 3000}
    assert shares_of(earlier) == {"alice": 6000, "bob": 4000}


def test_category_and_child_overrides_win_over_the_default(cast: Cast) -> None:
    a, b = member(cast.family_a, cast.alice), member(cast.family_a, cast.bob)
    rules = [
        services.RuleSpec({a: Decimal(50), b: Decimal(50)}),
        services.RuleSpec({a: Decimal(80), b: Decimal(20)}, category="education"),
        services.RuleSpec({a: Decimal(25), b: Decimal(75)}, category="education", child=cast.kit),
    ]
    agree(cast, "50", rules=rules)
    assert shares_of(expense(cast, category="education", children=[])) == {
        "alice": 8000,
        "bob": 2000,
    }
    assert shares_of(expense(cast, category="education")) == {"alice": 2500, "bob": 7500}
    assert shares_of(expense(cast, category="medical")) == {"alice": 5000, "bob": 5000}


def test_a_split_for_one_expense_and_the_payer_being_the_other_parent(cast: Cast) -> None:
    a, b = member(cast.family_a, cast.alice), member(cast.family_a, cast.bob)
    e = expense(cast, split={a: Decimal("33.33"), b: Decimal("66.67")}, amount="10.00")
    assert e.split_source == SplitSource.CUSTOM and shares_of(e) == {"alice": 334, "bob": 666}
    paid_by_bob = expense(cast, paid_by=b)
    assert paid_by_bob.debtor == a


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": Decimal("0")}, "amount"),
        ({"amount": Decimal("-5")}, "amount"),
        ({"amount": Decimal("1.234")}, "amount"),
        ({"currency": "XYZ"}, "currency"),
        ({"category": "yachts"}, "category"),
        ({"description": "  "}, "description"),
        ({"description": "a\x00b"}, "description"),
        ({"date": dt.date(1900, 1, 1)}, "date"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(cast: Cast, change: dict, field: str) -> None:
    before = (Expense.objects.count(), LogEntry.objects.count())
    with pytest.raises(ServiceError) as refused:
        expense(cast, **change)
    assert refused.value.field == field
    assert (Expense.objects.count(), LogEntry.objects.count()) == before


def test_a_split_that_does_not_add_up_or_names_a_non_parent_is_refused(cast: Cast) -> None:
    a, b = member(cast.family_a, cast.alice), member(cast.family_a, cast.bob)
    gran = member(cast.family_a, cast.gran)
    for split in ({a: Decimal(60), b: Decimal(30)}, {a: Decimal(50), gran: Decimal(50)}):
        with pytest.raises(ServiceError) as refused:
            expense(cast, split=split)
        assert refused.value.field == "split"
    assert not Expense.objects.exists()


def test_jpy_has_no_decimals_and_bhd_three(cast: Cast) -> None:
    assert expense(cast, amount="1201", currency="JPY").requested_minor == 600
    assert expense(cast, amount="1.001", currency="BHD").requested_minor == 500
    with pytest.raises(ServiceError):
        expense(cast, amount="12.5", currency="JPY")


def test_only_parents_write(cast: Cast) -> None:
    for user in (cast.gran, cast.mediator, cast.charlie):
        with pytest.raises(ServiceError):
            expense(cast, user)


def test_approve_part_dispute_reply_and_the_balance(cast: Cast) -> None:
    e = expense(cast)
    with pytest.raises(ServiceError):  # the payer does not answer their own request
        services.expense_approve(family=cast.family_a, actor=cast.alice, expense=e)
    with pytest.raises(ServiceError, match="why"):
        services.expense_approve(
            family=cast.family_a, actor=cast.bob, expense=e, amount=Decimal(20)
        )
    with pytest.raises(ServiceError, match="at most"):
        services.expense_approve(
            family=cast.family_a, actor=cast.bob, expense=e, amount=Decimal(60)
        )
    e = services.expense_approve(
        family=cast.family_a,
        actor=cast.bob,
        expense=e,
        amount=Decimal(20),
        reason="Only the check-up",
    )
    assert e.status == ExpenseStatus.PARTLY_APPROVED and e.approved_minor == 2000
    assert balance(cast) == [("USD", "bob", "alice", "20.00")]
    with pytest.raises(Conflict):
        services.expense_dispute(family=cast.family_a, actor=cast.bob, expense=e, reason="no")
    e = services.expense_reply(
        family=cast.family_a, actor=cast.alice, expense=e, text="It was all needed"
    )
    assert e.status == ExpenseStatus.REQUESTED and balance(cast) == []
    with pytest.raises(ServiceError):
        services.expense_dispute(family=cast.family_a, actor=cast.bob, expense=e, reason="  ")
    e = services.expense_dispute(
        family=cast.family_a, actor=cast.bob, expense=e, reason="Not agreed"
    )
    assert e.status == ExpenseStatus.DISPUTED
    assert kinds(cast)[-3:] == ["expense.partly_approved", "expense.replied", "expense.disputed"]
    assert [ev.kind for ev in selectors.expense_events(e)] == [
        "created",
        "partly_approved",
        "replied",
        "disputed",
    ]


def test_a_correction_is_a_new_version_and_the_old_one_stays(cast: Cast) -> None:
    old = expense(cast, receipts=[services.Upload("r.png", png_bytes())])
    new = services.expense_correct(
        family=cast.family_a, actor=cast.alice, expense=old, amount=Decimal("80.00"), reason="typo"
    )
    old.refresh_from_db()
    assert not old.is_current and old.status == ExpenseStatus.CORRECTED
    assert new.supersedes == old and new.version == 2 and new.requested_minor == 4000
    assert new.receipts.count() == 1
    assert [v.pk for v in selectors.expense_versions(old)] == [old.pk, new.pk]
    with pytest.raises(Conflict):
        services.expense_approve(family=cast.family_a, actor=cast.bob, expense=old)
    with pytest.raises(ServiceError):
        services.expense_correct(
            family=cast.family_a, actor=cast.bob, expense=new, amount=Decimal(1)
        )
    assert "expense.corrected" in kinds(cast)


def test_withdrawn_expenses_leave_the_balance(cast: Cast) -> None:
    e = expense(cast)
    services.expense_approve(family=cast.family_a, actor=cast.bob, expense=e)
    assert balance(cast) == [("USD", "bob", "alice", "50.00")]
    services.expense_withdraw(family=cast.family_a, actor=cast.alice, expense=e)
    assert balance(cast) == []
    with pytest.raises(Conflict):
        services.expense_withdraw(family=cast.family_a, actor=cast.alice, expense=e)


def test_receipts_are_cleaned_hashed_into_the_record_and_at_most_ten(cast: Cast) -> None:
    e = expense(
        cast,
        receipts=[
            services.Upload("gps.jpg", jpeg_with_gps()),
            services.Upload("bill.pdf", pdf_bytes()),
        ],
    )
    receipts = list(Receipt.objects.filter(expense=e))
    assert [r.media_type for r in receipts] == ["image/jpeg", "application/pdf"]
    from coparent.messaging import files

    assert b"PhoneMaker" not in files.read(receipts[0].stored_name)
    entries = LogEntry.objects.filter(family=cast.family_a, kind="expense.receipt_added")
    assert len(entries) == 2 and all(
        len(decode(bytes(x.leaf)).fields["content"]) == 64 for x in entries
    )
    with pytest.raises(ServiceError, match="at most 10"):
        services.receipt_add(
            family=cast.family_a,
            actor=cast.bob,
            expense=e,
            uploads=[services.Upload("x.png", png_bytes())] * 9,
        )
    with pytest.raises(ServiceError, match="PNG or JPEG"):
        expense(cast, receipts=[services.Upload("x.txt", b"hello")])


def test_payments_count_once_confirmed_and_are_allocated_oldest_first(cast: Cast) -> None:
    alice = member(cast.family_a, cast.alice)
    older = expense(cast, date=dt.date(2026, 5, 1))
    newer = expense(cast, date=dt.date(2026, 6, 1))
    for e in (older, newer):
        services.expense_approve(family=cast.family_a, actor=cast.bob, expense=e)
    assert balance(cast) == [("USD", "bob", "alice", "100.00")]
    payment = services.payment_record(
        family=cast.family_a,
        actor=cast.bob,
        payee=alice,
        amount=Decimal("70"),
        currency="USD",
        date=DAY,
        method="bank_transfer",
        reference="June",
    )
    assert {a.expense_id: a.amount_minor for a in payment.allocations.all()} == {
        older.pk: 5000,
        newer.pk: 2000,
    }
    assert balance(cast) == [("USD", "bob", "alice", "100.00")]  # not confirmed yet
    with pytest.raises(ServiceError):
        services.payment_confirm(family=cast.family_a, actor=cast.bob, payment=payment)
    services.payment_confirm(family=cast.family_a, actor=cast.alice, payment=payment)
    assert balance(cast) == [("USD", "bob", "alice", "30.00")]
    settled = services.settle_up(
        family=cast.family_a, actor=cast.bob, currency="USD", date=DAY, method="cash"
    )
    assert settled.amount_minor == 3000 and settled.settle_up
    services.payment_confirm(family=cast.family_a, actor=cast.alice, payment=settled)
    assert balance(cast) == []
    with pytest.raises(ServiceError):
        services.settle_up(
            family=cast.family_a, actor=cast.bob, currency="USD", date=DAY, method="cash"
        )


def test_a_disputed_payment_does_not_count(cast: Cast) -> None:
    e = expense(cast)
    services.expense_approve(family=cast.family_a, actor=cast.bob, expense=e)
    payment = services.payment_record(
        family=cast.family_a,
        actor=cast.bob,
        payee=member(cast.family_a, cast.alice),
        amount=Decimal(50),
        currency="USD",
        date=DAY,
        method="app",
        app_name="PayPal",
        expenses=[e],
    )
    with pytest.raises(ServiceError):
        services.payment_dispute(family=cast.family_a, actor=cast.alice, payment=payment, reason="")
    services.payment_dispute(
        family=cast.family_a, actor=cast.alice, payment=payment, reason="Not received"
    )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.DISPUTED
    assert balance(cast) == [("USD", "bob", "alice", "50.00")]


def test_currencies_are_kept_apart(cast: Cast) -> None:
    for currency, amount in (("USD", "10.00"), ("EUR", "30.00")):
        services.expense_approve(
            family=cast.family_a,
            actor=cast.bob,
            expense=expense(cast, amount=amount, currency=currency),
        )
    assert balance(cast) == [("EUR", "bob", "alice", "15.00"), ("USD", "bob", "alice", "5.00")]


def test_requests_past_their_date_become_overdue_never_approved(cast: Cast, time_machine) -> None:
    e = expense(cast)
    time_machine.move_to(timezone.now() + dt.timedelta(days=15))
    assert services.deadlines_mark() == 1
    e.refresh_from_db()
    assert e.status == ExpenseStatus.OVERDUE and e.approved_minor is None
    assert balance(cast) == []
    assert services.deadlines_mark() == 0
    services.expense_approve(family=cast.family_a, actor=cast.bob, expense=e)  # late, still fine
    assert "expense.overdue" in kinds(cast)


def test_rule_proposals_are_answered_by_the_other_parent_and_expire(
    cast: Cast, time_machine
) -> None:
    a, b = member(cast.family_a, cast.alice), member(cast.family_a, cast.bob)
    with pytest.raises(ServiceError, match="default"):
        services.agreement_propose(
            family=cast.family_a,
            actor=cast.alice,
            effective_from=DAY,
            rules=[services.RuleSpec({a: Decimal(50), b: Decimal(50)}, category="medical")],
        )
    proposal = services.agreement_propose(
        family=cast.family_a,
        actor=cast.alice,
        effective_from=DAY,
        rules=[services.RuleSpec({a: Decimal(50), b: Decimal(50)})],
    )
    with pytest.raises(ServiceError):
        services.agreement_decide(
            family=cast.family_a, actor=cast.alice, agreement=proposal, accept=True
        )
    time_machine.move_to(timezone.now() + dt.timedelta(days=15))
    services.deadlines_mark()
    proposal.refresh_from_db()
    assert proposal.status == AgreementStatus.EXPIRED
    with pytest.raises(Conflict):
        services.agreement_decide(
            family=cast.family_a, actor=cast.bob, agreement=proposal, accept=True
        )


def test_spending_over_an_agreed_limit_is_flagged(cast: Cast) -> None:
    agree(cast, "50", limits=[services.LimitSpec("medical", "USD", Decimal("200"))])
    assert not expense(cast, amount="200.00").over_limit
    assert expense(cast, amount="200.01").over_limit
    assert not expense(cast, amount="500.00", currency="EUR").over_limit


def test_caregivers_see_only_shared_categories_and_children_nothing(cast: Cast) -> None:
    from django.http import Http404

    expense(cast, category="activities")
    expense(cast, category="medical")
    gran = member(cast.family_a, cast.gran)
    with pytest.raises(Http404):
        list(selectors.expense_list(cast.family_a, gran))
    services.category_share_set(
        family=cast.family_a, actor=cast.alice, member=gran, categories=["activities"]
    )
    assert [e.category for e in selectors.expense_list(cast.family_a, gran)] == ["activities"]
    with pytest.raises(Http404):
        selectors.balance_for_viewer(cast.family_a, gran)
    mediator = member(cast.family_a, cast.mediator)
    assert len(selectors.expense_list(cast.family_a, mediator)) == 2
    with pytest.raises(ServiceError):
        services.category_share_set(
            family=cast.family_a,
            actor=cast.alice,
            member=member(cast.family_a, cast.bob),
            categories=["medical"],
        )
    assert gran.role == Role.CAREGIVER


def test_families_add_categories(cast: Cast) -> None:
    category = services.category_add(family=cast.family_a, actor=cast.alice, name="Orthodontics")
    assert expense(cast, category=category.key).category == "orthodontics"
    with pytest.raises(ServiceError):
        services.category_add(family=cast.family_a, actor=cast.bob, name="orthodontics")
    with pytest.raises(ServiceError):
        services.expense_create(  # another family's category is not this family's
            family=cast.family_b,
            actor=cast.charlie,
            description="x",
            category="orthodontics",
            amount=Decimal(1),
            currency="USD",
            date=DAY,
        )


def test_recurring_expenses_make_each_occurrence_once(cast: Cast, time_machine) -> None:
    recurring = services.recurring_create(
        family=cast.family_a,
        actor=cast.alice,
        description="Tuition",
        category="education",
        amount=Decimal("300.00"),
        currency="USD",
        rrule="FREQ=MONTHLY;BYMONTHDAY=1",
        starts_on=dt.date(2026, 5, 1),
        children=[cast.kit],
    )
    assert services.recurring_run() == 2  # 1 May and 1 June have come
    assert services.recurring_run() == 0
    made = Expense.objects.filter(recurring=recurring).order_by("date")
    assert [e.date for e in made] == [dt.date(2026, 5, 1), dt.date(2026, 6, 1)]
    assert all(e.status == ExpenseStatus.REQUESTED for e in made)
    time_machine.move_to(dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC))
    assert services.recurring_run() == 1
    services.recurring_stop(family=cast.family_a, actor=cast.bob, recurring=recurring)
    time_machine.move_to(dt.datetime(2026, 9, 1, 12, tzinfo=dt.UTC))
    assert services.recurring_run() == 0
    with pytest.raises(ServiceError):
        services.recurring_create(
            family=cast.family_a,
            actor=cast.alice,
            description="x",
            category="education",
            amount=Decimal(1),
            currency="USD",
            rrule="FREQ=SECONDLY",
            starts_on=DAY,
        )
    with pytest.raises(ServiceError):
        services.recurring_create(
            family=cast.family_a,
            actor=cast.alice,
            description="x",
            category="education",
            amount=Decimal(1),
            currency="USD",
            rrule="nonsense",
            starts_on=DAY,
        )


def test_the_csv_export_is_formula_safe_with_a_bom(cast: Cast) -> None:
    import io

    e = expense(cast, description='=HYPERLINK("http://evil")')
    services.expense_approve(family=cast.family_a, actor=cast.bob, expense=e)
    out = io.StringIO()
    assert selectors.ledger_csv(cast.family_a, member(cast.family_a, cast.alice), out) == 1
    text = out.getvalue()
    assert text.startswith("\ufeff") and "'=HYPERLINK" in text and ",100.00," in text


def test_consent_asked_first_keeps_an_expense_over_the_limit_from_being_flagged(cast: Cast) -> None:
    agree(cast, "50", limits=[services.LimitSpec("activities", "USD", Decimal("250"))])
    consent = services.preapproval_request(
        family=cast.family_a,
        actor=cast.alice,
        description="Summer camp",
        category="activities",
        amount=Decimal("400"),
        currency="USD",
    )
    with pytest.raises(ServiceError):
        services.preapproval_answer(
            family=cast.family_a, actor=cast.alice, preapproval=consent, give=True
        )
    with pytest.raises(ServiceError):  # a refusal says why
        services.preapproval_answer(
            family=cast.family_a, actor=cast.bob, preapproval=consent, give=False
        )
    services.preapproval_answer(
        family=cast.family_a, actor=cast.bob, preapproval=consent, give=True
    )
    assert expense(cast, amount="500.00", category="activities").over_limit  # above the consent
    camp = expense(cast, amount="380.00", category="activities")
    assert not camp.over_limit
    consent.refresh_from_db()
    assert consent.expense == camp and consent.status == "used"
    assert expense(cast, amount="300.00", category="activities").over_limit  # used once only
    assert "expense.consent_given" in kinds(cast)


def test_a_receipt_too_large_is_refused_and_nothing_is_written(cast: Cast, settings) -> None:
    settings.MESSAGING_ATTACHMENT_MAX_BYTES = 1000
    before = LogEntry.objects.count()
    with pytest.raises(ServiceError, match="at most") as refused:
        expense(cast, receipts=[services.Upload("big.png", png_bytes((400, 400)) + b"\0" * 2000)])
    assert refused.value.field == "receipts"
    assert not Expense.objects.exists() and LogEntry.objects.count() == before


def test_a_reason_is_checked_before_it_is_trimmed(cast: Cast) -> None:
    # str.strip() would take U+001F for a space and let "\x1fok" through as "ok".
    made = expense(cast)
    with pytest.raises(ServiceError) as refused:
        services.expense_withdraw(
            family=cast.family_a, actor=cast.alice, expense=made, reason="\x1fok"
        )
    assert refused.value.field == "reason"
    made.refresh_from_db()
    assert made.status == ExpenseStatus.REQUESTED
