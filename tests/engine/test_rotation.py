from datetime import date, timedelta

import pytest

from coparent.engine import TEMPLATES, parse_spec
from tests.engine.helpers import local, make_spec, parent_at, timeline_for

CHI = "America/Chicago"


def test_it_follows_the_2_2_3_pattern_from_the_anchor_day_at_the_exchange_time():
    timeline = timeline_for(make_spec(), date(2026, 1, 5), date(2026, 1, 20))
    # Anchor Monday 5 Jan 18:00; pattern AABBAAA BBAABBB, one letter per custody day.
    expected = {
        local(CHI, 2026, 1, 5, 19): "A",
        local(CHI, 2026, 1, 7, 17): "A",  # still the custody day that began on the 6th
        local(CHI, 2026, 1, 7, 18): "B",
        local(CHI, 2026, 1, 9, 18): "A",
        local(CHI, 2026, 1, 12, 17, 59): "A",
        local(CHI, 2026, 1, 12, 18): "B",
        local(CHI, 2026, 1, 14, 18): "A",
        local(CHI, 2026, 1, 16, 18): "B",
        local(CHI, 2026, 1, 19, 18): "A",  # day 14: the cycle starts again
    }
    assert {instant: parent_at(timeline, instant) for instant in expected} == expected


def test_it_indexes_days_before_the_anchor_by_date_difference():
    timeline = timeline_for(make_spec(), date(2025, 12, 1), date(2026, 1, 6))
    # 4 Jan is day -1, i.e. the last letter (B); 22 Dec is day -14, the first letter (A).
    assert parent_at(timeline, local(CHI, 2026, 1, 4, 20)) == "B"
    assert parent_at(timeline, local(CHI, 2025, 12, 22, 20)) == "A"
    assert parent_at(timeline, local(CHI, 2025, 12, 24, 20)) == "B"


def test_it_never_uses_iso_weeks_across_a_53_week_year():
    # 2020 has an ISO week 53, so a week-number rule would flip parity at the new year.
    spec = make_spec(rotation={"template": "7-7", "anchor": "2020-12-18", "first": "A"})
    timeline = timeline_for(spec, date(2020, 12, 18), date(2021, 2, 1))
    for offset in range(0, 44):
        day = date(2020, 12, 18) + timedelta(days=offset)
        expected = "A" if (offset // 7) % 2 == 0 else "B"
        assert parent_at(timeline, local(CHI, day.year, day.month, day.day, 20)) == expected, day


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("alternating-weeks", "7-7"),
        ("Week On Week Off", "7-7"),
        ("2_2_3", "2-2-3"),
        ("every-extended-weekend", "4-3"),
        ("Every Other Weekend", "every-other-weekend"),
    ],
)
def test_it_accepts_template_aliases(name, canonical):
    spec = make_spec(rotation={"template": name, "anchor": "2026-01-05", "first": "A"})
    rotation = parse_spec(spec).versions[0].plan.rotation
    assert rotation is not None
    assert rotation.template == canonical
    assert rotation.pattern == TEMPLATES[canonical].pattern


def test_the_template_table_matches_the_domain_notes():
    expected = {
        "7-7": "AAAAAAABBBBBBB",
        "2-2-3": "AABBAAABBAABBB",
        "2-2-5-5": "AABBAAAAABBBBB",
        "5-2-2-5": "AAAAABBAABBBBB",
        "3-4-4-3": "AAABBBBAAAABBB",
        "4-3": "AAAABBB",
        "every-weekend": "AAAABBA",
        "every-other-weekend": "AAAABBAAAAAAAA",
        "every-third-week": "A" * 14 + "B" * 7,
    }
    assert {name: template.pattern for name, template in TEMPLATES.items()} == expected


def test_a_custom_pattern_equals_the_template_it_spells():
    custom = make_spec(rotation={"pattern": "AABBAAABBAABBB", "anchor": "2026-01-05", "first": "A"})
    assert (
        timeline_for(custom, date(2026, 1, 1), date(2026, 4, 1)).segments
        == timeline_for(make_spec(), date(2026, 1, 1), date(2026, 4, 1)).segments
    )


def test_the_first_parent_takes_the_first_letter_of_the_pattern():
    spec = make_spec(rotation={"pattern": "XXY", "anchor": "2026-01-05", "first": "B"})
    timeline = timeline_for(spec, date(2026, 1, 5), date(2026, 1, 9))
    assert [parent_at(timeline, local(CHI, 2026, 1, d, 20)) for d in (5, 6, 7, 8)] == list("BBAB")


def test_three_parents_follow_declared_order_after_the_first_or_an_explicit_mapping():
    spec = make_spec(
        parents=["A", "B", "C"],
        rotation={"pattern": "PQR", "anchor": "2026-01-05", "first": "B"},
    )
    timeline = timeline_for(spec, date(2026, 1, 5), date(2026, 1, 8))
    assert [parent_at(timeline, local(CHI, 2026, 1, d, 20)) for d in (5, 6, 7)] == list("BAC")
    spec["rotation"]["letters"] = {"P": "C", "Q": "B", "R": "A"}
    timeline = timeline_for(spec, date(2026, 1, 5), date(2026, 1, 8))
    assert [parent_at(timeline, local(CHI, 2026, 1, d, 20)) for d in (5, 6, 7)] == list("CBA")


def test_a_window_starting_mid_cycle_and_mid_day_starts_with_the_running_custody_day():
    schedule = parse_spec(make_spec())
    start = local(CHI, 2026, 1, 8, 10)
    timeline = schedule.timeline(start, local(CHI, 2026, 1, 12))
    first = timeline.segments[0]
    assert first.start == start
    # 8 Jan 10:00 is in the custody day that began 7 Jan 18:00 (index 2: B), which runs to 9 Jan.
    assert first.parent == "B"
    assert first.end == local(CHI, 2026, 1, 9, 18)


def test_it_uses_the_default_parent_when_there_is_no_rotation():
    spec = make_spec(rotation=None, default="B")
    timeline = timeline_for(spec, date(2026, 1, 1), date(2026, 2, 1))
    assert [(s.parent, s.source) for s in timeline.segments] == [("B", "default")]
