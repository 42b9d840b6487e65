"""A real family-A access request for the tenancy walk (tests/test_tenancy.py)."""

from __future__ import annotations

from coparent.families import services
from tests.cast import Cast
from tests.workspace.helpers import ask, coordinator


def ids(cast: Cast) -> dict[str, str]:
    request = ask(coordinator("walk-pc@example.test"))
    # Filed under family A by Alice's answer: with both parents needed, it stays open.
    cast.family_a.access_approval = "both"
    cast.family_a.save(update_fields=["access_approval"])
    services.access_request_approve(family=cast.family_a, actor=cast.alice, request=request)
    return {"request_id": str(request.public_id)}
