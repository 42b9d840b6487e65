from __future__ import annotations

from tests.cast import Cast


def ids(cast: Cast) -> dict[str, str]:
    from coparent.exchanges import services
    from coparent.schedule.models import Plan
    from tests.exchanges.helpers import next_exchange

    plan = Plan.objects.filter(family=cast.family_a).first()
    ids = {"at": str(int(next_exchange().timestamp()))}
    if plan is not None:
        terms = services.terms_propose(
            family=cast.family_a,
            actor=cast.alice,
            plan=plan,
            place_kind="school",
            place_name="School",
            grace_minutes=10,
        )
        ids["terms_id"] = str(terms.public_id)
        ids.setdefault("plan_id", str(plan.public_id))
    return ids
