from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from coparent.engine import TEMPLATES, parse_spec, window
from coparent.engine.localtime import to_utc

ZONES = [
    "America/Chicago",
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Australia/Sydney",
]
FAST = settings(max_examples=60, deadline=None)

zones = st.sampled_from(ZONES)
days = st.dates(min_value=date(2024, 1, 1), max_value=date(2032, 12, 31))
walls = st.times().map(lambda t: t.replace(second=0, microsecond=0))
patterns = st.one_of(
    st.sampled_from([t.pattern for t in TEMPLATES.values()]),
    st.text(alphabet="AB", min_size=1, max_size=21),
)


def hhmm(value: time) -> str:
    return value.strftime("%H:%M")


@st.composite
def overrides(draw):
    start = datetime.combine(draw(days), draw(walls))
    length = timedelta(minutes=draw(st.integers(min_value=30, max_value=60 * 24 * 20)))
    return {
        "start": start.isoformat(timespec="minutes"),
        "end": (start + length).isoformat(timespec="minutes"),
        "parent": draw(st.sampled_from(["A", "B"])),
        "name": f"o{draw(st.integers(0, 9))}",
    }


@st.composite
def specs(draw, with_overrides=True):
    spec = {
        "timezone": draw(zones),
        "parents": ["A", "B"],
        "night_check": hhmm(draw(walls)),
        "rotation": {
            "pattern": draw(patterns),
            "anchor": draw(days).isoformat(),
            "first": draw(st.sampled_from(["A", "B"])),
            "exchange_time": hhmm(draw(walls)),
        },
        "recurring": draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "rrule": st.sampled_from(
                            ["FREQ=WEEKLY;BYDAY=TH", "FREQ=MONTHLY;BYDAY=1FR,3FR,5FR"]
                        ),
                        "start_time": walls.map(hhmm),
                        "end": st.fixed_dictionaries(
                            {"days": st.integers(1, 3), "time": walls.map(hhmm)}
                        ),
                        "parent": st.sampled_from(["A", "B"]),
                    }
                ),
                max_size=2,
            )
        ),
        "holidays": draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "name": st.sampled_from(["x", "y"]),
                        "date": st.sampled_from(
                            [
                                {"month": 11, "weekday": "TH", "nth": 4},
                                {"easter": 0},
                                {"month": 3, "day": 29},
                                {"month": 10, "day": 25},
                            ]
                        ),
                        "start": st.fixed_dictionaries(
                            {"days": st.integers(-2, 0), "time": walls.map(hhmm)}
                        ),
                        "end": st.fixed_dictionaries(
                            {"days": st.integers(1, 3), "time": walls.map(hhmm)}
                        ),
                        "parent": st.sampled_from(["A", "B", {"even": "A", "odd": "B"}]),
                    }
                ),
                max_size=2,
            )
        ),
    }
    if with_overrides:
        spec["overrides"] = draw(st.lists(overrides(), max_size=3))
    return spec


@st.composite
def windows(draw, zone_name):
    zone = ZoneInfo(zone_name)
    first = draw(days)
    start = to_utc(first, draw(walls), zone)
    length = timedelta(minutes=draw(st.integers(min_value=1, max_value=60 * 24 * 120)))
    return start, start + length


@FAST
@given(data=st.data())
def test_segments_cover_the_window_without_gaps_or_overlaps(data):
    schedule = parse_spec(data.draw(specs()))
    start, end = data.draw(windows(schedule.timezone))
    segments = schedule.timeline(start, end).segments
    assert segments[0].start == start and segments[-1].end == end
    for previous, current in pairwise(segments):
        assert previous.end == current.start
        assert (previous.parent, previous.source) != (current.parent, current.source)
    assert all(s.start < s.end for s in segments)


@FAST
@given(data=st.data())
def test_counts_add_up_to_the_window(data):
    schedule = parse_spec(data.draw(specs()))
    start, end = data.draw(windows(schedule.timezone))
    timeline = schedule.timeline(start, end)
    summary = timeline.summary()
    total = sum((s.end - s.start for s in timeline.segments), timedelta())
    assert total == end - start
    assert abs(sum(c.hours for c in summary.values()) - (end - start).total_seconds() / 3600) < 1e-6
    # Nights in the window, counted independently: local dates that end in (start, end].
    zone = schedule.zone
    day = start.astimezone(zone).date() - timedelta(days=1)
    expected = []
    while (midnight := _check(day + timedelta(days=1), time(), zone)) <= end:
        if midnight > start:
            expected.append(day)
        day += timedelta(days=1)
    assert sum(c.overnights for c in summary.values()) == len(timeline.nights) == len(expected)
    assert [n.date for n in timeline.nights] == expected
    if expected:
        assert abs(sum(c.overnights_percent for c in summary.values()) - 100) < 1e-6


def _check(day: date, wall: time, zone: ZoneInfo) -> datetime:
    # Independent of the engine's clock: try the wall time, then later minutes, until it exists.
    candidate = datetime.combine(day, wall, tzinfo=zone)
    while candidate.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != candidate.replace(
        tzinfo=None
    ):
        candidate = (candidate.replace(tzinfo=None) + timedelta(minutes=1)).replace(tzinfo=zone)
    return candidate.astimezone(UTC)


@FAST
@given(data=st.data())
def test_the_rotation_after_any_override_equals_the_rotation_without_it(data):
    spec = data.draw(specs(with_overrides=False))
    spec["recurring"], spec["holidays"] = [], []
    override = data.draw(overrides())
    plain = parse_spec(spec)
    overridden = parse_spec(spec | {"overrides": [override]})
    start, end = data.draw(windows(plain.timezone))
    zone = plain.zone
    override_end = to_utc(
        date.fromisoformat(override["end"][:10]), time.fromisoformat(override["end"][11:]), zone
    )
    override_start = to_utc(
        date.fromisoformat(override["start"][:10]), time.fromisoformat(override["start"][11:]), zone
    )
    outside = [
        (s.start, s.end, s.parent)
        for s in overridden.timeline(start, end).segments
        if s.source == "rotation"
    ]
    for segment_start, segment_end, parent in outside:
        assert segment_end <= override_start or segment_start >= override_end
        # The rotation alone says the same about that stretch.
        inner = plain.timeline(segment_start, segment_end).segments
        assert {s.parent for s in inner} == {parent}


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(sorted(TEMPLATES)),
    anchor=days,
    shift=st.integers(min_value=0, max_value=400),
    zone=zones,
)
def test_every_template_splits_its_cycle_as_its_letters_say(name, anchor, shift, zone):
    pattern = TEMPLATES[name].pattern
    spec = {
        "timezone": zone,
        "parents": ["A", "B"],
        "rotation": {
            "template": name,
            "anchor": anchor.isoformat(),
            "first": "A",
            "exchange_time": "18:00",
        },
    }
    schedule = parse_spec(spec)
    # Nights from the night check on `first`: one full cycle of custody days, starting anywhere.
    first = anchor + timedelta(days=shift)
    start, end = window(schedule, first, first + timedelta(days=len(pattern)))
    summary = schedule.timeline(start, end).summary()
    assert summary["A"].overnights == pattern.count("A")
    assert summary["B"].overnights == pattern.count("B")
