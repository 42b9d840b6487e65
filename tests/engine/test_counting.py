from datetime import date, timedelta

import pytest

from coparent.engine import day_equivalents, parse_spec
from tests.engine.helpers import local, make_spec, timeline_for

CHI = "America/Chicago"


def test_a_leap_year_has_366_nights_and_8784_hours():
    timeline = timeline_for(
        make_spec(rotation=None, default="A"), date(2028, 1, 1), date(2029, 1, 1)
    )
    summary = timeline.summary()
    assert len(timeline.nights) == 366
    assert summary["A"].overnights == 366
    assert summary["A"].hours == 366 * 24  # the DST hour lost in March comes back in November
    assert summary["B"].overnights == 0 and summary["B"].hours == 0
    assert len(timeline_for(make_spec(), date(2027, 1, 1), date(2028, 1, 1)).nights) == 365


def test_the_night_of_d_goes_to_whoever_has_the_child_at_the_night_check_on_d_plus_1():
    evening = [{"start": "2026-05-07T18:00", "end": "2026-05-08T01:00", "parent": "B", "name": "e"}]
    spec = make_spec(rotation=None, default="A", overrides=evening)
    nights = {
        n.date: n.parent for n in timeline_for(spec, date(2026, 5, 6), date(2026, 5, 10)).nights
    }
    assert nights == {
        date(2026, 5, 6): "A",
        date(2026, 5, 7): "B",
        date(2026, 5, 8): "A",
        date(2026, 5, 9): "A",
    }
    spec["night_check"] = "02:00"
    nights = {
        n.date: n.parent for n in timeline_for(spec, date(2026, 5, 6), date(2026, 5, 10)).nights
    }
    assert nights[date(2026, 5, 7)] == "A"


def test_an_evening_visit_gives_hours_but_no_night():
    dinner = [
        {
            "rrule": "FREQ=WEEKLY;BYDAY=TH",
            "start_time": "18:00",
            "end": {"days": 0, "time": "20:00"},
            "parent": "B",
            "name": "dinner",
        }
    ]
    spec = make_spec(rotation=None, default="A", recurring=dinner)
    summary = timeline_for(spec, date(2026, 5, 4), date(2026, 5, 18)).summary()
    assert summary["B"].overnights == 0
    assert summary["B"].hours == 4
    assert summary["A"].hours == 14 * 24 - 4
    assert summary["B"].hours_percent == pytest.approx(100 * 4 / (14 * 24))


def test_2_2_3_is_an_even_split_over_two_weeks():
    summary = timeline_for(make_spec(), date(2026, 1, 6), date(2026, 1, 20)).summary()
    assert summary["A"].overnights == summary["B"].overnights == 7
    assert summary["A"].overnights_percent == summary["B"].overnights_percent == 50
    assert summary["A"].hours == summary["B"].hours == 7 * 24


@pytest.mark.parametrize(
    ("hours", "tennessee", "arizona"),
    [
        (2.99, 0, 0),
        (3, 0, 0.25),
        (5.99, 0, 0.25),  # the table lists whole hours: 5 h 59 min is still "3 to 5 hours"
        (6, 0, 0.5),
        (11.99, 0, 0.5),
        (12, 0, 1),  # Tennessee needs *more than* 12 hours
        (12.01, 1, 1),
        (24, 1, 1),
        (27, 1, 1.25),
        (36, 1, 2),
        (36.5, 2, 2),
        (48, 2, 2),
    ],
)
def test_day_rules_for_one_block(hours, tennessee, arizona):
    block = timedelta(hours=hours)
    assert day_equivalents(block, "tennessee") == tennessee
    assert day_equivalents(block, "arizona") == arizona


def test_tennessee_counts_gates_v_gates_as_four_days():
    # Thursday 16:15 to Monday 08:00: three 24-hour days and 15.75 hours, which is more than 12.
    spec = make_spec(
        rotation=None,
        default="A",
        day_rule="tennessee",
        overrides=[
            {
                "start": "2026-05-07T16:15",
                "end": "2026-05-11T08:00",
                "parent": "B",
                "name": "weekend",
            }
        ],
    )
    assert timeline_for(spec, date(2026, 5, 4), date(2026, 5, 18)).summary()["B"].days == 4


def test_arizona_counts_the_guidelines_example_as_three_and_a_half_days():
    # Thursday 21:00 to Monday 08:00: three days and 11 hours, a half day.
    weekend = [
        {
            "rrule": "FREQ=WEEKLY;BYDAY=TH",
            "start_time": "21:00",
            "end": {"days": 4, "time": "08:00"},
            "parent": "B",
            "name": "weekend",
        }
    ]
    spec = make_spec(rotation=None, default="A", day_rule="arizona", recurring=weekend)
    schedule = parse_spec(spec)
    summary = schedule.timeline(local(CHI, 2026, 5, 4, 8), local(CHI, 2026, 6, 1, 8)).summary()
    assert summary["B"].days == 4 * 3.5
    # A has Monday 08:00 to Thursday 21:00: three days and 13 hours, which counts as four.
    assert summary["A"].days == 4 * 4


def test_a_block_cut_by_the_window_counts_only_its_part_inside():
    weekend = [
        {
            "rrule": "FREQ=WEEKLY;BYDAY=TH",
            "start_time": "21:00",
            "end": {"days": 4, "time": "08:00"},
            "parent": "B",
            "name": "weekend",
        }
    ]
    spec = make_spec(rotation=None, default="A", day_rule="arizona", recurring=weekend)
    # The window starts inside a weekend (25 May 00:00-08:00: 8 h, a half day) and ends inside
    # the next (Thursday 28 May 21:00 to 1 June 00:00: three days and 3 hours, a quarter).
    summary = timeline_for(spec, date(2026, 5, 25), date(2026, 6, 1)).summary()
    assert summary["B"].days == 0.5 + 3.25


def test_days_follow_continuous_time_whatever_the_source():
    # 30 h of override and 10 h of swap back to back are one 40-hour block: 1 day and 16 h,
    # which Tennessee counts as 2; counted apart they would make 1 (30 h) and 0 (10 h).
    spec = make_spec(
        rotation=None,
        default="A",
        day_rule="tennessee",
        overrides=[
            {"start": "2026-05-05T00:00", "end": "2026-05-06T06:00", "parent": "B", "name": "trip"}
        ],
        swaps=[{"id": 7, "start": "2026-05-06T06:00", "end": "2026-05-06T16:00", "parent": "B"}],
    )
    timeline = timeline_for(spec, date(2026, 5, 4), date(2026, 5, 8))
    assert [s.source for s in timeline.segments] == [
        "default",
        "override:trip",
        "swap:7",
        "default",
    ]
    summary = timeline.summary()
    assert summary["B"].days == 2
    assert summary["A"].days == 2  # 24 h (1) and 32 h (1 day and 8 h: 1)


def test_every_parent_appears_in_the_summary():
    spec = make_spec(parents=["A", "B", "grandma"])
    summary = timeline_for(spec, date(2026, 1, 1), date(2026, 2, 1)).summary()
    assert set(summary) == {"A", "B", "grandma"}
    assert summary["grandma"].hours == summary["grandma"].overnights == 0
