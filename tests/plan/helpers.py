"""Plan test helpers: provisions agreed through the real services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from coparent.decisions.models import Agreement, Proposal
from coparent.decisions.services import decision_accept
from coparent.plan import services
from tests.cast import Cast


def respond_by() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=7)


def propose(cast: Cast, kind: str, terms: dict[str, Any], actor=None) -> Proposal:
    decision = services.provision_propose(
        family=cast.family_a,
        actor=actor or cast.alice,
        kind=kind,
        terms=terms,
        respond_by=respond_by(),
    )
    return decision.proposals.get()


def agree(cast: Cast, kind: str, terms: dict[str, Any]) -> Agreement:
    proposal = propose(cast, kind, terms)
    return decision_accept(family=cast.family_a, actor=cast.bob, proposal=proposal)


def member_id(cast: Cast, user) -> str:
    from coparent.families.models import Membership

    return str(Membership.objects.get(family=cast.family_a, user=user).public_id)


TERMS: dict[str, dict[str, Any]] = {
    "first_refusal": {"hours": 8, "respond_hours": 24},
    "new_partners": {
        "introduction_notice_days": 30,
        "overnight_notice_days": 14,
        "minimum_months_together": 6,
    },
    "online": {
        "photos": "with_consent",
        "platforms": ["YouTube Kids"],
        "own_account_age": 13,
        "not_posted": "School name, makeup videos",
    },
    "travel": {"notice_days": 14, "international_itinerary": True, "passports_held_by": ""},
    "relocation": {"notice_days": 60},
    "calls": {
        "timezone": "America/Chicago",
        "windows": [{"weekdays": [0, 2, 4], "start": "18:30", "end": "19:00"}],
    },
    "authority": {"education": "joint", "medical": "joint"},
}


def away_during_own_time(cast: Cast, plan, *, hours: int, actor=None):
    """Time away for `actor` (alice) inside the next custody stretch of theirs that is long
    enough, whatever the schedule."""
    from coparent.plan.models import TimeAway
    from coparent.schedule.selectors import plan_schedule

    actor = actor or cast.alice
    side = "A" if plan.parent_a.user_id == actor.pk else "B"
    now = timezone.now()
    schedule = plan_schedule(plan)
    assert schedule is not None
    segments = schedule.timeline(now + dt.timedelta(hours=1), now + dt.timedelta(days=30)).segments
    start = next(
        max(s.start, now + dt.timedelta(hours=1))
        for s in segments
        if s.parent == side
        and s.end - max(s.start, now + dt.timedelta(hours=1)) > dt.timedelta(hours=hours + 1)
    )
    away: TimeAway = services.time_away_create(
        family=cast.family_a,
        actor=actor,
        plan=plan,
        starts_at=start + dt.timedelta(minutes=1),
        ends_at=start + dt.timedelta(hours=hours, minutes=1),
    )
    return away
