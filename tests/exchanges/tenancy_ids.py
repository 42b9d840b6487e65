from __future__ import annotations

from tests.cast import Cast

AFTER = ("schedule",)  # the schedule's ids agree a plan; exchanges need one


def ids(cast: Cast) -> dict[str, str]:
    from coparent.exchanges import services
    from coparent.schedule.models import Plan
    from tests.exchanges.helpers import next_exchange

    plan = Plan.objects.get(family=cast.family_a, child__isnull=True)
    terms = services.terms_propose(
        family=cast.family_a,
        actor=cast.alice,
        plan=plan,
        place_kind="school",
        place_name="School",
        grace_minutes=10,
    )
    return {"at": str(int(next_exchange().timestamp())), "terms_id": str(terms.public_id)}
