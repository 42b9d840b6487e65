"""The demo's decisions: one agreed and shared, one open with a deadline, one declined."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from coparent.attention.selectors import items_for
from coparent.decisions.models import Agreement, Decision, DecisionStatus
from coparent.families.models import Membership

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_agreement_an_open_decision_and_a_declined_one() -> None:
    call_command("demo")
    call_command("demo")  # idempotent
    assert sorted(
        Decision.objects.filter(subject="decision").values_list("status", flat=True)
    ) == sorted([DecisionStatus.AGREED, DecisionStatus.OPEN, DecisionStatus.DECLINED])
    agreement = Agreement.objects.get(decision__subject="decision")
    assert agreement.decision.category == "online" and agreement.shared_with_caregivers
    morgan = (
        Membership.objects.active()
        .select_related("family", "user")
        .get(user__email="morgan@demo.coparent.test")
    )
    assert "decision" in {i.kind for i in items_for(morgan.family, morgan)}
