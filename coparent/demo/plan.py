"""The demo family's parenting plan, built through the real services: provisions agreed (one
superseded, one shared with the grandfather), one change waiting for an answer, and time away
offered under the right of first refusal."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from coparent.accounts.models import User
from coparent.decisions.models import Agreement, Decision
from coparent.decisions.services import agreement_share, decision_accept
from coparent.families.models import Family, Membership
from coparent.plan import services
from coparent.plan.selectors import PREFIX
from coparent.schedule.models import Plan
from coparent.schedule.selectors import plan_schedule


def _agree(
    family: Family, proposer: User, answerer: User, kind: str, terms: dict[str, Any]
) -> Agreement:
    decision = services.provision_propose(
        family=family,
        actor=proposer,
        kind=kind,
        terms=terms,
        respond_by=timezone.now() + dt.timedelta(days=7),
    )
    return decision_accept(family=family, actor=answerer, proposal=decision.proposals.get())


def demo_plan(family: Family, people: dict[str, User]) -> None:
    if Decision.objects.filter(family=family, subject__startswith=PREFIX).exists():
        return
    morgan, casey = people["morgan"], people["casey"]
    casey_id = str(
        Membership.objects.get(family=family, user=casey, revoked_at__isnull=True).public_id
    )
    _agree(family, morgan, casey, "first_refusal", {"hours": 8, "respond_hours": 24})
    _agree(family, casey, morgan, "relocation", {"notice_days": 30})
    _agree(
        family, morgan, casey, "relocation", {"notice_days": 60, "note": "Within the state too."}
    )
    online = _agree(
        family,
        casey,
        morgan,
        "online",
        {
            "photos": "with_consent",
            "platforms": ["YouTube Kids", "Messenger Kids"],
            "own_account_age": 14,
            "not_posted": "School name or uniform, where we are right now, makeup videos.",
        },
    )
    agreement_share(family=family, actor=morgan, agreement=online, caregivers=True, children=False)
    _agree(
        family,
        morgan,
        casey,
        "calls",
        {
            "timezone": "America/Chicago",
            "windows": [{"weekdays": [1, 3], "start": "18:30", "end": "19:00"}],
        },
    )
    _agree(family, casey, morgan, "authority", {"education": "joint", "medical": casey_id})
    _agree(
        family,
        morgan,
        casey,
        "new_partners",
        {"introduction_notice_days": 30, "overnight_notice_days": 14, "minimum_months_together": 6},
    )
    services.provision_propose(
        family=family,
        actor=morgan,
        kind="travel",
        terms={"notice_days": 21, "international_itinerary": True, "passports_held_by": casey_id},
        respond_by=timezone.now() + dt.timedelta(days=5),
        details="For the summer trip to see Grandpa Ellis.",
    )
    plan = Plan.objects.filter(family=family).first()
    schedule = plan_schedule(plan) if plan else None
    if plan is None or schedule is None:
        return
    side = "A" if plan.parent_a.user_id == morgan.pk else "B"
    now = timezone.now()
    for segment in schedule.timeline(
        now + dt.timedelta(days=2), now + dt.timedelta(days=30)
    ).segments:
        if segment.parent == side and segment.duration >= dt.timedelta(hours=24):
            services.time_away_create(
                family=family,
                actor=morgan,
                plan=plan,
                starts_at=segment.start + dt.timedelta(hours=2),
                ends_at=segment.start + dt.timedelta(hours=14),
                note="Conference overnight; back the next morning.",
            )
            return
