from datetime import date

import pytest

from coparent.engine import SpecError, family_timeline, parse_family_spec, parse_spec, window
from tests.engine.helpers import local, make_spec, parent_at, timeline_for

CHI = "America/Chicago"
WEEKS = {"template": "7-7", "anchor": "2026-01-02", "first": "A", "exchange_time": "18:00"}
TWO_TWO_THREE = {
    "template": "2-2-3",
    "anchor": "2026-03-02",
    "first": "B",
    "exchange_time": "08:00",
}


def versioned(**extra):
    return {
        "timezone": CHI,
        "parents": ["A", "B"],
        "versions": [
            {"spec": {"rotation": WEEKS}},
            {"effective": "2026-03-01T18:00", "spec": {"rotation": TWO_TWO_THREE}},
        ],
        **extra,
    }


def test_the_window_before_a_new_version_is_computed_with_the_old_one():
    old = timeline_for(make_spec(rotation=WEEKS), date(2026, 1, 1), date(2026, 3, 1))
    both = timeline_for(versioned(), date(2026, 1, 1), date(2026, 3, 1))
    assert both.segments == old.segments
    # Up to the very instant of the change, the old plan alone gives the same segments.
    cut = local(CHI, 2026, 3, 1, 18)
    old_schedule, new_schedule = parse_spec(make_spec(rotation=WEEKS)), parse_spec(versioned())
    start = local(CHI, 2026, 2, 1)
    assert new_schedule.timeline(start, cut).segments == old_schedule.timeline(start, cut).segments


def test_the_new_version_takes_over_at_its_effective_time():
    schedule = parse_spec(versioned())
    timeline = schedule.timeline(*window(schedule, date(2026, 2, 20), date(2026, 4, 1)))
    new = timeline_for(make_spec(rotation=TWO_TWO_THREE), date(2026, 2, 20), date(2026, 4, 1))
    cut = local(CHI, 2026, 3, 1, 18)
    # 1 Mar 17:00 is still the old plan (A's week from 27 Feb); 18:00 is the new plan's 28 Feb day.
    assert parent_at(timeline, local(CHI, 2026, 3, 1, 17)) == "A"
    assert parent_at(timeline, cut) == parent_at(new, cut)
    assert [s for s in timeline.segments if s.start > cut] == [
        s for s in new.segments if s.start > cut
    ]


def test_top_level_overrides_apply_across_versions():
    spec = versioned(
        overrides=[
            {"start": "2026-02-28T09:00", "end": "2026-03-03T09:00", "parent": "B", "name": "trip"}
        ]
    )
    timeline = timeline_for(spec, date(2026, 2, 1), date(2026, 4, 1))
    trip = [s for s in timeline.segments if s.source == "override:trip"]
    assert [(s.start, s.end) for s in trip] == [
        (local(CHI, 2026, 2, 28, 9), local(CHI, 2026, 3, 3, 9))
    ]


def test_versions_must_increase_and_only_the_first_may_omit_effective():
    spec = versioned()
    spec["versions"].append({"effective": "2026-02-01T18:00", "spec": {"default": "A"}})
    with pytest.raises(SpecError, match="increase"):
        parse_spec(spec)
    spec = versioned()
    del spec["versions"][1]["effective"]
    with pytest.raises(SpecError, match="effective"):
        parse_spec(spec)


def test_a_version_cannot_change_the_governing_zone():
    spec = versioned()
    spec["versions"][1]["spec"]["timezone"] = "Europe/Berlin"
    with pytest.raises(SpecError, match="timezone"):
        parse_spec(spec)


def test_children_in_one_family_can_follow_different_schedules():
    schedules = parse_family_spec(
        {"children": {"emma": make_spec(), "liam": make_spec(rotation=None, default="B")}}
    )
    start, end = window(schedules["emma"], date(2026, 1, 6), date(2026, 1, 20))
    family = family_timeline(schedules, start, end)
    summary = family.summary()
    assert summary["emma"]["A"].overnights == 7 and summary["emma"]["B"].overnights == 7
    assert summary["liam"]["B"].overnights == 14 and summary["liam"]["A"].overnights == 0
    assert set(family.to_json()["children"]) == {"emma", "liam"}


def test_a_family_spec_error_names_the_child():
    with pytest.raises(SpecError, match=r"^children\.liam\.timezone"):
        parse_family_spec(
            {"children": {"emma": make_spec(), "liam": make_spec(timezone="Mars/Base")}}
        )
