"""The rules of a schedule as typed data: what `spec` parses from JSON and `timeline` reads.

Both build on this module and neither imports the other's internals the other way round: the
parser sits above the timeline (a `Schedule` computes its own timeline), the timeline above
these rules (an import-linter contract keeps it so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cached_property
from zoneinfo import ZoneInfo

from dateutil import rrule as rrule_lib


@dataclass(frozen=True)
class DayTime:
    """A local time `days` days after a reference date (negative: before it)."""

    days: int
    time: time


@dataclass(frozen=True)
class ByYear:
    """The parent in even years and the parent in odd years (year in which the period starts)."""

    even: str
    odd: str

    def parent(self, year: int) -> str:
        return self.even if year % 2 == 0 else self.odd


Assignment = str | ByYear


@dataclass(frozen=True)
class Split:
    """A holiday cut at `at`: the first half and the second half each follow their assignment."""

    at: DayTime
    first_half: Assignment
    second_half: Assignment


ParentRule = str | ByYear | Split


def assigned(rule: Assignment, year: int) -> str:
    return rule if isinstance(rule, str) else rule.parent(year)


@dataclass(frozen=True)
class Rotation:
    pattern: str
    anchor: date
    first: str
    exchange_time: time
    template: str | None
    letters: tuple[tuple[str, str], ...]  # (pattern letter, parent id)

    @cached_property
    def runs(self) -> tuple[tuple[int, int, str], ...]:
        """The pattern as runs of one parent: (first index, length, parent)."""
        mapping = dict(self.letters)
        runs: list[tuple[int, int, str]] = []
        for index, letter in enumerate(self.pattern):
            parent = mapping[letter]
            if runs and runs[-1][2] == parent:
                first, length, _ = runs[-1]
                runs[-1] = (first, length + 1, parent)
            else:
                runs.append((index, 1, parent))
        return tuple(runs)


@dataclass(frozen=True)
class Recurring:
    name: str
    rrule: str
    start_time: time
    end: DayTime
    parent: Assignment
    dtstart: date | None
    rule: rrule_lib.rrule = field(compare=False, repr=False)


@dataclass(frozen=True)
class FixedDate:
    month: int
    day: int


@dataclass(frozen=True)
class NthWeekday:
    month: int
    weekday: int  # 0 = Monday
    nth: int  # 1..5, or -1..-5 counting from the end of the month


@dataclass(frozen=True)
class EasterDate:
    offset: int
    method: str  # "western" or "orthodox"


@dataclass(frozen=True)
class PublicHoliday:
    country: str
    subdiv: str | None
    holiday: str


@dataclass(frozen=True)
class ExplicitDates:
    dates: tuple[date, ...]


@dataclass(frozen=True)
class Periods:
    periods: tuple[tuple[date, date], ...]  # first and last day; `end` counts from the last day


DateRule = FixedDate | NthWeekday | EasterDate | PublicHoliday | ExplicitDates | Periods


@dataclass(frozen=True)
class Holiday:
    name: str
    date: DateRule
    start: DayTime
    end: DayTime
    parent: ParentRule


@dataclass(frozen=True)
class Period:
    """An override or an approved swap; naive datetimes are wall-clock in the schedule zone."""

    kind: str  # "override" or "swap"
    start: datetime
    end: datetime
    parent: str
    name: str
    id: str | None = None

    @property
    def source(self) -> str:
        return f"swap:{self.id}" if self.kind == "swap" else f"override:{self.name}"


@dataclass(frozen=True)
class Plan:
    """The rules of one version of a schedule."""

    rotation: Rotation | None
    default: str | None
    recurring: tuple[Recurring, ...] = ()
    holidays: tuple[Holiday, ...] = ()
    overrides: tuple[Period, ...] = ()
    swaps: tuple[Period, ...] = ()


@dataclass(frozen=True)
class Version:
    effective: datetime | None  # None: since ever (only the first version)
    plan: Plan


@dataclass(frozen=True)
class ScheduleRules:
    """A child's schedule as data: one governing zone, its parents, counting settings and
    versions. What the timeline computes from; `spec.Schedule` adds the parser's conveniences."""

    timezone: str
    parents: tuple[str, ...]
    night_check: time
    day_rule: str
    versions: tuple[Version, ...]
    overrides: tuple[Period, ...] = ()  # schedule-wide, above every version (versioned form)
    swaps: tuple[Period, ...] = ()
    versioned: bool = False

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
