from datetime import date, timedelta

import pytest

from coparent.engine import SpecError, parse_spec
from tests.engine.helpers import local, make_spec, parent_at, segment_at, source_at, timeline_for

CHI = "America/Chicago"


def default_a(**fields):
    return make_spec(rotation=None, default="A", **fields)


def holiday(date_rule, start=(0, "00:00"), end=(1, "00:00"), parent="B", name="H"):
    return {
        "name": name,
        "date": date_rule,
        "start": {"days": start[0], "time": start[1]},
        "end": {"days": end[0], "time": end[1]},
        "parent": parent,
    }


def spans_of(timeline, source):
    return [(s.start, s.end, s.parent) for s in timeline.segments if s.source == source]


def test_a_monthly_rrule_gives_the_first_third_and_fifth_weekends():
    spec = default_a(
        recurring=[
            {
                "rrule": "FREQ=MONTHLY;BYDAY=1FR,3FR,5FR",
                "start_time": "18:00",
                "end": {"days": 2, "time": "18:00"},
                "parent": "B",
                "name": "SPO",
            }
        ]
    )
    timeline = timeline_for(spec, date(2026, 5, 1), date(2026, 6, 1))
    # May 2026 Fridays: 1, 8, 15, 22, 29; the 1st, 3rd and 5th are 1, 15 and 29.
    assert spans_of(timeline, "recurring:SPO") == [
        (local(CHI, 2026, 5, d, 18), local(CHI, 2026, 5, d + 2, 18), "B") for d in (1, 15, 29)
    ]
    assert parent_at(timeline, local(CHI, 2026, 5, 9, 12)) == "A"


def test_a_weekly_rrule_makes_thursday_evenings():
    spec = default_a(
        recurring=[
            {
                "rrule": "FREQ=WEEKLY;BYDAY=TH",
                "start_time": "18:00",
                "end": {"days": 0, "time": "20:00"},
                "parent": "B",
                "name": "Thursday dinner",
            }
        ]
    )
    timeline = timeline_for(spec, date(2026, 5, 1), date(2026, 5, 15))
    assert spans_of(timeline, "recurring:Thursday dinner") == [
        (local(CHI, 2026, 5, d, 18), local(CHI, 2026, 5, d, 20), "B") for d in (7, 14)
    ]


def test_dtstart_sets_the_phase_of_an_every_other_week_rule():
    spec = default_a(
        recurring=[
            {
                "rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
                "dtstart": "2026-05-13",
                "start_time": "17:00",
                "end": {"days": 0, "time": "19:00"},
                "parent": "B",
                "name": "dinner",
            }
        ]
    )
    timeline = timeline_for(spec, date(2026, 5, 1), date(2026, 6, 1))
    assert [
        s.start.astimezone(local(CHI, 2026, 1, 1).tzinfo).day
        for s in timeline.segments
        if s.source == "recurring:dinner"
    ] == [13, 27]


def test_an_every_other_week_rule_keeps_its_phase_decades_later():
    spec = default_a(
        recurring=[
            {
                "rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
                "dtstart": "2026-05-13",
                "start_time": "17:00",
                "end": {"days": 0, "time": "19:00"},
                "parent": "B",
                "name": "dinner",
            }
        ]
    )
    timeline = timeline_for(spec, date(2041, 3, 1), date(2041, 5, 1))
    zone = local(CHI, 2026, 1, 1).tzinfo
    found = [s.start.astimezone(zone).date() for s in timeline.segments if s.source != "default"]
    assert found
    for day in found:
        assert day.weekday() == 2
        assert (day - date(2026, 5, 13)).days % 14 == 0
    assert found[1] - found[0] == timedelta(days=14)


