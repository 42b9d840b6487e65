"""Property tests against the database: for random sequences of expenses, splits, partial
approvals, disputes, withdrawals, payments and confirmations, the SQL balance equals approved
shares minus confirmed payments to the minor unit, shares always sum to the amount, and the
order of unrelated operations does not change the balance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coparent.core.errors import ServiceError
from coparent.expenses import selectors, services
from coparent.expenses.models import Expense
from coparent.ledger import balance as oracle
from coparent.ledger import money
from tests.cast import Cast
from tests.expenses.helpers import member

CURRENCIES = ["USD", "JPY", "BHD"]
PROFILE = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


class Rollback(Exception):
    pass


expense_op = st.tuples(
    st.just("expense"),
    st.sampled_from(["alice", "bob"]),
    st.integers(min_value=1, max_value=10**7),
    st.sampled_from(CURRENCIES),
    st.one_of(st.none(), st.integers(min_value=0, max_value=10000)),
)
answer_op = st.tuples(
    st.sampled_from(["approve", "part", "dispute", "withdraw"]),
    st.integers(min_value=0, max_value=30),
    st.integers(min_value=1, max_value=99),
)
payment_op = st.tuples(
    st.just("pay"),
    st.sampled_from(["alice", "bob"]),
    st.integers(min_value=1, max_value=10**6),
    st.sampled_from(CURRENCIES),
    st.booleans(),
)


def sql_balance(cast: Cast) -> list[tuple[str, str, str, int]]:
    return [
        (b.currency, b.owed_by.user.email, b.owed_to.user.email, b.amount_minor)
        for b in selectors.balance_list(cast.family_a)
    ]


class World:
    """Runs operations through the services and keeps its own account of what was approved and
    confirmed, independent of the tables."""

    def __init__(self, cast: Cast) -> None:
        self.cast = cast
        self.users = {"alice": cast.alice, "bob": cast.bob}
        self.members = {k: member(cast.family_a, u) for k, u in self.users.items()}
        self.expenses: list[Expense] = []
        self.approved: dict[int, oracle.Debt] = {}
        self.confirmed: list[oracle.Payment] = []

    def run(self, op: tuple[Any, ...]) -> None:
        family = self.cast.family_a
        kind = op[0]
        if kind == "expense":
            _k, payer, minor, currency, percent = op
            other = "bob" if payer == "alice" else "alice"
            split = None
            if percent is not None:
                split = {
                    self.members[payer]: Decimal(percent) / 100,
                    self.members[other]: Decimal(10000 - percent) / 100,
                }
            expense = services.expense_create(
                family=family,
                actor=self.users[payer],
                description="x",
                category="other",
                amount=money.from_minor(minor, currency),
                currency=currency,
                date=dt.date(2026, 6, 1),
                split=split,
            )
            shares = selectors.expense_shares(expense)
            assert sum(s.amount_minor for s in shares) == minor
            self.expenses.append(expense)
        elif kind in ("approve", "part", "dispute", "withdraw"):
            if not self.expenses:
                return
            expense = self.expenses[op[1] % len(self.expenses)]
            expense.refresh_from_db()
            payer = "alice" if expense.paid_by == self.members["alice"] else "bob"
            other = "bob" if payer == "alice" else "alice"
            try:
                if kind == "withdraw":
                    services.expense_withdraw(
                        family=family, actor=self.users[payer], expense=expense
                    )
                    self.approved.pop(expense.pk, None)
                elif kind == "dispute":
                    services.expense_dispute(
                        family=family, actor=self.users[other], expense=expense, reason="no"
                    )
                else:
                    amount = None
                    if kind == "part":
                        part = expense.requested_minor * op[2] // 100
                        if part <= 0:
                            return
                        amount = money.from_minor(part, expense.currency)
                    done = services.expense_approve(
                        family=family,
                        actor=self.users[other],
                        expense=expense,
                        amount=amount,
                        reason="part" if amount is not None else "",
                    )
                    assert done.approved_minor is not None
                    self.approved[expense.pk] = oracle.Debt(
                        expense.currency,
                        self.users[other].email,
                        self.users[payer].email,
                        done.approved_minor,
                    )
            except ServiceError:
                pass  # not answerable any more (answered, withdrawn, nothing asked): refused
        elif kind == "pay":
            _k, payer, minor, currency, confirm = op
            other = "bob" if payer == "alice" else "alice"
            payment = services.payment_record(
                family=family,
                actor=self.users[payer],
                payee=self.members[other],
                amount=money.from_minor(minor, currency),
                currency=currency,
                date=dt.date(2026, 6, 2),
                method="cash",
            )
            if confirm:
                services.payment_confirm(family=family, actor=self.users[other], payment=payment)
                self.confirmed.append(
                    oracle.Payment(
                        currency, self.users[payer].email, self.users[other].email, minor
                    )
                )
            else:
                services.payment_dispute(
                    family=family, actor=self.users[other], payment=payment, reason="not seen"
                )

    def expected(self) -> list[tuple[str, str, str, int]]:
        return [
            (line.currency, line.owed_by, line.owed_to, line.amount)
            for line in oracle.net(self.approved.values(), self.confirmed)
        ]


def test_the_balance_is_approved_shares_minus_confirmed_payments(cast: Cast) -> None:
    @PROFILE
    @given(ops=st.lists(st.one_of(expense_op, answer_op, payment_op), max_size=14))
    def check(ops: list[tuple[Any, ...]]) -> None:
        try:
            with transaction.atomic():
                world = World(cast)
                for op in ops:
                    world.run(op)
                assert sql_balance(cast) == world.expected()
                raise Rollback
        except Rollback:
            pass

    check()


def test_the_order_of_unrelated_operations_does_not_change_the_balance(cast: Cast) -> None:
    # Each item stands alone: an expense with its answer, or a payment with its confirmation.
    item = st.one_of(
        st.tuples(
            expense_op, st.sampled_from(["approve", "part", "dispute", "none"]), st.integers(1, 99)
        ),
        st.tuples(payment_op),
    )

    @PROFILE
    @given(items=st.lists(item, min_size=1, max_size=8), order=st.randoms(use_true_random=False))
    def check(items: list[tuple[Any, ...]], order: Any) -> None:
        results = []
        for sequence in (items, order.sample(items, len(items))):
            try:
                with transaction.atomic():
                    world = World(cast)
                    for entry in sequence:
                        world.run(entry[0])
                        if len(entry) > 1 and entry[1] != "none":
                            world.run((entry[1], len(world.expenses) - 1, entry[2]))
                    results.append(sql_balance(cast))
                    raise Rollback
            except Rollback:
                pass
        assert results[0] == results[1]

    check()
