"""iCalendar in and out: school calendars read as dated periods, and each member's private
subscription feed (RFC 5545) with custody periods, exchanges and events."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
from django.utils.translation import gettext as _

from coparent.core.errors import ServiceError
from coparent.engine import Schedule, exchanges, segments_between
from coparent.families.models import Family, Membership
from coparent.schedule import selectors
from coparent.schedule.models import Event

FEED_MONTHS_BACK = 3
FEED_MONTHS_AHEAD = 12
PRODID = "-//coparent//schedule feed//EN"
# How often a calendar should fetch the feed again (RFC 7986; X-PUBLISHED-TTL for Outlook).
FEED_REFRESH = dt.timedelta(hours=3)
# How far a custody period is followed out of the window to find its real start and end.
_EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
_FIRST_STEP = dt.timedelta(days=35)


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


def webcal_url(url: str) -> str:
    """The feed's https (or http) link as webcal://, which phones open in their calendar app."""
    return "webcal://" + url.split("://", 1)[1]


def _block_start(schedule: Schedule, parent: str, since: dt.datetime) -> dt.datetime:
    """When the period with `parent` that is running at `since` really began: earlier and
    earlier stretches are asked until another parent turns up."""
    step, cursor = _FIRST_STEP, since
    while cursor > _EARLIEST:
        earlier = max(cursor - step, _EARLIEST)
        for segment in reversed(segments_between(schedule, earlier, cursor)):
            if segment.parent != parent:
                return segment.end
        cursor, step = earlier, step * 2
    return _EARLIEST


def _block_end(schedule: Schedule, parent: str, until: dt.datetime) -> dt.datetime:
    """When the period with `parent` that is running just before `until` really ends."""
    step, cursor = _FIRST_STEP, until
    while cursor < _LATEST:
        later = min(cursor + step, _LATEST)
        for segment in segments_between(schedule, cursor, later):
            if segment.parent != parent:
                return segment.start
        cursor, step = later, step * 2
    return _LATEST


def _calendar(name: str) -> Any:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add(
        "refresh-interval", icalendar.vDuration(FEED_REFRESH), parameters={"VALUE": "DURATION"}
    )
    calendar.add("x-published-ttl", icalendar.vDuration(FEED_REFRESH))
    return calendar


def feed(family: Family, membership: Membership, now: dt.datetime) -> bytes:
    """The member's calendar: custody periods, exchanges and events. Places marked as someone's
    home and the usual exchange place are left out: a feed ends up in third-party calendars.

    Custody periods are whole: the ones at the window's edges keep their real start and end, so
    a calendar shows no handover that never happened, and a period's UID (the plan and its real
    start) is the same in every month's feed."""
    start, end = feed_window(now.date())
    stamp = now.astimezone(dt.UTC).replace(microsecond=0)
    calendar = _calendar(f"{family.name} (coparent)")
    plans = selectors.plan_list(family, membership)
    several = len(plans) > 1
    for plan in plans:
        # Whole periods: the edges are followed past the window, so every swap counts.
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
        blocks[0][0] = _block_start(schedule, blocks[0][2], start)
        blocks[-1][1] = _block_end(schedule, blocks[-1][2], end)
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
    if event.place and not event.place_is_home and not event.place_confidential:
        item.add("location", event.place)
    children = ", ".join(c.first_name for c in event.children.all())
    attendees = ", ".join(m.user.display_name for m in event.attendees.all())
    lines = [line for line in (children, attendees and _("Going: ") + attendees) if line]
    if lines:
        item.add("description", "\n".join(lines))
    item.add("last-modified", event.updated_at.astimezone(dt.UTC).replace(microsecond=0))
    return item
