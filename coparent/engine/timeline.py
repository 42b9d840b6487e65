"""The timeline of a schedule over a window: who is responsible when, nights, and counts.

Each rule level yields intervals; one sweep picks the winner at every boundary and the gaps are
filled from the rotation, so the cost grows with the number of boundaries, not with the hours.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from dateutil.easter import EASTER_ORTHODOX, EASTER_WESTERN, easter
from dateutil.relativedelta import relativedelta, weekday
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule

from coparent.engine.localtime import converter, local_date, to_utc, wall_to_utc
from coparent.engine.public_holidays import holidays_by_name, match_holiday_name
from coparent.engine.rules import (
    DateRule,
    EasterDate,
    ExplicitDates,
    FixedDate,
    Holiday,
    NthWeekday,
    Period,
    Periods,
    Plan,
    PublicHoliday,
    ScheduleRules,
    Split,
    assigned,
)

LEVEL_RECURRING, LEVEL_HOLIDAY, LEVEL_OVERRIDE, LEVEL_SCHEDULE_OVERRIDE = 1, 2, 3, 4
HOUR = timedelta(hours=1)
NOON = time(12)
DAY = timedelta(days=1)


class Segment(NamedTuple):
    """A stretch of time with one responsible parent; `start` and `end` are aware UTC datetimes."""

    # NamedTuple rather than a frozen dataclass: a long timeline makes tens of thousands of these.
    start: datetime
    end: datetime
    parent: str
    source: str

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


class Night(NamedTuple):
    date: date
    parent: str


@dataclass(frozen=True)
class Exchange:
    at: datetime
    from_parent: str
    to_parent: str


@dataclass(frozen=True)
class ParentCounts:
    overnights: int
    hours: float
    overnights_percent: float
    hours_percent: float
    days: float

    def to_json(self) -> dict[str, Any]:
        return {
            "overnights": self.overnights,
            "hours": round(self.hours, 2),
            "overnights_percent": round(self.overnights_percent, 2),
            "hours_percent": round(self.hours_percent, 2),
            "days": self.days,
        }


@dataclass(frozen=True)
class Timeline:
    schedule: ScheduleRules
    start: datetime
    end: datetime
    segments: tuple[Segment, ...]
    nights: tuple[Night, ...]

    def summary(self) -> dict[str, ParentCounts]:
        """Counts per declared parent over the window (zeros for a parent with no time)."""
        parents = self.schedule.parents
        elapsed = dict.fromkeys(parents, timedelta())
        for start, end, parent, _ in self.segments:
            elapsed[parent] += end - start
        overnights = dict.fromkeys(parents, 0) | Counter(parent for _, parent in self.nights)
        days = dict.fromkeys(parents, 0.0)
        for parent, duration in blocks(self.segments):
            days[parent] += day_equivalents(duration, self.schedule.day_rule)
        total_seconds = (self.end - self.start).total_seconds()
        total_nights = len(self.nights)
        return {
            parent: ParentCounts(
                overnights=overnights[parent],
                hours=elapsed[parent].total_seconds() / 3600,
                overnights_percent=100 * overnights[parent] / total_nights if total_nights else 0.0,
                hours_percent=100 * elapsed[parent].total_seconds() / total_seconds,
                days=days[parent],
            )
            for parent in parents
        }

    def to_json(self) -> dict[str, Any]:
        zone = self.schedule.zone
        return {
            "segments": [
                {
                    "start": s.start.astimezone(zone).isoformat(),
                    "end": s.end.astimezone(zone).isoformat(),
                    "parent": s.parent,
                    "source": s.source,
                }
                for s in self.segments
            ],
            "nights": [{"date": n.date.isoformat(), "parent": n.parent} for n in self.nights],
            "summary": {parent: counts.to_json() for parent, counts in self.summary().items()},
        }


@dataclass(frozen=True)
class FamilyTimeline:
    children: dict[str, Timeline]

    def summary(self) -> dict[str, dict[str, ParentCounts]]:
        return {child: timeline.summary() for child, timeline in self.children.items()}

    def to_json(self) -> dict[str, Any]:
        return {"children": {child: t.to_json() for child, t in self.children.items()}}


# ---- counting ----------------------------------------------------------------------------------


def blocks(segments: Iterable[Segment]) -> Iterator[tuple[str, timedelta]]:
    """Continuous time with one parent, whatever the sources: (parent, duration)."""
    current: str | None = None
    duration = timedelta()
    for start, end, parent, _ in segments:
        if parent != current:
            if current is not None:
                yield current, duration
            current, duration = parent, timedelta()
        duration += end - start
    if current is not None:
        yield current, duration


def day_equivalents(duration: timedelta, rule: str) -> float:
    """Days for one continuous block of time under `rule` ("tennessee" or "arizona").

    Both count each full 24 hours from the start of the block as a day. Tennessee counts the
    leftover as a day when it is more than 12 hours (Tenn. Comp. R. & Regs. 1240-02-04-.02(10));
    Arizona counts 12 h or more as 1, 6-11 h as 1/2 and 3-5 h as 1/4, whole hours, so 5 h 59 min
    is a quarter (Arizona Child Support Guidelines, parenting time days).
    """
    full_days, leftover = divmod(duration, DAY)
    if rule == "tennessee":
        return float(full_days + (1 if leftover > 12 * HOUR else 0))
    hours = leftover // HOUR
    fraction = 1.0 if hours >= 12 else 0.5 if hours >= 6 else 0.25 if hours >= 3 else 0.0
    return full_days + fraction


# ---- rule occurrences --------------------------------------------------------------------------


def _dates_in_year(rule: DateRule, year: int) -> list[date]:
    match rule:
        case FixedDate(month, day):
            try:
                return [date(year, month, day)]
            except ValueError:  # 29 February outside leap years
                return []
        case NthWeekday(month, day_of_week, nth):
            found = date(year, month, 1) + relativedelta(
                day=1 if nth > 0 else 31, weekday=weekday(day_of_week, nth)
            )
            return [found] if found.month == month else []
        case EasterDate(offset, method):
            kind = EASTER_ORTHODOX if method == "orthodox" else EASTER_WESTERN
            return [easter(year, kind) + timedelta(days=offset)]
        case PublicHoliday(country, subdiv, holiday):
            by_name = holidays_by_name(country, subdiv, range(year, year + 1))[year]
            name = match_holiday_name(holiday, set(by_name))
            return list(by_name[name]) if name else []
    return []


def _occurrences(rule: DateRule, first_year: int, last_year: int) -> Iterator[tuple[date, date]]:
    """(first day, last day) of every occurrence in the years, or of every listed date."""
    if isinstance(rule, ExplicitDates):
        yield from ((day, day) for day in rule.dates)
    elif isinstance(rule, Periods):
        yield from rule.periods
    else:
        for year in range(first_year, last_year + 1):
            yield from ((day, day) for day in _dates_in_year(rule, year))


_Priority = tuple[int, int, datetime]


@dataclass(frozen=True)
class _Interval:
    start: datetime
    end: datetime
    parent: str
    source: str
    priority: _Priority


def _holiday_intervals(
    holiday: Holiday, index: int, zone: ZoneInfo, start: datetime, end: datetime
) -> Iterator[_Interval]:
    reach = 1 + max(abs(holiday.start.days), abs(holiday.end.days)) // 365
    first_year = local_date(start, zone).year - reach
    last_year = local_date(end, zone).year + reach
    source = f"holiday:{holiday.name}"
    if isinstance(holiday.date, PublicHoliday):  # fetch every year at once, then per year
        holidays_by_name(
            holiday.date.country, holiday.date.subdiv, range(first_year, last_year + 1)
        )
    for first, last in _occurrences(holiday.date, first_year, last_year):
        begins_on = first + timedelta(days=holiday.start.days)
        begins = to_utc(begins_on, holiday.start.time, zone)
        ends = to_utc(last + timedelta(days=holiday.end.days), holiday.end.time, zone)
        if ends <= start or begins >= end or ends <= begins:
            continue
        # Parity follows the year the period starts in, so a break over New Year keeps one year.
        year = begins_on.year
        priority = (LEVEL_HOLIDAY, index, begins)
        rule = holiday.parent
        if isinstance(rule, Split):
            middle = to_utc(first + timedelta(days=rule.at.days), rule.at.time, zone)
            middle = min(max(middle, begins), ends)
            yield _Interval(begins, middle, assigned(rule.first_half, year), source, priority)
            yield _Interval(middle, ends, assigned(rule.second_half, year), source, priority)
        else:
            yield _Interval(begins, ends, assigned(rule, year), source, priority)


def _plan_intervals(plan: Plan, zone: ZoneInfo, start: datetime, end: datetime) -> list[_Interval]:
    intervals: list[_Interval] = []
    first_day, last_day = local_date(start, zone), local_date(end, zone)
    for index, recurring in enumerate(plan.recurring):
        span = max(recurring.end.days, 0) + 1
        # dateutil compares naive datetimes here: occurrences are local calendar dates.
        after = datetime.combine(first_day - timedelta(days=span), time())
        before = datetime.combine(last_day + DAY, time())
        source = f"recurring:{recurring.name}"
        for occurrence in _fast_forward(recurring.rule, after).between(after, before, inc=True):
            day = occurrence.date()
            begins = to_utc(day, recurring.start_time, zone)
            ends = to_utc(day + timedelta(days=recurring.end.days), recurring.end.time, zone)
            if ends > begins and ends > start and begins < end:
                parent = assigned(recurring.parent, day.year)
                intervals.append(
                    _Interval(begins, ends, parent, source, (LEVEL_RECURRING, index, begins))
                )
    for index, holiday in enumerate(plan.holidays):
        intervals.extend(_holiday_intervals(holiday, index, zone, start, end))
    intervals.extend(_period_intervals((*plan.overrides, *plan.swaps), LEVEL_OVERRIDE, zone))
    return intervals


def _fast_forward(rule: rrule, target: datetime) -> rrule:
    """`rule` with its dtstart moved forward close to `target` by whole periods.

    dateutil iterates every occurrence from dtstart; a daily rule from 2000 would cost tens of
    milliseconds for a week in 2040. Moving dtstart by whole intervals keeps the same phase.
    dateutil has no public getters for a rule's parts, hence the private attributes.
    """
    start: datetime = rule._dtstart
    if rule._count or target <= start:
        return rule
    interval: int = rule._interval
    frequency: int = rule._freq
    if frequency in (DAILY, WEEKLY):
        step = interval * (7 if frequency == WEEKLY else 1)
        moved = start + timedelta(days=(target - start).days // step * step)
    elif frequency == MONTHLY and start.day <= 28:
        months = (target.year - start.year) * 12 + target.month - start.month - 1
        moved = start + relativedelta(months=max(months, 0) // interval * interval)
    elif frequency == YEARLY and (start.month, start.day) != (2, 29):
        years = target.year - start.year - 1
        moved = start + relativedelta(years=max(years, 0) // interval * interval)
    else:
        return rule
    return rule.replace(dtstart=moved)


def _period_intervals(periods: Iterable[Period], level: int, zone: ZoneInfo) -> list[_Interval]:
    found = []
    for index, period in enumerate(periods):
        begins, ends = wall_to_utc(period.start, zone), wall_to_utc(period.end, zone)
        found.append(_Interval(begins, ends, period.parent, period.source, (level, index, begins)))
    return found


# ---- composition -------------------------------------------------------------------------------


def _rotation_segments(plan: Plan, zone: ZoneInfo, start: datetime, end: datetime) -> list[Segment]:
    rotation = plan.rotation
    if rotation is None:
        assert plan.default is not None
        return [Segment(start, end, plan.default, "default")]
    exchange = rotation.exchange_time
    day = local_date(start, zone)
    if to_utc(day, exchange, zone) > start:
        day -= DAY
    length = len(rotation.pattern)
    index = (day - rotation.anchor).days
    cycle_start = day - timedelta(days=index % length)
    runs = rotation.runs
    run = next(
        i for i, (first, size, _) in enumerate(runs) if first <= index % length < first + size
    )
    segments: list[Segment] = []
    convert = converter(zone)
    steps = [timedelta(days=size) for _, size, _ in runs]
    wall = datetime.combine(cycle_start + timedelta(days=runs[run][0]), exchange, tzinfo=UTC)
    run_start = convert(wall)
    while run_start < end:
        parent = runs[run][2]
        wall += steps[run]
        run_end = convert(wall)
        segments.append(Segment(max(run_start, start), min(run_end, end), parent, "rotation"))
        run_start = run_end
        run = (run + 1) % len(runs)
    return segments


def _sweep(intervals: list[_Interval], start: datetime, end: datetime) -> list[Segment]:
    """The winning interval at every instant where any is active, as sorted segments."""
    events: list[tuple[datetime, int, int]] = []
    for number, interval in enumerate(intervals):
        begins, ends = max(interval.start, start), min(interval.end, end)
        if begins < ends:
            events.append((begins, 1, number))
            events.append((ends, 0, number))
    events.sort()
    active: list[tuple[tuple[int, int, float], int]] = []
    ended: set[int] = set()
    found: list[Segment] = []
    position = 0
    while position < len(events):
        now = events[position][0]
        while position < len(events) and events[position][0] == now:
            _, kind, number = events[position]
            if kind:
                # Max-heap on priority: negate the parts so the latest, highest rule pops first.
                level, order, begins = intervals[number].priority
                heapq.heappush(active, ((-level, -order, -begins.timestamp()), number))
            else:
                ended.add(number)
            position += 1
        while active and active[0][1] in ended:
            heapq.heappop(active)
        if active and position < len(events):
            winner = intervals[active[0][1]]
            found.append(Segment(now, events[position][0], winner.parent, winner.source))
    return found


def _fill(
    base: list[Segment], overlay: list[Segment], start: datetime, end: datetime
) -> list[Segment]:
    """`overlay` where it has a segment, `base` elsewhere; both sorted and non-overlapping."""
    result: list[Segment] = []
    position = 0

    def take_base(until: datetime, since: datetime) -> None:
        nonlocal position
        while position < len(base) and base[position].end <= since:
            position += 1
        while position < len(base) and base[position].start < until:
            piece = base[position]
            if piece.start < since or piece.end > until:
                piece = piece._replace(start=max(piece.start, since), end=min(piece.end, until))
            result.append(piece)
            if base[position].end > until:
                return
            position += 1

    cursor = start
    for piece in overlay:
        if piece.start > cursor:
            take_base(piece.start, cursor)
        result.append(piece)
        cursor = piece.end
    if cursor < end:
        take_base(end, cursor)
    return result


def merge(segments: Iterable[Segment]) -> list[Segment]:
    """Adjacent segments with the same parent and source, joined."""
    merged: list[Segment] = []
    for segment in segments:
        if segment.start >= segment.end:
            continue
        last = merged[-1] if merged else None
        if last and last.end == segment.start and last[2:] == segment[2:]:  # parent and source
            merged[-1] = last._replace(end=segment.end)
        else:
            merged.append(segment)
    return merged


def _plan_segments(plan: Plan, zone: ZoneInfo, start: datetime, end: datetime) -> list[Segment]:
    base = _rotation_segments(plan, zone, start, end)
    overlay = _sweep(_plan_intervals(plan, zone, start, end), start, end)
    return _fill(base, overlay, start, end)


def _nights(
    schedule: ScheduleRules, segments: list[Segment], start: datetime, end: datetime
) -> list[Night]:
    """The night of date D is in the window when D ends in it (the local midnight after D is in
    (start, end]), whatever the night check: a window from one midnight to another holds exactly
    the nights of its dates, and back-to-back windows share no night. The night goes to whoever
    is responsible at its night check; a check outside the window (a night at either edge, e.g.
    03:00 after the last date) is asked of the schedule directly."""
    zone, check = schedule.zone, schedule.night_check
    convert = converter(zone)
    check_day = DAY if check < NOON else timedelta()
    night = local_date(start, zone) - DAY
    nights: list[Night] = []
    position = 0
    while (ends := convert(datetime.combine(night + DAY, time(), tzinfo=UTC))) <= end:
        if ends > start:
            instant = convert(datetime.combine(night + check_day, check, tzinfo=UTC))
            if start <= instant < end:
                while segments[position].end <= instant:
                    position += 1
                parent = segments[position].parent
            else:
                parent = _segments(schedule, instant, instant + DAY)[0].parent
            nights.append(Night(night, parent))
        night += DAY
    return nights


def compute_timeline(schedule: ScheduleRules, start: datetime, end: datetime) -> Timeline:
    """The timeline of `schedule` over [start, end); both must be timezone-aware."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware datetimes")
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        raise ValueError("end must be after start")
    segments = _segments(schedule, start, end)
    return Timeline(
        schedule, start, end, tuple(segments), tuple(_nights(schedule, segments, start, end))
    )


