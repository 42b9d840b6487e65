"""Real family-A ids for the expense pages and operations, for the tenancy walk
(tests/test_tenancy.py): an expense with a receipt, a payment with proof, a split proposal."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal

from django.test import override_settings

from coparent.expenses import services
from coparent.expenses.models import Receipt
from coparent.families.models import Membership
from tests.cast import Cast
from tests.messaging.helpers import png_bytes


def ids(cast: Cast) -> dict[str, str]:
    family = cast.family_a
    alice = Membership.objects.active().get(family=family, user=cast.alice)
    bob = Membership.objects.active().get(family=family, user=cast.bob)
    with (
        tempfile.TemporaryDirectory() as folder,
        override_settings(MESSAGING_ATTACHMENT_DIR=folder),
    ):
        expense = services.expense_create(
            family=family,
            actor=cast.alice,
            description="Dentist",
            category="medical",
            amount=Decimal("80.00"),
            currency="USD",
            date=dt.date(2026, 6, 1),
            children=[cast.kit],
            receipts=[services.Upload("bill.png", png_bytes())],
        )
        services.expense_approve(family=family, actor=cast.bob, expense=expense)
        payment = services.payment_record(
            family=family,
            actor=cast.bob,
            payee=alice,
            amount=Decimal("10.00"),
            currency="USD",
            date=dt.date(2026, 6, 2),
            method="cash",
            proof=services.Upload("proof.png", png_bytes()),
        )
    agreement = services.agreement_propose(
        family=family,
        actor=cast.alice,
        effective_from=dt.date(2026, 7, 1),
        rules=[services.RuleSpec({alice: Decimal(60), bob: Decimal(40)})],
    )
    consent = services.preapproval_request(
        family=family,
        actor=cast.alice,
        description="Camp",
        category="activities",
        amount=Decimal(400),
        currency="USD",
    )
    return {
        "consent_id": str(consent.public_id),
        "expense_id": str(expense.public_id),
        "receipt_id": str(Receipt.objects.get(expense=expense).public_id),
        "payment_id": str(payment.public_id),
        "agreement_id": str(agreement.public_id),
        "currency": "USD",
    }
