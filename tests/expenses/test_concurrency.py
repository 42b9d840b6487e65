"""Two parents answering and paying at once, from real threads on PostgreSQL: every answer is
taken once (the first wins, the other is told), nothing deadlocks, the record stays whole, and
the balance still equals approved shares minus confirmed payments."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from coparent.core.errors import ServiceError
from coparent.expenses import selectors, services
from coparent.expenses.models import Expense, ExpenseStatus, Payment, PaymentStatus
from coparent.ledger import balance as oracle
from tests.cast import build_cast
from tests.expenses.helpers import DAY, member
from tests.test_concurrency import INSTANT, assert_record_whole, run_writers


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_parents_answering_and_paying_at_once() -> None:
    rounds = 6
    with time_machine.travel(INSTANT, tick=False):
        cast = build_cast()
        family = cast.family_a
        alice, bob = member(family, cast.alice), member(family, cast.bob)

        def make(user, n: int) -> Expense:
            return services.expense_create(
                family=family,
                actor=user,
                description=f"Item {n}",
                category="other",
                amount=Decimal("10.01") + n,
                currency="USD",
                date=DAY,
            )

        by_alice = [make(cast.alice, n) for n in range(rounds)]
        by_bob = [make(cast.bob, n) for n in range(rounds)]
        refused: list[str] = []

        def alice_job(n: int) -> None:
            try:  # races bob's approval of the same expense
                services.expense_withdraw(family=family, actor=cast.alice, expense=by_alice[n])
            except ServiceError:
                refused.append("withdraw")
            services.expense_approve(family=family, actor=cast.alice, expense=by_bob[n])
            payment = services.payment_record(
                family=family,
                actor=cast.alice,
                payee=bob,
                amount=Decimal("1.00"),
                currency="USD",
                date=DAY,
                method="cash",
            )
            services.payment_confirm(family=family, actor=cast.bob, payment=payment)

        def bob_job(n: int) -> None:
            try:
                services.expense_approve(family=family, actor=cast.bob, expense=by_alice[n])
            except ServiceError:
                refused.append("approve")
            services.payment_record(
                family=family,
                actor=cast.bob,
                payee=alice,
                amount=Decimal("2.00"),
                currency="USD",
                date=DAY,
                method="bank_transfer",
            )

        def confirmations(n: int) -> None:
            for payment in Payment.objects.filter(
                family=family, payee=alice, status=PaymentStatus.PENDING
            ):
                try:
                    services.payment_confirm(family=family, actor=cast.alice, payment=payment)
                except ServiceError:
                    refused.append("confirm")  # confirmed by the previous round already

        errors, seen = run_writers(
            family, {"alice": alice_job, "bob": bob_job, "confirm": confirmations}, rounds
        )
        assert not errors, "\n".join(errors)
        assert_record_whole(family, seen)
        statuses = [e.status for e in Expense.objects.filter(pk__in=[e.pk for e in by_alice])]
        assert set(statuses) <= {ExpenseStatus.APPROVED, ExpenseStatus.WITHDRAWN}
        debts = [
            oracle.Debt(e.currency, str(e.debtor_id), str(e.paid_by_id), e.approved_minor or 0)
            for e in Expense.objects.filter(family=family, status=ExpenseStatus.APPROVED)
        ]
        paid = [
            oracle.Payment(p.currency, str(p.payer_id), str(p.payee_id), p.amount_minor)
            for p in Payment.objects.filter(family=family, status=PaymentStatus.CONFIRMED)
        ]
        expected = [(b.currency, b.owed_by, b.owed_to, b.amount) for b in oracle.net(debts, paid)]
        got = [
            (b.currency, str(b.owed_by.pk), str(b.owed_to.pk), b.amount_minor)
            for b in selectors.balance_list(family)
        ]
        assert got == expected
