"""Pure outcome rules: late, no-show and cancelled from check-ins and the grace period, across
daylight-saving changes, and actual time from real handovers."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from coparent.engine import Exchange, Segment, parse_spec
from coparent.engine import exchanges as engine_exchanges
from coparent.exchanges.outcome import (
    ARRIVED,
    HANDED_OVER,
    MISSED,
    RECEIVED,
    CheckInFact,
    actual_segments,
    actual_timeline,
    outcome,
)

UTC = dt.UTC
GRACE = dt.timedelta(minutes=15)
AT = dt.datetime(2026, 6, 5, 23, 0, tzinfo=UTC)
EXCHANGE = Exchange(AT, "A", "B")


def at(minutes: int) -> dt.datetime:
    return AT + dt.timedelta(minutes=minutes)


def test_upcoming_before_anyone_arrives() -> None:
    assert outcome(EXCHANGE, [], grace=GRACE, now=at(-30)).state == "upcoming"


def test_on_time_within_the_grace_period() -> None:
    facts = [
        CheckInFact("A", ARRIVED, at(14)),
        CheckInFact("B", ARRIVED, at(15)),
        CheckInFact("A", HANDED_OVER, at(16)),
    ]
    result = outcome(EXCHANGE, facts, grace=GRACE, now=at(20))
    assert (result.state, result.late, result.no_show, result.handover_at) == (
        "done",
        (),
        (),
        at(16),
    )


def test_late_is_after_the_grace_period_and_names_who() -> None:
    facts = [CheckInFact("A", ARRIVED, at(0)), CheckInFact("B", RECEIVED, at(16))]
    result = outcome(EXCHANGE, facts, grace=GRACE, now=at(30))
    assert result.late == ("B",) and result.no_show == () and result.handover_at == at(16)


def test_no_show_once_the_grace_period_is_over() -> None:
    facts = [CheckInFact("A", ARRIVED, at(-5))]
    assert outcome(EXCHANGE, facts, grace=GRACE, now=at(15)).no_show == ()
    later = outcome(EXCHANGE, facts, grace=GRACE, now=at(16))
    assert later.no_show == ("B",) and later.state == "waiting"


def test_an_exchange_nobody_recorded_is_not_recorded_not_a_no_show() -> None:
    result = outcome(EXCHANGE, [], grace=GRACE, now=at(60 * 24 * 30))
    assert (result.state, result.no_show, result.late) == ("not_recorded", (), ())
    assert result.happened is None, "it counts as planned"
    assert outcome(EXCHANGE, [], grace=GRACE, now=at(10)).state == "waiting"


def test_a_parents_report_that_it_did_not_happen_makes_the_other_a_no_show() -> None:
    result = outcome(EXCHANGE, [CheckInFact("A", MISSED, at(40))], grace=GRACE, now=at(60))
    assert (result.state, result.no_show, result.happened) == ("missed", ("B",), False)


def test_both_parents_reporting_it_missed_is_nobodys_no_show() -> None:
    facts = [CheckInFact("A", MISSED, at(40)), CheckInFact("B", MISSED, at(50))]
    result = outcome(EXCHANGE, facts, grace=GRACE, now=at(60))
    assert (result.state, result.no_show, result.happened) == ("missed", (), False)


def test_a_recorded_handover_means_nobody_was_absent() -> None:
    result = outcome(EXCHANGE, [CheckInFact("B", RECEIVED, at(5))], grace=GRACE, now=at(60))
    assert (result.state, result.no_show, result.happened) == ("done", (), True)


@given(
    minutes_after=st.integers(min_value=-600, max_value=60 * 24 * 400),
    grace=st.integers(min_value=0, max_value=240),
)
def test_silence_is_never_a_no_show(minutes_after: int, grace: int) -> None:
    result = outcome(EXCHANGE, [], grace=dt.timedelta(minutes=grace), now=at(minutes_after))
    assert result.no_show == () and result.happened is None


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B"]),
            st.sampled_from([ARRIVED, HANDED_OVER, RECEIVED, MISSED]),
            st.integers(min_value=-180, max_value=60 * 24),
        ),
        max_size=6,
    )
)
def test_a_no_show_always_has_evidence_from_the_other_side(facts_spec) -> None:
    facts = [CheckInFact(side, kind, at(m)) for side, kind, m in facts_spec]
    result = outcome(EXCHANGE, facts, grace=GRACE, now=at(60 * 25))
    spoke = {f.parent for f in facts}
    for side in result.no_show:
        assert side not in spoke and spoke - {side}


def test_an_exchange_the_schedule_dropped_reads_as_cancelled() -> None:
    assert (
        outcome(None, [CheckInFact("A", ARRIVED, at(0))], grace=GRACE, now=at(5)).state
        == "cancelled"
    )


def test_grace_is_real_time_across_the_spring_forward_gap() -> None:
    spec = {
        "timezone": "America/Chicago",
        "parents": ["A", "B"],
        "rotation": {
            "pattern": "AB",
            "anchor": "2026-03-07",
            "first": "A",
            "exchange_time": "02:30",
        },
    }
    schedule = parse_spec(spec)
    timeline = schedule.timeline(
        dt.datetime(2026, 3, 8, tzinfo=UTC), dt.datetime(2026, 3, 9, tzinfo=UTC)
    )
    (exchange,) = [e for e in engine_exchanges(timeline) if e.at.date() == dt.date(2026, 3, 8)]
    assert exchange.at == dt.datetime(
        2026, 3, 8, 8, 0, tzinfo=UTC
    )  # 02:30 does not exist: 03:00 CDT
    on_time = outcome(
        exchange,
        [CheckInFact("B", RECEIVED, exchange.at + dt.timedelta(minutes=15))],
        grace=GRACE,
        now=exchange.at + dt.timedelta(hours=1),
    )
    late = outcome(
        exchange,
        [CheckInFact("B", RECEIVED, exchange.at + dt.timedelta(minutes=16))],
        grace=GRACE,
        now=exchange.at + dt.timedelta(hours=1),
    )
    assert on_time.late == () and late.late == ("B",)


def seg(start: int, end: int, parent: str) -> Segment:
    return Segment(at(start), at(end), parent, "rotation")


def test_a_late_handover_moves_the_boundary() -> None:
    planned = [seg(-600, 0, "A"), seg(0, 600, "B")]
    assert actual_segments(planned, {AT: at(45)}) == [seg(-600, 45, "A"), seg(45, 600, "B")]


def test_an_early_handover_moves_it_back() -> None:
    planned = [seg(-600, 0, "A"), seg(0, 600, "B")]
    assert actual_segments(planned, {AT: at(-20)}) == [seg(-600, -20, "A"), seg(-20, 600, "B")]


def test_a_missed_exchange_keeps_the_children_with_the_parent_who_had_them() -> None:
    planned = [seg(-600, 0, "A"), seg(0, 600, "B"), seg(600, 1200, "A")]
    result = actual_segments(planned, {AT: None})
    assert next(s.end for s in result if s.parent == "A") == at(600)
    assert all(s.parent == "A" for s in result)


def test_actual_counts_shift_hours_between_parents() -> None:
    spec = {
        "timezone": "UTC",
        "parents": ["A", "B"],
        "rotation": {
            "pattern": "AB",
            "anchor": "2026-06-01",
            "first": "A",
            "exchange_time": "18:00",
        },
    }
    schedule = parse_spec(spec)
    start, end = dt.datetime(2026, 6, 1, tzinfo=UTC), dt.datetime(2026, 6, 3, tzinfo=UTC)
    planned = schedule.timeline(start, end)
    first = engine_exchanges(planned)[0]
    actual = actual_timeline(schedule, planned, {first.at: first.at + dt.timedelta(hours=2)})
    moved = {p: c.hours for p, c in actual.summary().items()}
    before = {p: c.hours for p, c in planned.summary().items()}
    assert moved[first.from_parent] == before[first.from_parent] + 2
    assert moved[first.to_parent] == before[first.to_parent] - 2
    assert sum(moved.values()) == sum(before.values()) == 48
