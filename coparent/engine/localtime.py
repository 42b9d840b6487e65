"""Wall-clock times in a governing zone resolved to UTC instants, with the spec's DST rules."""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from coparent.engine.zonefile import zone_file

_SECOND = timedelta(seconds=1)


class _Table(NamedTuple):
    first_year: int
    last_year: int
    transitions: list[tuple[datetime, timedelta, timedelta]]  # (instant, before, after)
    # Wall-clock times labelled UTC, so that comparing them needs no conversion: from
    # `unsafe_from[i]` to `safe_from[i]` the wall clock is in transition i's gap or overlap.
    safe_from: list[datetime]
    unsafe_from: list[datetime]
    offset: timedelta  # the offset when the covered years have no transition


class _Clock:
    """UTC offsets of one zone by plain arithmetic between its transitions.

    zoneinfo converts one datetime at a time (a few microseconds each); an 18-year timeline needs
    tens of thousands of conversions, so each year's transitions are read once from the zone's
    TZif file and looked up.
    The table is replaced whole under a lock, so threads reading it never see half an update.
    """

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.lock = threading.Lock()
        self.table: _Table | None = None
        self.years: dict[int, list[tuple[datetime, timedelta, timedelta]]] = {}

    def _offset_at(self, instant: datetime) -> timedelta:
        offset = instant.astimezone(self.zone).utcoffset()
        assert offset is not None
        return offset

    def _cover(self, first: int, last: int) -> _Table:
        with self.lock:
            table = self.table
            if table is not None:
                if table.first_year <= first and last <= table.last_year:
                    return table
                first, last = min(first, table.first_year), max(last, table.last_year)
            transitions: list[tuple[datetime, timedelta, timedelta]] = []
            for year in range(first, last + 1):
                if year not in self.years:
                    self.years[year] = self._transitions_in(year)
                transitions.extend(self.years[year])
            self.table = _Table(
                first,
                last,
                transitions,
                [moment + max(before, after) for moment, before, after in transitions],
                [moment + min(before, after) for moment, before, after in transitions],
                self._offset_at(datetime(first, 1, 1, tzinfo=UTC)),
            )
            return self.table

    def _transitions_in(self, year: int) -> list[tuple[datetime, timedelta, timedelta]]:
        return zone_file(self.zone).transitions(
            datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
        )

    def to_utc(self, wall: datetime) -> datetime | None:
        """UTC for `wall` (a wall-clock time labelled UTC), or None in or next to a gap/overlap."""
        table = self.table
        year = wall.year
        if table is None or not table.first_year < year < table.last_year:
            table = self._cover(year - 1, year + 1)
        index = bisect_right(table.safe_from, wall)
        if index < len(table.transitions):
            if wall >= table.unsafe_from[index]:
                return None
            return wall - table.transitions[index][1]
        if table.transitions:
            return wall - table.transitions[-1][2]
        return wall - table.offset


_CLOCKS: dict[str, _Clock] = {}


def to_utc(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of `day` at `wall` in `zone`.

    A repeated wall time (fall back) takes its first occurrence; a wall time that does not exist
    (spring forward) moves to the first valid instant after the gap, i.e. the transition itself.
    """
    return wall_label_to_utc(datetime.combine(day, wall, tzinfo=UTC), zone)


def wall_label_to_utc(wall: datetime, zone: ZoneInfo) -> datetime:
    """`to_utc` for a wall-clock time given as a datetime labelled UTC (cheap to step by days)."""
    return converter(zone)(wall)


def converter(zone: ZoneInfo) -> Callable[[datetime], datetime]:
    """`wall_label_to_utc` bound to `zone`, for loops over many wall-clock times."""
    clock = _CLOCKS.get(zone.key)
    if clock is None:
        clock = _CLOCKS[zone.key] = _Clock(zone)
    fast = clock.to_utc

    def convert(wall: datetime) -> datetime:
        found = fast(wall)
        return found if found is not None else _exact_to_utc(wall.date(), wall.time(), zone)

    return convert


def _exact_to_utc(day: date, wall: time, zone: ZoneInfo) -> datetime:
    local = datetime.combine(day, wall, tzinfo=zone)  # fold=0: first occurrence of a repeated time
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None):
        return instant
    # In a gap, fold=0 lands after the transition and fold=1 before it; bisect for the transition.
    low = local.replace(fold=1).astimezone(UTC)
    high = instant
    after = high.astimezone(zone).utcoffset()
    while high - low > _SECOND:
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == after:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def wall_to_utc(value: datetime, zone: ZoneInfo) -> datetime:
    """A spec datetime as UTC: naive means wall-clock time in `zone`, aware is taken as given."""
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    return to_utc(value.date(), value.time(), zone)


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()
