"""The plan's call windows on the family calendar, in the viewer's zone (a layer registered with
`schedule.layers`). Windows are agreed in a named zone; each is turned into an instant on its
date there, so a viewer elsewhere sees it at their own time, on their own date."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.urls import reverse
from django.utils.translation import gettext as _

from coparent.families.models import Family, Membership, Role
from coparent.plan.models import OfferStatus, TimeAway
from coparent.plan.provisions import Calls
from coparent.plan.selectors import provisions_in_force
from coparent.schedule.layers import CalendarNote, register_layer


def call_windows(
    calls: Calls, start: dt.datetime, end: dt.datetime, zone: dt.tzinfo
) -> list[tuple[dt.datetime, dt.datetime]]:
    """(start, end) of each call window overlapping [start, end), in `zone`."""
    home = zoneinfo.ZoneInfo(calls.timezone)
    first = start.astimezone(home).date() - dt.timedelta(days=1)
    last = end.astimezone(home).date() + dt.timedelta(days=1)
    found = []
    day = first
    while day <= last:
        for window in calls.windows:
            if day.weekday() in window.weekdays:
                opens, closes = window.times()
                at = dt.datetime.combine(day, opens, tzinfo=home)
                until = dt.datetime.combine(day, closes, tzinfo=home)
                if at < end and until > start:
                    found.append((at.astimezone(zone), until.astimezone(zone)))
        day += dt.timedelta(days=1)
    return sorted(found)


def call_window_layer(
    family: Family, membership: Membership, start: dt.datetime, end: dt.datetime, zone: dt.tzinfo
) -> list[CalendarNote]:
    in_force = provisions_in_force(family, membership).get("calls")
    if in_force is None or not isinstance(in_force.provision, Calls):
        return []
    link = reverse("plan:plan", args=[family.public_id]) + "#calls"
    text = _("Call window: the parent without the children may call")
    return [
        CalendarNote(at, until, text, "call-window", link)
        for at, until in call_windows(in_force.provision, start, end, zone)
    ]


def time_away_layer(
    family: Family, membership: Membership, start: dt.datetime, end: dt.datetime, zone: dt.tzinfo
) -> list[CalendarNote]:
    """Time away on the day it starts, with where its offer stands (parents and professionals)."""
    if membership.role not in (Role.PARENT, Role.PROFESSIONAL):
        return []
    notes = []
    for away in (
        TimeAway.objects.filter(family=family, starts_at__lt=end, ends_at__gt=start)
        .exclude(status=OfferStatus.WITHDRAWN)
        .select_related("parent")
    ):
        text = _("%(name)s away: %(status)s") % {
            "name": away.parent.display_name,
            "status": away.status_label,
        }
        link = reverse("plan:time_away", args=[family.public_id, away.public_id])
        notes.append(CalendarNote(away.starts_at.astimezone(zone), None, text, "time-away", link))
    return notes


register_layer(call_window_layer)
register_layer(time_away_layer)
