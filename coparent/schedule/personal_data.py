"""What the schedule holds about a person, for their right-of-access zip: the schedules they
proposed or answered, the swaps they asked for or answered, and the events they added."""

from __future__ import annotations

from django.db.models import Q

from coparent.accounts.models import User
from coparent.accounts.personal_data import Section, register_personal_data
from coparent.schedule.models import Event, ScheduleVersion, SwapRequest


@register_personal_data("schedule")
def schedule_data(user: User) -> Section:
    return Section(
        {
            "schedules_proposed_or_answered": [
                {
                    "family": v.family.name,
                    "status": v.status,
                    "note": v.note,
                    "proposed_by_you": v.proposed_by_id == user.pk,
                    "proposed": v.proposed_at,
                    "effective": v.effective_at,
                    "decided": v.decided_at,
                }
                for v in ScheduleVersion.objects.filter(Q(proposed_by=user) | Q(decided_by=user))
                .select_related("family")
                .order_by("proposed_at")
            ],
            "swaps_asked_or_answered": [
                {
                    "family": s.family.name,
                    "asked_by_you": s.requested_by_id == user.pk,
                    "from": s.start_at,
                    "to": s.end_at,
                    "reason": s.reason,
                    "status": s.status,
                    "answer": s.response,
                    "asked": s.requested_at,
                    "decided": s.decided_at,
                }
                for s in SwapRequest.objects.filter(Q(requested_by=user) | Q(decided_by=user))
                .select_related("family")
                .order_by("requested_at")
            ],
            "events_you_added": [
                {
                    "family": e.family.name,
                    "what": e.title,
                    "kind": e.kind,
                    "starts": e.starts_at,
                    "ends": e.ends_at,
                    "place": e.place,
                    "notes": e.notes,
                }
                for e in Event.objects.filter(created_by=user).select_related("family")
            ],
        }
    )
