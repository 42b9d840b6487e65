"""Real family-A ids for the plan's URL and API path parameters (tests/test_tenancy.py)."""

from __future__ import annotations

from tests.cast import Cast

AFTER = ("schedule",)  # time away needs the agreed schedule the schedule's ids make


def ids(cast: Cast) -> dict[str, str]:
    from coparent.schedule.models import Plan
    from tests.plan.helpers import agree, away_during_own_time, propose

    refusal = agree(cast, "first_refusal", {"hours": 4})
    pending = propose(cast, "relocation", {"notice_days": 60})
    plan = Plan.objects.get(family=cast.family_a, child__isnull=True)
    away = away_during_own_time(cast, plan, hours=5)
    return {
        "kind": "relocation",
        "proposal_id": str(pending.public_id),
        "away_id": str(away.public_id),
        "plan_agreement_id": str(refusal.public_id),
    }
