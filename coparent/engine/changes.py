"""What a proposed plain spec changes against the agreed one, as lines a parent can read
("Exchange place: School → Library", "Winter break: added"). Pure Python, on spec dicts."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

# Keys that are not rules: the parent ids, and notes for people that the engine ignores.
_NOT_RULES = {"parents", "x-parent-names"}
_ROTATION_LABELS = (
    ("template", "Pattern"),
    ("pattern", "Pattern"),
    ("anchor", "First day of the pattern"),
    ("first", "Who has the children at the start of the pattern"),
    ("exchange_time", "Exchange time"),
)
_TOP_LABELS = {
    "timezone": "Time zone",
    "x-exchange-place": "Exchange place",
    "night_check": "Time that decides whose night it is",
    "day_rule": "How days are counted",
    "recurring": "Recurring times",
    "swaps": "Swaps",
    "overrides": "One-off changes",
    "default": "Who has the children outside the rules",
}


def _date_text(value: Any) -> str:
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return value
        return f"{day:%a} {day.day} {day:%b %Y}"
    return str(value)


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _who(value: Any, names: Mapping[str, str]) -> str:
    """A holiday's parent rule in words."""
    if isinstance(value, str):
        return f"always {names.get(value, value)}"
    if isinstance(value, dict):
        if "first_half" in value:
            return f"split; first half: {_who(value['first_half'], names)}"
        if "even" in value and "odd" in value:
            even, odd = (
                names.get(value["even"], value["even"]),
                names.get(value["odd"], value["odd"]),
            )
            return f"{even} in even years, {odd} in odd years"
    return _plain(value)


def _when(point: Any) -> str:
    if isinstance(point, dict) and "days" in point:
        days = point["days"]
        offset = "on the day" if days == 0 else f"day {days:+d}"
        return f"{offset} at {point.get('time', '')}".strip()
    return _plain(point)


def _holiday_changes(
    name: str, old: dict[str, Any], new: dict[str, Any], names: Mapping[str, str]
) -> str:
    parts = []
    if old.get("parent") != new.get("parent"):
        parts.append(f"{_who(old.get('parent'), names)} → {_who(new.get('parent'), names)}")
    for key, label in (("start", "starts"), ("end", "ends")):
        if old.get(key) != new.get(key):
            parts.append(f"{label} {_when(old.get(key))} → {_when(new.get(key))}")
    if old.get("date") != new.get("date"):
        parts.append("dates changed")
    rest = {k for k in {*old, *new} if k not in ("name", "parent", "start", "end", "date")}
    if any(old.get(k) != new.get(k) for k in rest):
        parts.append("other details changed")
    return f"{name}: " + "; ".join(parts)


def _holidays(spec: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Holiday rules by name; two rules with one name (a school break listed twice) get
    numbered so neither hides the other."""
    result: dict[str, dict[str, Any]] = {}
    rules = spec.get("holidays")
    for index, rule in enumerate(rules if isinstance(rules, list) else []):
        if not isinstance(rule, dict):
            continue
        name = str(rule.get("name") or f"Holiday {index + 1}")
        key, n = name, 2
        while key in result:
            key, n = f"{name} ({n})", n + 1
        result[key] = rule
    return result


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _rotation_value(key: str, value: Any, names: Mapping[str, str]) -> str:
    if key == "anchor":
        return _date_text(value)
    if key == "first":
        return names.get(value, _plain(value)) if isinstance(value, str) else _plain(value)
    return _plain(value)


def spec_changes(
    before: Mapping[str, Any], after: Mapping[str, Any], names: Mapping[str, str]
) -> list[str]:
    """One line per difference between two plain specs, in a fixed order (settings, the
    rotation, holidays by name, then anything else); an empty list means no change."""
    lines: list[str] = []
    for key in ("timezone", "x-exchange-place"):
        old, new = before.get(key), after.get(key)
        if (old or None) != (new or None):
            label = _TOP_LABELS[key]
            if not old:
                lines.append(f"{label}: {new} (added)")
            elif not new:
                lines.append(f"{label}: {old} (removed)")
            else:
                lines.append(f"{label}: {old} → {new}")
    old_rotation = _mapping(before.get("rotation"))
    new_rotation = _mapping(after.get("rotation"))
    if (before.get("rotation") or None) != (after.get("rotation") or None):
        described = False
        for key, label in _ROTATION_LABELS:
            if old_rotation.get(key) != new_rotation.get(key):
                old_text = _rotation_value(key, old_rotation.get(key), names)
                new_text = _rotation_value(key, new_rotation.get(key), names)
                lines.append(f"{label}: {old_text} → {new_text}")
                described = True
        known = {key for key, _label in _ROTATION_LABELS}
        rest = {k for k in {*old_rotation, *new_rotation} if k not in known}
        if not described or any(old_rotation.get(k) != new_rotation.get(k) for k in rest):
            lines.append("Rotation details: changed")
    old_holidays, new_holidays = _holidays(before), _holidays(after)
    for name, rule in new_holidays.items():
        if name not in old_holidays:
            lines.append(f"{name}: added ({_who(rule.get('parent'), names)})")
        elif old_holidays[name] != rule:
            lines.append(_holiday_changes(name, old_holidays[name], rule, names))
    lines.extend(f"{name}: removed" for name in old_holidays if name not in new_holidays)
    if old_holidays == new_holidays and (before.get("holidays") or None) != (
        after.get("holidays") or None
    ):
        lines.append("Holidays: changed")
    handled = {"timezone", "x-exchange-place", "rotation", "holidays", *_NOT_RULES}
    for key in sorted({*before, *after} - handled):
        if before.get(key) != after.get(key):
            label = _TOP_LABELS.get(key, key.removeprefix("x-").replace("_", " ").capitalize())
            if key not in before:
                lines.append(f"{label}: added")
            elif key not in after:
                lines.append(f"{label}: removed")
            else:
                lines.append(f"{label}: changed")
    return lines
