"""Real family-A ids for the decision routes, for the tenancy walk (tests/test_tenancy.py)."""

from __future__ import annotations

from tests.cast import Cast
from tests.decisions.helpers import agreed, propose


def ids(cast: Cast) -> dict[str, str]:
    agreement = agreed(cast, title="Screen time: one hour on school days")
    decision = propose(cast, title="Kit starts piano lessons", category="activities")
    return {"decision_id": str(decision.public_id), "agreement_id": str(agreement.public_id)}