@pytest.mark.parametrize(
    ("rule", "year", "expected_day"),
    [
        ({"month": 7, "day": 4}, 2026, date(2026, 7, 4)),
        ({"month": 11, "weekday": "TH", "nth": 4}, 2026, date(2026, 11, 26)),
        ({"month": 11, "weekday": "TH", "nth": 4}, 2027, date(2027, 11, 25)),
        ({"month": 5, "weekday": "SU", "nth": 2}, 2026, date(2026, 5, 10)),
        ({"month": 6, "weekday": "SU", "nth": 3}, 2026, date(2026, 6, 21)),
        ({"month": 5, "weekday": "MO", "nth": -1}, 2026, date(2026, 5, 25)),
        ({"month": 5, "weekday": "MO", "nth": -1}, 2027, date(2027, 5, 31)),
        ({"easter": 0}, 2026, date(2026, 4, 5)),
        ({"easter": -2}, 2026, date(2026, 4, 3)),
        ({"easter": 0, "method": "orthodox"}, 2026, date(2026, 4, 12)),
        ({"easter": 0}, 2027, date(2027, 3, 28)),
        ({"public": "US", "subdiv": "TX", "holiday": "Thanksgiving"}, 2026, date(2026, 11, 26)),
        ({"public": "US", "holiday": "Juneteenth"}, 2026, date(2026, 6, 19)),
        (
            {"public": "DE", "subdiv": "BY", "holiday": "Heilige Drei Könige"},
            2027,
            date(2027, 1, 6),
        ),
        ({"dates": ["2026-03-16", "2027-03-15"]}, 2027, date(2027, 3, 15)),
    ],
)
def test_each_date_rule_finds_the_right_day(rule, year, expected_day):
    spec = default_a(holidays=[holiday(rule, start=(0, "09:00"), end=(0, "17:00"))])
    timeline = timeline_for(spec, date(year, 1, 1), date(year + 1, 1, 1))
    assert [(s.start, s.end) for s in timeline.segments if s.source == "holiday:H"] == [
        (
            local(CHI, expected_day.year, expected_day.month, expected_day.day, 9),
            local(CHI, expected_day.year, expected_day.month, expected_day.day, 17),
        )
    ]


def test_a_fifth_weekday_that_does_not_exist_gives_no_occurrence():
    # February 2026 has four Mondays; February 2027 four too; 2026 March has five Mondays.
    spec = default_a(holidays=[holiday({"month": 2, "weekday": "MO", "nth": 5})])
    assert spans_of(timeline_for(spec, date(2026, 1, 1), date(2027, 1, 1)), "holiday:H") == []
    spec = default_a(holidays=[holiday({"month": 3, "weekday": "MO", "nth": 5})])
    assert spans_of(timeline_for(spec, date(2026, 1, 1), date(2027, 1, 1)), "holiday:H") == [
        (local(CHI, 2026, 3, 30), local(CHI, 2026, 3, 31), "B")
    ]


def test_offsets_move_start_and_end_around_the_holiday():
    thanksgiving = holiday(
        {"month": 11, "weekday": "TH", "nth": 4}, start=(-1, "18:00"), end=(3, "18:00")
    )
    timeline = timeline_for(
        default_a(holidays=[thanksgiving]), date(2026, 11, 1), date(2026, 12, 1)
    )
    assert spans_of(timeline, "holiday:H") == [
        (local(CHI, 2026, 11, 25, 18), local(CHI, 2026, 11, 29, 18), "B")
    ]


def test_even_and_odd_years_alternate_the_holiday():
    rule = holiday({"month": 7, "day": 4}, parent={"even": "B", "odd": "A"})
    spec = make_spec(rotation=None, default="A", holidays=[rule])
    timeline = timeline_for(spec, date(2026, 1, 1), date(2028, 1, 1))
    assert parent_at(timeline, local(CHI, 2026, 7, 4, 12)) == "B"
    assert parent_at(timeline, local(CHI, 2027, 7, 4, 12)) == "A"
    assert source_at(timeline, local(CHI, 2027, 7, 4, 12)) == "holiday:H"


