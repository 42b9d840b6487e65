"""Real family-A ids for the report routes, for the tenancy walk (tests/test_tenancy.py)."""

from __future__ import annotations

import datetime as dt

from coparent.families.models import Membership
from coparent.reports import services
from tests.cast import Cast


def ids(cast: Cast) -> dict[str, str]:
    alice = Membership.objects.get(family=cast.family_a, user=cast.alice, revoked_at__isnull=True)
    report = services.report_request(
        family=cast.family_a,
        actor=alice,
        first=dt.date(2026, 6, 1),
        last=dt.date(2026, 6, 17),
        sections=["access"],
    )
    return {"report_id": str(report.public_id)}
