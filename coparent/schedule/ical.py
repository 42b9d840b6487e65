"""iCalendar in and out: school calendars read as dated periods, and each member's private
subscription feed (RFC 5545) with custody periods, exchanges and events."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
from django.utils.translation import gettext as _

from coparent.core.errors import ServiceError
from coparent.engine import exchanges
from coparent.families.models import Family, Membership
from coparent.schedule import selectors
from coparent.schedule.models import Event

FEED_MONTHS_BACK = 3
FEED_MONTHS_AHEAD = 12
PRODID = "-//coparent//schedule feed//EN"


def school_periods_from_ics(data: bytes) -> list[tuple[dt.date, dt.date, str]]:
    """(first day, last day, name) for every event of a school calendar; all-day events end the
    day before their DTEND, as RFC 5545 says."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError) as error:
        raise ServiceError(
            _("This file is not an iCalendar (.ics) file: %(error)s") % {"error": error},
            field="school_calendar",
        ) from None
    periods = []
    for component in calendar.walk("VEVENT"):
        start = component.decoded("DTSTART", None)
        if start is None:
            continue
        end = component.decoded("DTEND", None)
        first = start.date() if isinstance(start, dt.datetime) else start
        if end is None:
            last = first
        elif isinstance(end, dt.datetime):
            last = end.date()
        else:
            last = max(first, end - dt.timedelta(days=1))
        name = str(component.get("SUMMARY", "")).strip() or _("School break")
        periods.append((first, last, name[:60]))
    if not periods:
        raise ServiceError(_("No events found in this calendar file."), field="school_calendar")
    return sorted(periods)


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


def feed_window(today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From the 1st of the month three months back to twelve months ahead; whole months, so a
    custody period's start (and UID) does not move from day to day."""
    start = _add_months(today, -FEED_MONTHS_BACK)
    end = _add_months(today, FEED_MONTHS_AHEAD + 1)
    return (
        dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC),
        dt.datetime.combine(end, dt.time(), tzinfo=dt.UTC),
    )


def _event(uid: str, summary: str, start: dt.datetime, end: dt.datetime, stamp: dt.datetime) -> Any:
    item = icalendar.Event()
    item.add("uid", uid)
    item.add("dtstamp", stamp)
    item.add("dtstart", start.astimezone(dt.UTC))
    item.add("dtend", end.astimezone(dt.UTC))
    item.add("summary", summary)
    return item


def feed(family: Family, membership: Membership, now: dt.datetime) -> bytes:
    """The member's calendar: custody periods, exchanges and events. Places marked as someone's
    home and the usual exchange place are left out: a feed ends up in third-party calendars."""
    start, end = feed_window(now.date())
    stamp = now.astimezone(dt.UTC).replace(microsecond=0)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{family.name} (coparent)")
    plans = selectors.plan_list(family, membership)
    several = len(plans) > 1
    for plan in plans:
        schedule = selectors.plan_schedule(plan)
        if schedule is None:
            continue
        timeline = schedule.timeline(start, end)
        names = selectors.parent_names(plan)
        label = selectors.plan_label(plan)
        suffix = f" ({label})" if several else ""
        blocks: list[list[Any]] = []
        for segment in timeline.segments:
            if blocks and blocks[-1][2] == segment.parent:
                blocks[-1][1] = segment.end
            else:
                blocks.append([segment.start, segment.end, segment.parent])
        for block_start, block_end, parent in blocks:
            calendar.add_component(
                _event(
                    f"custody-{plan.public_id}-{block_start:%Y%m%dT%H%M%SZ}@coparent",
                    _("With %(name)s") % {"name": names[parent]} + suffix,
                    block_start,
                    block_end,
                    stamp,
                )
            )
        for exchange in exchanges(timeline):
            item = _event(
                f"exchange-{plan.public_id}-{exchange.at:%Y%m%dT%H%M%SZ}@coparent",
                _("Exchange: %(from)s to %(to)s")
                % {"from": names[exchange.from_parent], "to": names[exchange.to_parent]}
                + suffix,
                exchange.at,
                exchange.at + dt.timedelta(minutes=15),
                stamp,
            )
            calendar.add_component(item)
    for event in selectors.event_list(family, membership, start, end):
        calendar.add_component(_event_item(event, stamp))
    return bytes(calendar.to_ical())


def _event_item(event: Event, stamp: dt.datetime) -> Any:
    item = _event(
        f"event-{event.public_id}@coparent", event.title, event.starts_at, event.ends_at, stamp
    )
    if event.place and not event.place_is_home:
        item.add("location", event.place)
    children = ", ".join(c.first_name for c in event.children.all())
    attendees = ", ".join(m.user.display_name for m in event.attendees.all())
    lines = [line for line in (children, attendees and _("Going: ") + attendees) if line]
    if lines:
        item.add("description", "\n".join(lines))
    item.add("last-modified", event.updated_at.astimezone(dt.UTC).replace(microsecond=0))
    return item
