"""Real family-A ids for the expense routes, for the tenancy walk (tests/test_tenancy.py)."""

from __future__ import annotations

from decimal import Decimal

from coparent.expenses import services
from tests.cast import Cast
from tests.expenses.helpers import DAY, expense, member


def ids(cast: Cast) -> dict[str, str]:
    made = expense(cast)
    services.expense_approve(family=cast.family_a, actor=cast.bob, expense=made)
    payment = services.payment_record(
        family=cast.family_a,
        actor=cast.bob,
        payee=member(cast.family_a, cast.alice),
        amount=Decimal(10),
        currency="USD",
        date=DAY,
        method="cash",
    )
    a, b = member(cast.family_a, cast.alice), member(cast.family_a, cast.bob)
    agreement = services.agreement_propose(
        family=cast.family_a,
        actor=cast.alice,
        effective_from=DAY,
        rules=[services.RuleSpec({a: Decimal(50), b: Decimal(50)})],
    )
    consent = services.preapproval_request(
        family=cast.family_a,
        actor=cast.alice,
        description="Camp",
        category="activities",
        amount=Decimal(400),
        currency="USD",
    )
    return {
        "consent_id": str(consent.public_id),
        "expense_id": str(made.public_id),
        "payment_id": str(payment.public_id),
        "agreement_id": str(agreement.public_id),
    }
