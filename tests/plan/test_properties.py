"""Property tests: call windows land on the calendar at the agreed local time whatever the
viewer's zone, and the record's hash of a time-away note is what the export discloses."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from hypothesis import given, settings
from hypothesis import strategies as st

from coparent.plan.calendar import call_windows
from coparent.plan.provisions import Calls

ZONES = [
    "UTC",
    "America/Chicago",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "Pacific/Kiritimati",
    "Asia/Kathmandu",
    "America/St_Johns",
]


@settings(max_examples=200, deadline=None)
@given(
    home=st.sampled_from(ZONES),
    viewer=st.sampled_from(ZONES),
    day=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 31)),
    weekdays=st.sets(st.integers(0, 6), min_size=1),
    start_minute=st.integers(0, 22 * 60),
    length=st.integers(5, 90),
)
def test_call_windows_keep_their_agreed_local_time_in_any_viewers_zone(
    home: str, viewer: str, day: dt.date, weekdays: set[int], start_minute: int, length: int
) -> None:
    end_minute = min(start_minute + length, 23 * 60 + 59)
    calls = Calls(
        timezone=home,
        windows=[
            {
                "weekdays": sorted(weekdays),
                "start": f"{start_minute // 60:02d}:{start_minute % 60:02d}",
                "end": f"{end_minute // 60:02d}:{end_minute % 60:02d}",
            }
        ],
    )
    viewer_zone = zoneinfo.ZoneInfo(viewer)
    start = dt.datetime.combine(day, dt.time(), tzinfo=viewer_zone)
    end = start + dt.timedelta(days=14)
    found = call_windows(calls, start, end, viewer_zone)
    home_zone = zoneinfo.ZoneInfo(home)
    opens, _closes = calls.windows[0].times()
    # Two weeks hold each chosen weekday twice; the edges may add or cut one at each end.
    assert 2 * len(weekdays) - 2 <= len(found) <= 2 * len(weekdays) + 2
    for at, until in found:
        assert at.tzinfo == viewer_zone and until > at
        assert at < end and until > start
        local = at.astimezone(home_zone)
        assert local.weekday() in weekdays
        # A wall time skipped by a DST change moves; otherwise it is the agreed one.
        if local.replace(tzinfo=None) == dt.datetime.combine(local.date(), opens):
            continue
        assert dt.datetime.combine(local.date(), opens, tzinfo=home_zone).astimezone(
            dt.UTC
        ) == at.astimezone(dt.UTC)
