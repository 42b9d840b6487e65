"""When a delivery may go: after the person's quiet hours, at their digest hour. Local times are
the person's own zone; instants are UTC."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def _at(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    # A wall time skipped by a DST change lands on the instant it names (an hour later).
    return dt.datetime.combine(day, time, tzinfo=zone).astimezone(dt.UTC)


def quiet_until(
    now: dt.datetime, zone: ZoneInfo, start: dt.time, end: dt.time
) -> dt.datetime | None:
    """The end of the quiet hours `now` falls in, or None when it falls in none. Quiet hours
    from 22:00 to 07:00 run past midnight."""
    local = now.astimezone(zone)
    day, time = local.date(), local.time().replace(tzinfo=None)
    if start == end:
        return None
    if start < end:
        return _at(day, end, zone) if start <= time < end else None
    if time >= start:
        return _at(day + dt.timedelta(days=1), end, zone)
    if time < end:
        return _at(day, end, zone)
    return None


def next_digest(now: dt.datetime, zone: ZoneInfo, hour: int) -> dt.datetime:
    """The first instant at or after `now` when the local clock shows `hour`:00."""
    local = now.astimezone(zone)
    candidate = _at(local.date(), dt.time(hour), zone)
    if candidate < now:
        candidate = _at(local.date() + dt.timedelta(days=1), dt.time(hour), zone)
    return candidate