def segments_between(schedule: ScheduleRules, start: datetime, end: datetime) -> list[Segment]:
    """The segments of [start, end) without the nights and counts of a timeline (cheap over
    decades, for finding where a long period begins or ends)."""
    return _segments(schedule, start.astimezone(UTC), end.astimezone(UTC))


def _segments(schedule: ScheduleRules, start: datetime, end: datetime) -> list[Segment]:
    zone = schedule.zone
    changes = [
        wall_to_utc(v.effective, zone) if v.effective is not None and i else None
        for i, v in enumerate(schedule.versions)
    ]
    segments: list[Segment] = []
    for i, version in enumerate(schedule.versions):
        change = changes[i]
        begins = start if change is None else max(start, change)
        following = changes[i + 1] if i + 1 < len(changes) else None
        ends = end if following is None else min(end, following)
        if begins < ends:
            segments.extend(_plan_segments(version.plan, zone, begins, ends))
    top = _period_intervals((*schedule.overrides, *schedule.swaps), LEVEL_SCHEDULE_OVERRIDE, zone)
    if top:
        segments = _fill(segments, _sweep(top, start, end), start, end)
    return merge(segments)


def exchanges(timeline: Timeline) -> list[Exchange]:
    """Every change of responsible parent inside the timeline, in order."""
    return [
        Exchange(current.start, previous.parent, current.parent)
        for previous, current in pairwise(timeline.segments)
        if previous.parent != current.parent
    ]