def test_a_school_break_over_new_year_keeps_the_parity_of_the_year_it_starts_in():
    winter = {
        "name": "Winter break",
        "date": {"periods": [{"first": "2026-12-19", "last": "2027-01-03"}]},
        "start": {"days": 0, "time": "10:00"},
        "end": {"days": 0, "time": "18:00"},
        "parent": {"even": "B", "odd": "A"},
    }
    timeline = timeline_for(default_a(holidays=[winter]), date(2026, 12, 1), date(2027, 2, 1))
    assert spans_of(timeline, "holiday:Winter break") == [
        (local(CHI, 2026, 12, 19, 10), local(CHI, 2027, 1, 3, 18), "B")
    ]


def test_a_split_holiday_gives_each_half_to_alternating_parents():
    christmas = {
        "name": "Christmas",
        "date": {"month": 12, "day": 24},
        "start": {"days": 0, "time": "13:00"},
        "end": {"days": 2, "time": "13:00"},
        "parent": {"split": {"days": 1, "time": "13:00"}, "first_half": {"even": "A", "odd": "B"}},
    }
    timeline = timeline_for(
        make_spec(rotation=None, default="A", holidays=[christmas]),
        date(2026, 12, 1),
        date(2028, 1, 1),
    )
    assert spans_of(timeline, "holiday:Christmas") == [
        (local(CHI, 2026, 12, 24, 13), local(CHI, 2026, 12, 25, 13), "A"),
        (local(CHI, 2026, 12, 25, 13), local(CHI, 2026, 12, 26, 13), "B"),
        (local(CHI, 2027, 12, 24, 13), local(CHI, 2027, 12, 25, 13), "B"),
        (local(CHI, 2027, 12, 25, 13), local(CHI, 2027, 12, 26, 13), "A"),
    ]


def test_a_split_needs_an_explicit_second_half_with_three_parents():
    christmas = holiday(
        {"month": 12, "day": 24},
        end=(2, "00:00"),
        parent={"split": {"days": 1, "time": "00:00"}, "first_half": "A"},
    )
    with pytest.raises(SpecError, match="second_half"):
        parse_spec(make_spec(parents=["A", "B", "C"], holidays=[christmas]))
    christmas["parent"]["second_half"] = "C"
    timeline = timeline_for(
        make_spec(parents=["A", "B", "C"], holidays=[christmas]),
        date(2026, 12, 1),
        date(2027, 1, 1),
    )
    assert parent_at(timeline, local(CHI, 2026, 12, 25, 12)) == "C"


def test_overrides_and_swaps_take_their_own_source():
    spec = default_a(
        overrides=[
            {
                "start": "2026-07-01T18:00",
                "end": "2026-07-15T18:00",
                "parent": "B",
                "name": "summer block",
            }
        ],
        swaps=[{"id": 42, "start": "2026-08-01T09:00", "end": "2026-08-02T09:00", "parent": "B"}],
    )
    timeline = timeline_for(spec, date(2026, 6, 1), date(2026, 9, 1))
    assert spans_of(timeline, "override:summer block") == [
        (local(CHI, 2026, 7, 1, 18), local(CHI, 2026, 7, 15, 18), "B")
    ]
    assert spans_of(timeline, "swap:42") == [
        (local(CHI, 2026, 8, 1, 9), local(CHI, 2026, 8, 2, 9), "B")
    ]


def test_an_override_with_an_offset_is_an_absolute_instant():
    spec = default_a(
        overrides=[
            {
                "start": "2026-07-01T18:00+00:00",
                "end": "2026-07-02T18:00+00:00",
                "parent": "B",
                "name": "trip",
            }
        ]
    )
    timeline = timeline_for(spec, date(2026, 6, 1), date(2026, 8, 1))
    assert segment_at(timeline, local(CHI, 2026, 7, 1, 14)).source == "override:trip"
    assert segment_at(timeline, local(CHI, 2026, 7, 1, 12, 59)).source == "default"


