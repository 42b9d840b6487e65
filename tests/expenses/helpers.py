"""Short ways to the cast's memberships and to an expense made through the real services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from coparent.accounts.models import User
from coparent.expenses import services
from coparent.expenses.models import Expense
from coparent.families.models import Family, Membership
from tests.cast import Cast

DAY = dt.date(2026, 6, 10)


def member(family: Family, user: User) -> Membership:
    return Membership.objects.active().get(family=family, user=user)


def expense(cast: Cast, user: User | None = None, amount: str = "100.00", **extra: Any) -> Expense:
    fields: dict[str, Any] = {
        "description": "Dentist",
        "category": "medical",
        "amount": Decimal(amount),
        "currency": "USD",
        "date": DAY,
        "children": [cast.kit],
    }
    fields.update(extra)
    return services.expense_create(family=cast.family_a, actor=user or cast.alice, **fields)


def agree(
    cast: Cast, alice_percent: str, *, effective_from: dt.date = dt.date(2026, 1, 1), **extra: Any
):
    a, b = member(cast.family_a, cast.alice), member(cast.family_a, cast.bob)
    rules = extra.pop("rules", None) or [
        services.RuleSpec({a: Decimal(alice_percent), b: 100 - Decimal(alice_percent)})
    ]
    agreement = services.agreement_propose(
        family=cast.family_a, actor=cast.alice, effective_from=effective_from, rules=rules, **extra
    )
    return services.agreement_decide(
        family=cast.family_a, actor=cast.bob, agreement=agreement, accept=True
    )
