"""A window from one local midnight to another holds exactly the nights of its dates, whatever the
night check: before midnight (evening of the date) or after it (morning after)."""

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coparent.engine import parse_spec, window
from tests.engine.helpers import make_spec, timeline_for

ZONES = ["America/Chicago", "Europe/London", "Australia/Lord_Howe", "America/Santiago", "UTC"]
DAY = timedelta(days=1)


def _exact(day: date, wall: time, zone: ZoneInfo) -> datetime:
    # Independent of the engine's clock: the wall time, or the first later minute that exists.
    candidate = datetime.combine(day, wall)
    while (
        candidate.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        != candidate
    ):
        candidate += timedelta(minutes=1)
    return candidate.replace(tzinfo=zone).astimezone(UTC)


@pytest.mark.parametrize("check", ["18:00", "00:00", "03:00", "23:59", "11:59", "12:00"])
def test_a_calendar_month_counts_the_nights_of_its_dates(check):
    spec = make_spec(night_check=check)
    timeline = timeline_for(spec, date(2026, 3, 1), date(2026, 4, 1))
    assert [n.date for n in timeline.nights] == [date(2026, 3, 1) + i * DAY for i in range(31)]


def test_a_check_after_midnight_decides_the_last_night_after_the_window():
    # A has every night except B's sleepover on the night of 9 May (until 04:00 on the 10th).
    sleepover = [{"start": "2026-05-09T18:00", "end": "2026-05-10T04:00", "parent": "B"}]
    spec = make_spec(rotation=None, default="A", night_check="03:00", overrides=sleepover)
    nights = timeline_for(spec, date(2026, 5, 8), date(2026, 5, 10)).nights
    assert [(n.date, n.parent) for n in nights] == [
        (date(2026, 5, 8), "A"),
        (date(2026, 5, 9), "B"),
    ]


def test_a_check_in_the_evening_is_on_the_night_s_own_date():
    dinner = [{"start": "2026-05-08T17:00", "end": "2026-05-08T22:00", "parent": "B"}]
    spec = make_spec(rotation=None, default="A", night_check="21:00", overrides=dinner)
    nights = {
        n.date: n.parent for n in timeline_for(spec, date(2026, 5, 7), date(2026, 5, 10)).nights
    }
    assert nights == {date(2026, 5, 7): "A", date(2026, 5, 8): "B", date(2026, 5, 9): "A"}


@settings(max_examples=150, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    check=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    first=st.dates(min_value=date(2024, 1, 1), max_value=date(2031, 12, 31)),
    length=st.integers(min_value=1, max_value=70),
    exchange=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    pattern=st.text(alphabet="AB", min_size=1, max_size=14),
)
def test_midnight_windows_hold_exactly_the_nights_of_their_dates(
    zone, check, first, length, exchange, pattern
):
    spec = make_spec(
        timezone=zone,
        night_check=check.strftime("%H:%M"),
        rotation={
            "pattern": pattern,
            "anchor": "2026-01-05",
            "first": "A",
            "exchange_time": exchange.strftime("%H:%M"),
        },
    )
    schedule = parse_spec(spec)
    last = first + length * DAY
    nights = schedule.timeline(*window(schedule, first, last)).nights
    assert [n.date for n in nights] == [first + i * DAY for i in range(length)]
    # Each goes to whoever has the child at its check: the morning after for a check before
    # noon, the evening of the date from noon on. Asked of one wider timeline.
    tz = ZoneInfo(zone)
    wide = schedule.timeline(*window(schedule, first - 2 * DAY, last + 2 * DAY))
    for night in nights:
        at = _exact(night.date + (DAY if check < time(12) else timedelta()), check, tz)
        assert night.parent == next(s.parent for s in wide.segments if s.start <= at < s.end)


@settings(max_examples=60, deadline=None)
@given(
    check=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    first=st.dates(min_value=date(2024, 1, 1), max_value=date(2031, 12, 31)),
    cuts=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=4),
)
def test_back_to_back_windows_share_no_night_and_miss_none(check, first, cuts):
    schedule = parse_spec(make_spec(night_check=check.strftime("%H:%M")))
    edges = [first]
    for cut in cuts:
        edges.append(edges[-1] + cut * DAY)
    pieces = [
        n for a, b in pairwise(edges) for n in schedule.timeline(*window(schedule, a, b)).nights
    ]
    whole = schedule.timeline(*window(schedule, edges[0], edges[-1])).nights
    assert pieces == list(whole)
