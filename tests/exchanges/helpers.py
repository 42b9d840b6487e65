"""An agreed alternating-days schedule with exchanges every day at 18:00 UTC, for exchange tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from coparent.schedule import services as schedule_services
from coparent.schedule.models import Plan
from tests.cast import Cast


def daily_exchanges(cast: Cast) -> Plan:
    today = timezone.now().date()
    spec = {
        "timezone": "UTC",
        "parents": ["A", "B"],
        "rotation": {
            "pattern": "AB",
            "anchor": (today - dt.timedelta(days=30)).isoformat(),
            "first": "A",
            "exchange_time": "18:00",
        },
    }
    version = schedule_services.schedule_propose(family=cast.family_a, actor=cast.alice, spec=spec)
    return schedule_services.schedule_accept(
        family=cast.family_a, actor=cast.bob, version=version
    ).plan


def next_exchange(after: dt.datetime | None = None) -> dt.datetime:
    after = after or timezone.now()
    candidate = after.astimezone(dt.UTC).replace(hour=18, minute=0, second=0, microsecond=0)
    return candidate if candidate > after else candidate + dt.timedelta(days=1)


def sides(plan: Plan, at: dt.datetime):
    """(the user handing over, the user receiving) at the exchange at `at`."""
    from coparent.schedule import selectors

    schedule = selectors.plan_schedule(plan)
    segment = schedule.timeline(at - dt.timedelta(hours=1), at + dt.timedelta(hours=1)).segments
    giver, taker = segment[0].parent, segment[-1].parent
    return plan.membership_for(giver).user, plan.membership_for(taker).user
