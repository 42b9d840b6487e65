"""Zone offsets come from the zone's real transitions (its TZif file), not from sampling."""

from __future__ import annotations

import struct
import zoneinfo
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coparent.engine import parse_spec, window
from coparent.engine.localtime import to_utc, wall_label_to_utc
from coparent.engine.timeline import clear_caches
from coparent.engine.zonefile import parse_tzif, zone_file

FESTIVAL = "Fictional/Festival_Time"


def tzif(base: int, changes: list[tuple[datetime, int]], footer: str) -> bytes:
    """A TZif version 2 file: `base` seconds east of UTC, then each (instant, offset) change."""
    offsets = sorted({base, *(offset for _, offset in changes)}, key=lambda o: o != base)
    names = b"".join(f"{o // 3600:+03d}".encode() + b"\0" for o in offsets)
    types = b"".join(struct.pack(">lbB", o, o != base, 4 * i) for i, o in enumerate(offsets))
    indices = bytes(offsets.index(offset) for _, offset in changes)

    def block(size: str) -> bytes:
        counts = (0, 0, 0, len(changes), len(offsets), len(names))
        times = b"".join(struct.pack(f">{size}", int(at.timestamp())) for at, _ in changes)
        return b"TZif2" + bytes(15) + struct.pack(">6l", *counts) + times + indices + types + names

    return block("l") + block("q") + f"\n{footer}\n".encode()


@pytest.fixture
def festival_zone(tmp_path: Path) -> Iterator[ZoneInfo]:
    """A zone one hour ahead for three days in July 2030, inside one week: a sampler stepping a
    week at a time from 1 January sees +01 on 2 July and on 9 July and steps over it."""
    path = tmp_path / FESTIVAL
    path.parent.mkdir()
    changes = [(datetime(2030, 7, 3, tzinfo=UTC), 7200), (datetime(2030, 7, 6, tzinfo=UTC), 3600)]
    path.write_bytes(tzif(3600, changes, "<+01>-1"))
    previous = zoneinfo.TZPATH
    zoneinfo.reset_tzpath([str(tmp_path), *previous])
    clear_caches()
    yield ZoneInfo(FESTIVAL)
    zoneinfo.reset_tzpath(previous)
    ZoneInfo.clear_cache(only_keys=[FESTIVAL])
    clear_caches()


def test_a_three_day_change_inside_one_week_is_found(festival_zone: ZoneInfo) -> None:
    assert ZoneInfo(FESTIVAL).utcoffset(datetime(2030, 7, 4, 18)) == timedelta(hours=2)
    assert to_utc(date(2030, 7, 4), time(18), festival_zone) == datetime(2030, 7, 4, 16, tzinfo=UTC)
    assert to_utc(date(2030, 7, 10), time(18), festival_zone) == datetime(
        2030, 7, 10, 17, tzinfo=UTC
    )
    spec = {
        "timezone": FESTIVAL,
        "parents": ["A", "B"],
        "rotation": {
            "pattern": "AB",
            "anchor": "2030-07-01",
            "first": "A",
            "exchange_time": "18:00",
        },
    }
    schedule = parse_spec(spec)
    timeline = schedule.timeline(*window(schedule, date(2030, 7, 3), date(2030, 7, 6)))
    assert [s.start for s in timeline.segments[1:]] == [
        datetime(2030, 7, 3, 16, tzinfo=UTC),
        datetime(2030, 7, 4, 16, tzinfo=UTC),
        datetime(2030, 7, 5, 16, tzinfo=UTC),
    ]


@pytest.mark.parametrize(
    ("key", "begins", "ends"),
    [
        # The shortest periods in the tz database since 1970 (under a week each).
        (
            "America/Noronha",
            datetime(2000, 10, 8, 2, tzinfo=UTC),
            datetime(2000, 10, 15, 1, tzinfo=UTC),
        ),
        (
            "Asia/Gaza",
            datetime(2040, 10, 20, 0, tzinfo=UTC),
            datetime(2040, 10, 26, 23, tzinfo=UTC),
        ),
    ],
)
def test_short_real_periods_have_both_ends(key: str, begins: datetime, ends: datetime) -> None:
    found = zone_file(ZoneInfo(key)).transitions(
        begins - timedelta(days=3), ends + timedelta(days=3)
    )
    assert [moment for moment, _, _ in found] == [begins, ends]
    assert found[0][1] == found[1][2] and found[0][2] == found[1][1]


def test_every_zone_s_transitions_are_real_offset_changes() -> None:
    start, end = datetime(1970, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
    for key in sorted(zoneinfo.available_timezones()):
        zone = ZoneInfo(key)
        previous = start
        for moment, before, after in zone_file(zone).transitions(start, end):
            assert previous < moment
            assert (moment - timedelta(seconds=1)).astimezone(zone).utcoffset() == before, key
            assert moment.astimezone(zone).utcoffset() == after, key
            previous = moment


def test_the_footer_rule_gives_each_year_s_changes_after_the_table() -> None:
    # Only a footer: Chicago's rules for every year (second Sunday of March, first of November).
    rules = parse_tzif(tzif(-6 * 3600, [], "CST6CDT,M3.2.0,M11.1.0"))
    found = rules.transitions(datetime(2150, 1, 1, tzinfo=UTC), datetime(2151, 1, 1, tzinfo=UTC))
    assert found == [
        (datetime(2150, 3, 8, 8, tzinfo=UTC), timedelta(hours=-6), timedelta(hours=-5)),
        (datetime(2150, 11, 1, 7, tzinfo=UTC), timedelta(hours=-5), timedelta(hours=-6)),
    ]
    julian = parse_tzif(tzif(0, [], "AAA0BBB,J60/0,300/0"))  # 1 March; day 300 from 0
    leap = julian.transitions(datetime(2028, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC))
    assert [moment for moment, _, _ in leap] == [
        datetime(2028, 3, 1, tzinfo=UTC),
        datetime(2028, 10, 26, 23, tzinfo=UTC),
    ]


@settings(max_examples=300, deadline=None)
@given(
    key=st.sampled_from(sorted(zoneinfo.available_timezones())),
    instant=st.datetimes(
        min_value=datetime(1970, 1, 2), max_value=datetime(2199, 12, 30), timezones=st.just(UTC)
    ),
)
def test_wall_times_convert_as_zoneinfo_says(key: str, instant: datetime) -> None:
    zone = ZoneInfo(key)
    local = instant.replace(second=0, microsecond=0).astimezone(zone)
    expected = local.replace(fold=0).astimezone(UTC)  # a repeated wall time: its first occurrence
    assert wall_label_to_utc(local.replace(tzinfo=UTC, fold=0), zone) == expected