class TestPrecedence:
    def layered(self, **extra):
        # A Saturday (2026-05-16) with a recurring weekend, a holiday and an override on it.
        return default_a(
            recurring=[
                {
                    "rrule": "FREQ=WEEKLY;BYDAY=FR",
                    "start_time": "18:00",
                    "end": {"days": 2, "time": "18:00"},
                    "parent": "B",
                    "name": "weekend",
                }
            ],
            holidays=[
                holiday(
                    {"month": 5, "day": 16},
                    start=(0, "09:00"),
                    end=(0, "17:00"),
                    parent="A",
                    name="party",
                )
            ],
            overrides=[
                {
                    "start": "2026-05-16T12:00",
                    "end": "2026-05-16T13:00",
                    "parent": "B",
                    "name": "lunch",
                }
            ],
            **extra,
        )

    def test_overrides_beat_holidays_beat_recurring_beat_the_rotation(self):
        timeline = timeline_for(self.layered(), date(2026, 5, 11), date(2026, 5, 25))
        at = {
            (15, 20): ("B", "recurring:weekend"),
            (16, 10): ("A", "holiday:party"),
            (16, 12): ("B", "override:lunch"),
            (16, 15): ("A", "holiday:party"),
            (16, 18): ("B", "recurring:weekend"),
            (17, 19): ("A", "default"),
        }
        for (day, hour), expected in at.items():
            segment = segment_at(timeline, local(CHI, 2026, 5, day, hour))
            assert (segment.parent, segment.source) == expected, (day, hour)

    def test_a_swap_beats_a_holiday_and_a_recurring_block(self):
        swap = [{"id": "s1", "start": "2026-05-16T10:00", "end": "2026-05-16T11:00", "parent": "B"}]
        timeline = timeline_for(self.layered(swaps=swap), date(2026, 5, 11), date(2026, 5, 25))
        assert source_at(timeline, local(CHI, 2026, 5, 16, 10, 30)) == "swap:s1"

    def test_within_a_level_the_later_entry_wins(self):
        one = {"start": "2026-05-16T10:00", "end": "2026-05-16T14:00", "parent": "B", "name": "one"}
        two = {"start": "2026-05-16T12:00", "end": "2026-05-16T16:00", "parent": "A", "name": "two"}
        timeline = timeline_for(
            default_a(overrides=[one, two]), date(2026, 5, 16), date(2026, 5, 17)
        )
        assert [(s.parent, s.source) for s in timeline.segments] == [
            ("A", "default"),
            ("B", "override:one"),
            ("A", "override:two"),
            ("A", "default"),
        ]
        timeline = timeline_for(
            default_a(overrides=[two, one]), date(2026, 5, 16), date(2026, 5, 17)
        )
        assert source_at(timeline, local(CHI, 2026, 5, 16, 13)) == "override:one"
        assert source_at(timeline, local(CHI, 2026, 5, 16, 15)) == "override:two"

    def test_within_holidays_the_later_rule_wins(self):
        first = holiday({"month": 5, "day": 16}, parent="B", name="first")
        second = holiday({"month": 5, "day": 16}, start=(0, "12:00"), parent="A", name="second")
        timeline = timeline_for(
            default_a(holidays=[first, second]), date(2026, 5, 16), date(2026, 5, 18)
        )
        assert source_at(timeline, local(CHI, 2026, 5, 16, 11)) == "holiday:first"
        assert source_at(timeline, local(CHI, 2026, 5, 16, 13)) == "holiday:second"
        timeline = timeline_for(
            default_a(holidays=[second, first]), date(2026, 5, 16), date(2026, 5, 18)
        )
        assert source_at(timeline, local(CHI, 2026, 5, 16, 13)) == "holiday:first"


def test_the_rotation_after_an_override_continues_where_it_would_have_been():
    with_override = make_spec(
        overrides=[
            {"start": "2026-02-02T09:00", "end": "2026-02-13T09:00", "parent": "B", "name": "trip"}
        ]
    )
    plain = timeline_for(make_spec(), date(2026, 1, 1), date(2026, 4, 1))
    overridden = timeline_for(with_override, date(2026, 1, 1), date(2026, 4, 1))
    after = local(CHI, 2026, 2, 13, 9)
    assert [s for s in overridden.segments if s.start >= after] == [
        s if s.start >= after else s._replace(start=after) for s in plain.segments if s.end > after
    ]
