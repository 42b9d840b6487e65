"""Named rotation templates and common holidays the UI offers pre-filled."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Template:
    name: str
    pattern: str
    description: str
    aliases: tuple[str, ...] = ()


_TEMPLATE_LIST = (
    Template(
        "7-7",
        "AAAAAAABBBBBBB",
        "Alternating weeks: 7 days with A, then 7 with B; anchor on the exchange weekday.",
        ("alternating-weeks", "week-on-week-off", "7-7-rotation"),
    ),
    Template(
        "2-2-3",
        "AABBAAABBAABBB",
        "2 days A, 2 B, 3 A, then 2 B, 2 A, 3 B: weekdays flip each week.",
    ),
    Template(
        "2-2-5-5",
        "AABBAAAAABBBBB",
        "Mon/Tue fixed to A, Wed/Thu fixed to B, weekends alternate; anchor on a Monday.",
    ),
    Template(
        "5-2-2-5",
        "AAAAABBAABBBBB",
        "Same family as 2-2-5-5, anchored on a Wednesday.",
    ),
    Template(
        "3-4-4-3",
        "AAABBBBAAAABBB",
        "A 3, B 4, A 4, B 3: one weekday alternates, the rest are fixed.",
    ),
    Template(
        "4-3",
        "AAAABBB",
        "4 days A, 3 days B every week (about 57/43).",
        ("every-extended-weekend",),
    ),
    Template(
        "every-weekend",
        "AAAABBA",
        "B every weekend (two nights), A the rest of the week; anchor on a Monday.",
    ),
    Template(
        "every-other-weekend",
        "AAAABBAAAAAAAA",
        "B every other weekend (Fri-Sun), A the rest; anchor on a Monday.",
        ("alternate-weekends",),
    ),
    Template(
        "every-third-week",
        "A" * 14 + "B" * 7,
        "A two weeks, B the third week.",
    ),
)

TEMPLATES: dict[str, Template] = {template.name: template for template in _TEMPLATE_LIST}

_ALIASES: dict[str, str] = {
    alias: template.name for template in _TEMPLATE_LIST for alias in template.aliases
}


def normalise_template_name(name: str) -> str | None:
    """The canonical template name for `name` or an alias (case, spaces, '_' and '/' ignored)."""
    key = name.strip().lower().replace(" ", "-").replace("_", "-").replace("/", "-")
    if key in TEMPLATES:
        return key
    return _ALIASES.get(key)


@dataclass(frozen=True)
class CommonHoliday:
    """A holiday the UI can offer with sensible defaults; `assignment` is a hint for the form."""

    name: str
    date: dict[str, Any]
    start: dict[str, Any]
    end: dict[str, Any]
    assignment: str  # "alternate" (even/odd years), "split", "mother" or "father"
    split: dict[str, Any] | None = field(default=None)

    def as_rule(self, first: str, second: str) -> dict[str, Any]:
        """A spec holiday rule: `first` has it (or its first half) in even years."""
        parent: Any
        if self.assignment == "split":
            parent = {"split": self.split, "first_half": {"even": first, "odd": second}}
        elif self.assignment == "alternate":
            parent = {"even": first, "odd": second}
        else:
            parent = first
        return {
            "name": self.name,
            "date": dict(self.date),
            "start": dict(self.start),
            "end": dict(self.end),
            "parent": parent,
        }


def _at(days: int, wall: str) -> dict[str, Any]:
    return {"days": days, "time": wall}


COMMON_HOLIDAYS: tuple[CommonHoliday, ...] = (
    CommonHoliday(
        "New Year", {"month": 1, "day": 1}, _at(-1, "18:00"), _at(0, "18:00"), "alternate"
    ),
    CommonHoliday(
        "Martin Luther King Jr. Day",
        {"month": 1, "weekday": "MO", "nth": 3},
        _at(-3, "18:00"),
        _at(0, "18:00"),
        "alternate",
    ),
    CommonHoliday(
        "Presidents' Day",
        {"month": 2, "weekday": "MO", "nth": 3},
        _at(-3, "18:00"),
        _at(0, "18:00"),
        "alternate",
    ),
    CommonHoliday("Easter", {"easter": 0}, _at(-2, "18:00"), _at(0, "18:00"), "alternate"),
    CommonHoliday(
        "Mother's Day",
        {"month": 5, "weekday": "SU", "nth": 2},
        _at(-2, "18:00"),
        _at(0, "18:00"),
        "mother",
    ),
    CommonHoliday(
        "Memorial Day",
        {"month": 5, "weekday": "MO", "nth": -1},
        _at(-3, "18:00"),
        _at(0, "18:00"),
        "alternate",
    ),
    CommonHoliday(
        "Father's Day",
        {"month": 6, "weekday": "SU", "nth": 3},
        _at(-2, "18:00"),
        _at(0, "18:00"),
        "father",
    ),
    CommonHoliday(
        "Independence Day", {"month": 7, "day": 4}, _at(0, "09:00"), _at(1, "09:00"), "alternate"
    ),
    CommonHoliday(
        "Labor Day",
        {"month": 9, "weekday": "MO", "nth": 1},
        _at(-3, "18:00"),
        _at(0, "18:00"),
        "alternate",
    ),
    CommonHoliday(
        "Halloween", {"month": 10, "day": 31}, _at(0, "17:00"), _at(0, "21:00"), "alternate"
    ),
    CommonHoliday(
        "Thanksgiving",
        {"month": 11, "weekday": "TH", "nth": 4},
        _at(-1, "18:00"),
        _at(3, "18:00"),
        "alternate",
    ),
    CommonHoliday(
        "Christmas",
        {"month": 12, "day": 24},
        _at(0, "13:00"),
        _at(2, "13:00"),
        "split",
        split=_at(1, "13:00"),
    ),
)
