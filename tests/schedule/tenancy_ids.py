"""Real family-A ids for the schedule app's URL and API path parameters (tests/test_tenancy.py)."""

from __future__ import annotations

from coparent.schedule import services
from tests.cast import Cast
from tests.schedule.helpers import agreed, soon, swap


def ids(cast: Cast) -> dict[str, str]:
    version = agreed(cast)
    pending = services.schedule_propose(
        family=cast.family_a,
        actor=cast.alice,
        spec=version.spec,
        effective_at=soon(5),
    )
    request = swap(cast, version)
    event = services.event_create(
        family=cast.family_a,
        actor=cast.alice,
        title="School play",
        kind="school",
        starts_at=soon(3),
    )
    return {
        "plan_id": str(version.plan.public_id),
        "version_id": str(pending.public_id),
        "swap_id": str(request.public_id),
        "event_id": str(event.public_id),
    }
