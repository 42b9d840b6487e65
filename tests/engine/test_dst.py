from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coparent.engine import parse_spec, window
from coparent.engine.localtime import to_utc
from tests.engine.helpers import local, make_spec, timeline_for, utc


def alternating_days(zone, exchange, anchor):
    # "AB": a change of parent at every exchange, so every exchange is a segment boundary.
    return make_spec(
        timezone=zone,
        rotation={"pattern": "AB", "anchor": anchor, "first": "A", "exchange_time": exchange},
    )


def boundaries(timeline):
    return [segment.start for segment in timeline.segments[1:]]


@pytest.mark.parametrize(
    ("zone", "day", "exchange", "expected"),
    [
        # Spring forward: the local time does not exist, so the exchange is at the end of the gap.
        ("America/Chicago", date(2026, 3, 8), "02:30", utc(2026, 3, 8, 8, 0)),  # 03:00 CDT
        ("America/New_York", date(2026, 3, 8), "02:30", utc(2026, 3, 8, 7, 0)),  # 03:00 EDT
        ("Europe/London", date(2026, 3, 29), "01:30", utc(2026, 3, 29, 1, 0)),  # 02:00 BST
        ("Europe/Berlin", date(2026, 3, 29), "02:30", utc(2026, 3, 29, 1, 0)),  # 03:00 CEST
        # Fall back: the local time happens twice, the exchange is at the first one.
        ("America/Chicago", date(2026, 11, 1), "01:30", utc(2026, 11, 1, 6, 30)),  # 01:30 CDT
        ("America/New_York", date(2026, 11, 1), "01:30", utc(2026, 11, 1, 5, 30)),  # 01:30 EDT
        ("Europe/London", date(2026, 10, 25), "01:30", utc(2026, 10, 25, 0, 30)),  # 01:30 BST
        ("Europe/Berlin", date(2026, 10, 25), "02:30", utc(2026, 10, 25, 0, 30)),  # 02:30 CEST
    ],
)
def test_exchanges_at_non_existent_and_repeated_local_times(zone, day, exchange, expected):
    timeline = timeline_for(
        alternating_days(zone, exchange, "2026-01-01"), day - timedelta(days=1), day + timedelta(2)
    )
    assert expected in boundaries(timeline)
    # The neighbouring exchanges are 24 h of wall clock away, not 24 h of real time.
    exchange_time = [int(part) for part in exchange.split(":")]
    before = local(zone, *(day - timedelta(days=1)).timetuple()[:3], *exchange_time)
    after = local(zone, *(day + timedelta(days=1)).timetuple()[:3], *exchange_time)
    assert boundaries(timeline) == [before, expected, after]


def test_a_23_hour_and_a_25_hour_custody_day_count_real_hours():
    zone = "America/Chicago"
    spec = alternating_days(zone, "18:00", "2026-01-01")
    schedule = parse_spec(spec)
    # 7 Mar 18:00 CST to 8 Mar 18:00 CDT is 23 hours; 31 Oct to 1 Nov is 25 hours.
    short = schedule.timeline(local(zone, 2026, 3, 7, 18), local(zone, 2026, 3, 8, 18))
    long = schedule.timeline(local(zone, 2026, 10, 31, 18), local(zone, 2026, 11, 1, 18))
    short_parent = short.segments[0].parent
    long_parent = long.segments[0].parent
    assert [s.end - s.start for s in short.segments] == [timedelta(hours=23)]
    assert [s.end - s.start for s in long.segments] == [timedelta(hours=25)]
    assert short.summary()[short_parent].hours == 23
    assert long.summary()[long_parent].hours == 25


def test_a_window_across_spring_forward_has_one_hour_less():
    spec = make_spec(
        timezone="Europe/Berlin",
        rotation={
            "template": "7-7",
            "anchor": "2026-03-23",
            "first": "A",
            "exchange_time": "18:00",
        },
    )
    timeline = timeline_for(spec, date(2026, 3, 23), date(2026, 4, 6))
    summary = timeline.summary()
    # A's week holds the short night of 29 March: 7 * 24 - 1 hours; B has a full week.
    assert summary["A"].hours == 7 * 24 - 1
    assert summary["B"].hours == 7 * 24
    assert summary["A"].overnights == summary["B"].overnights == 7


def test_segments_print_the_offset_in_force_at_each_instant():
    schedule = parse_spec(alternating_days("America/Chicago", "18:00", "2026-01-01"))
    output = schedule.timeline(*window(schedule, date(2026, 3, 7), date(2026, 3, 10))).to_json()
    starts = [segment["start"] for segment in output["segments"]]
    assert starts == [
        "2026-03-07T00:00:00-06:00",
        "2026-03-07T18:00:00-06:00",
        "2026-03-08T18:00:00-05:00",
        "2026-03-09T18:00:00-05:00",
    ]


def test_a_night_check_in_the_gap_moves_to_the_end_of_the_gap():
    # Night check 02:30 on 8 Mar (Chicago) does not exist: it is taken at 03:00 CDT. A has the
    # child until 02:45 CST... which is also non-existent, so use an override ending at 03:30 CDT.
    spec = make_spec(
        rotation=None,
        default="A",
        night_check="02:30",
        overrides=[
            {
                "start": "2026-03-07T20:00",
                "end": "2026-03-08T03:30",
                "parent": "B",
                "name": "sleepover",
            }
        ],
    )
    timeline = timeline_for(spec, date(2026, 3, 6), date(2026, 3, 10))
    nights = {night.date: night.parent for night in timeline.nights}
    assert nights[date(2026, 3, 7)] == "B"
    assert nights[date(2026, 3, 6)] == "A"


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(
        [
            "America/Chicago",
            "Europe/London",
            "Australia/Lord_Howe",
            "Africa/Casablanca",
            "Pacific/Apia",
            "Asia/Tokyo",
        ]
    ),
    day=st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)),
    wall=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
)
def test_local_times_resolve_like_zoneinfo_with_the_gap_and_fold_rules(zone, day, wall):
    tz = ZoneInfo(zone)
    candidate = datetime.combine(day, wall, tzinfo=tz)  # fold=0: first of a repeated time
    while candidate.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != candidate.replace(
        tzinfo=None
    ):
        candidate = (candidate.replace(tzinfo=None) + timedelta(minutes=1)).replace(tzinfo=tz)
    assert to_utc(day, wall, tz) == candidate.astimezone(UTC)