def responsible_at(schedule: ScheduleRules, instant: datetime) -> Segment:
    """The segment covering `instant` (computed over the surrounding week, so clipped to it)."""
    timeline = compute_timeline(schedule, instant - 7 * DAY, instant + 7 * DAY)
    instant = instant.astimezone(UTC)
    return next(s for s in timeline.segments if s.start <= instant < s.end)


def window(schedule: ScheduleRules, first: date, last: date) -> tuple[datetime, datetime]:
    """[first 00:00, last 00:00) in the schedule's zone, as UTC instants."""
    return to_utc(first, time(), schedule.zone), to_utc(last, time(), schedule.zone)


def family_timeline(
    schedules: Mapping[str, ScheduleRules], start: datetime, end: datetime
) -> FamilyTimeline:
    """Per-child timelines for one family; children may follow different schedules."""
    return FamilyTimeline(
        {child: compute_timeline(s, start, end) for child, s in schedules.items()}
    )


def clear_caches() -> None:
    """Forget cached zone transitions and public-holiday tables (for benchmarks and tests)."""
    from coparent.engine import localtime, public_holidays, zonefile

    localtime._CLOCKS.clear()
    public_holidays.clear()
    zonefile.clear()


def timeline_from_segments(
    schedule: ScheduleRules, start: datetime, end: datetime, segments: Iterable[Segment]
) -> Timeline:
    """A timeline built from segments computed elsewhere (e.g. what actually happened, from
    exchange check-ins), with nights and counts by the schedule's rules. The segments must
    cover [start, end) without gaps or overlaps."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    merged = merge(s for s in segments if s.end > start and s.start < end)
    clipped = [s._replace(start=max(s.start, start), end=min(s.end, end)) for s in merged]
    if not clipped or clipped[0].start != start or clipped[-1].end != end:
        raise ValueError("segments must cover the whole window")
    if any(a.end != b.start for a, b in pairwise(clipped)):
        raise ValueError("segments must not leave gaps or overlap")
    return Timeline(
        schedule, start, end, tuple(clipped), tuple(_nights(schedule, clipped, start, end))
    )
