"""Between stored rows and the engine: checking proposed specs, building a plan's versioned spec
from its agreed versions and accepted swaps, and the builder's spec from form choices."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from django.utils.translation import gettext as _

from coparent.core.errors import ServiceError
from coparent.core.inputs import json_text_problem
from coparent.engine import COMMON_HOLIDAYS, TEMPLATES, Schedule, SpecError, parse_spec
from coparent.schedule.models import PARENT_IDS, Plan, ScheduleVersion, SwapRequest

# Keys whose values name a parent, wherever they appear in a spec.
_PARENT_KEYS = {"first", "parent", "even", "odd", "first_half", "second_half", "default"}
_TOP_LEVEL = {"timezone", "parents", "night_check", "day_rule"}
# The builder's pattern choice that keeps an agreed rotation it cannot show (a custom pattern).
AGREED_ROTATION = "agreed"
TEMPLATE_NAMES = set(TEMPLATES)


def holiday_field_keys(index: int) -> dict[str, str]:
    """The builder form's field names for COMMON_HOLIDAYS[index]."""
    prefix = f"holiday_{index}"
    return {
        "on": prefix,
        "parent": f"{prefix}_parent",
        "start_days": f"{prefix}_start_days",
        "start_time": f"{prefix}_start_time",
        "end_days": f"{prefix}_end_days",
        "end_time": f"{prefix}_end_time",
    }


def _rename(value: Any, names: dict[str, str], key: str | None = None) -> Any:
    if isinstance(value, dict):
        if key == "letters":
            return {letter: names.get(p, p) for letter, p in value.items()}
        return {k: _rename(v, names, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(item, names, key) for item in value]
    if isinstance(value, str) and key in _PARENT_KEYS:
        return names.get(value, value)
    return value


def checked_plain_spec(data: Any) -> dict[str, Any]:
    """A plain (one-version) spec for two parents, with its parent ids renamed to "A" and "B"
    in the order they are declared, or ServiceError(field="spec") with the engine's message."""
    if not isinstance(data, dict):
        raise ServiceError(_("The schedule must be a JSON object."), field="spec")
    problem = json_text_problem(data)
    if problem:
        raise ServiceError(problem, field="spec")
    if "versions" in data or "children" in data:
        raise ServiceError(
            _(
                "Propose one plan at a time: a plain spec, not a versioned or family document. "
                "Agreed versions are kept for you."
            ),
            field="spec",
        )
    try:
        parse_spec(data)
    except SpecError as error:
        raise ServiceError(
            _("The schedule is not valid: %(error)s") % {"error": error}, field="spec"
        ) from None
    parents = data.get("parents")
    if not isinstance(parents, list) or len(parents) != 2:
        raise ServiceError(_("A family schedule names exactly two parents."), field="spec")
    renamed: dict[str, Any] = _rename(data, dict(zip(parents, PARENT_IDS, strict=True)))
    renamed["parents"] = list(PARENT_IDS)
    parse_spec(renamed)
    return renamed


def _plan_fields(spec: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in spec.items() if k not in _TOP_LEVEL and not k.startswith("x-")}


def _utc_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="minutes").replace("+00:00", "Z")


def swap_entries(swap: SwapRequest, requester_id: str) -> list[dict[str, Any]]:
    other = "B" if requester_id == "A" else "A"
    entries = [
        {
            "id": str(swap.public_id),
            "start": _utc_text(swap.start_at),
            "end": _utc_text(swap.end_at),
            "parent": requester_id,
        }
    ]
    if swap.offer_start_at and swap.offer_end_at:
        entries.append(
            {
                "id": str(swap.public_id),
                "name": "offered back",
                "start": _utc_text(swap.offer_start_at),
                "end": _utc_text(swap.offer_end_at),
                "parent": other,
            }
        )
    return entries


def plan_document(
    plan: Plan,
    versions: Iterable[ScheduleVersion],
    swaps: Iterable[SwapRequest],
    *,
    names: dict[str, str] | None = None,
) -> dict[str, Any] | None:
    """The versioned spec of a plan: agreed versions in effective order, accepted swaps on top.
    The same format as `coparent schedule preview`; None until a version is agreed."""
    agreed = sorted(versions, key=lambda v: (v.effective_at is not None, v.effective_at))
    if not agreed:
        return None
    latest = agreed[-1].spec
    document: dict[str, Any] = {
        "timezone": latest["timezone"],
        "parents": list(PARENT_IDS),
        "night_check": latest.get("night_check", "00:00"),
        "day_rule": latest.get("day_rule", "tennessee"),
        "versions": [
            {
                "effective": None
                if v.effective_at is None or i == 0
                else _utc_text(v.effective_at),
                "spec": _plan_fields(v.spec),
            }
            for i, v in enumerate(agreed)
        ],
    }
    entries: list[dict[str, Any]] = []
    for swap in sorted(swaps, key=lambda s: (s.decided_at or s.requested_at, s.pk)):
        requester = "A" if swap.requested_by_id == plan.parent_a.user_id else "B"
        entries.extend(swap_entries(swap, requester))
    if entries:
        document["swaps"] = entries
    if names:
        document["x-parent-names"] = names
    return document


_PARSED: dict[Hashable, Schedule] = {}


def parsed(key: Hashable, document: Callable[[], dict[str, Any] | None]) -> Schedule:
    """parse_spec with a small in-process cache: a calendar page asks for the same agreed
    schedule again and again, and parsing years of versions and swaps is the slow part. `key`
    must name the document exactly; the document is built only when the key is new."""
    found = _PARSED.get(key)
    if found is None:
        built = document()
        if built is None:
            raise ValueError("a plan with agreed versions has a document")
        found = parse_spec(built)
        if len(_PARSED) > 256:
            _PARSED.clear()
        _PARSED[key] = found
    return found


def parsed_spec(document: dict[str, Any]) -> Schedule:
    """`parsed` for a spec that has no cheap name (the builder's preview): keyed on its text."""
    key = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
    return parsed(key, lambda: document)


def builder_spec(
    *,
    timezone: str,
    template: str,
    anchor: dt.date,
    first: str,
    exchange_time: dt.time,
    holidays: list[dict[str, Any]],
    school_periods: list[tuple[dt.date, dt.date, str]],
    exchange_place: str = "",
) -> dict[str, Any]:
    """A plain spec from the builder's choices (parent ids "A"/"B")."""
    wall = exchange_time.strftime("%H:%M")
    spec: dict[str, Any] = {
        "timezone": timezone,
        "parents": list(PARENT_IDS),
        "rotation": {
            "template": template,
            "anchor": anchor.isoformat(),
            "first": first,
            "exchange_time": wall,
        },
    }
    rules = list(holidays)
    for first_day, last_day, name in school_periods:
        rules.append(
            {
                "name": name,
                "date": {
                    "periods": [{"first": first_day.isoformat(), "last": last_day.isoformat()}]
                },
                "start": {"days": 0, "time": wall},
                "end": {"days": 1, "time": wall},
                "parent": {"even": "A", "odd": "B"},
            }
        )
    if rules:
        spec["holidays"] = rules
    if exchange_place:
        spec["x-exchange-place"] = exchange_place
    return spec


def common_holiday_rule(
    index: int,
    *,
    even_parent: str,
    start_days: int,
    start_time: dt.time,
    end_days: int,
    end_time: dt.time,
) -> dict[str, Any]:
    """A COMMON_HOLIDAYS rule with the parent and times the family chose."""
    holiday = COMMON_HOLIDAYS[index]
    other = "B" if even_parent == "A" else "A"
    rule = holiday.as_rule(even_parent, other)
    rule["start"] = {"days": start_days, "time": start_time.strftime("%H:%M")}
    rule["end"] = {"days": end_days, "time": end_time.strftime("%H:%M")}
    return rule


_BUILT_KEYS = {"timezone", "parents", "rotation", "holidays", "x-exchange-place"}
_ROTATION_FIELDS = {"template", "anchor", "first", "exchange_time"}


def _wall(text: Any) -> dt.time | None:
    try:
        return dt.time.fromisoformat(str(text))
    except ValueError:
        return None


def _even_parent(parent: Any) -> Any:
    if isinstance(parent, dict):
        return (parent.get("first_half") or parent).get("even")
    return parent


def _common_holiday_values(rule: Any) -> tuple[int, dict[str, Any]] | None:
    """(index, the builder's values) when `rule` is exactly what the builder would make for a
    COMMON_HOLIDAYS entry; None otherwise (the rule is kept as it is)."""
    if not isinstance(rule, dict):
        return None
    for index, holiday in enumerate(COMMON_HOLIDAYS):
        if holiday.name != rule.get("name"):
            continue
        start, end = rule.get("start") or {}, rule.get("end") or {}
        values = {
            "even_parent": _even_parent(rule.get("parent")),
            "start_days": start.get("days"),
            "start_time": _wall(start.get("time")),
            "end_days": end.get("days"),
            "end_time": _wall(end.get("time")),
        }
        if values["even_parent"] not in PARENT_IDS or None in values.values():
            return None
        try:
            rebuilt = common_holiday_rule(index, **values)
        except (TypeError, ValueError):
            return None
        return (index, values) if rebuilt == rule else None
    return None


def _school_period(rule: Any, wall: dt.time) -> tuple[dt.date, dt.date, str] | None:
    """The builder's school-break line for `rule`, if the builder would make exactly it."""
    if not isinstance(rule, dict):
        return None
    periods = (
        (rule.get("date") or {}).get("periods") if isinstance(rule.get("date"), dict) else None
    )
    if not isinstance(periods, list) or len(periods) != 1 or not isinstance(periods[0], dict):
        return None
    try:
        first = dt.date.fromisoformat(str(periods[0].get("first")))
        last = dt.date.fromisoformat(str(periods[0].get("last")))
    except ValueError:
        return None
    name = str(rule.get("name") or "")
    rebuilt = builder_spec(
        timezone="UTC",
        template="7-7",
        anchor=first,
        first="A",
        exchange_time=wall,
        holidays=[],
        school_periods=[(first, last, name)],
    )["holidays"][0]
    return (first, last, name) if name and rebuilt == rule else None


def builder_values(spec: dict[str, Any]) -> dict[str, Any]:
    """The builder's fields for an agreed plain spec, so a change starts from what was agreed.

    Returns the typed values (as a valid builder form would clean them), plus
    `agreed_rotation` when the rotation is not one of the named templates, `kept_holidays`
    (rules the builder has no fields for) and `kept` (other top-level parts): the builder puts
    those back unchanged, so proposing a small change never drops them."""
    raw = spec.get("rotation")
    rotation: dict[str, Any] = raw if isinstance(raw, dict) else {}
    wall = _wall(rotation.get("exchange_time")) or dt.time(18, 0)
    try:
        anchor = dt.date.fromisoformat(str(rotation.get("anchor")))
    except ValueError:
        anchor = None
    template = rotation.get("template")
    plain_template = set(rotation) <= _ROTATION_FIELDS and template in TEMPLATE_NAMES
    values: dict[str, Any] = {
        "timezone": spec.get("timezone", "UTC"),
        "template": template if plain_template else AGREED_ROTATION,
        "anchor": anchor,
        "first": rotation.get("first", "A") if rotation.get("first") in PARENT_IDS else "A",
        "exchange_time": wall,
        "exchange_place": str(spec.get("x-exchange-place", "")),
        "agreed_rotation": None if plain_template else rotation,
        "kept_holidays": [],
        "kept": {k: v for k, v in spec.items() if k not in _BUILT_KEYS},
    }
    periods = []
    holidays = spec.get("holidays")
    for rule in holidays if isinstance(holidays, list) else []:
        common = _common_holiday_values(rule)
        if common is not None:
            index, found = common
            keys = holiday_field_keys(index)
            values[keys["on"]] = True
            values[keys["parent"]] = found["even_parent"]
            for name in ("start_days", "start_time", "end_days", "end_time"):
                values[keys[name]] = found[name]
            continue
        period = _school_period(rule, wall)
        if period is not None:
            periods.append(period)
        else:
            values["kept_holidays"].append(rule)
    values["periods"] = periods
    values["school_periods"] = "\n".join(f"{a} {b} {name}" for a, b, name in periods)
    return values


def builder_spec_with_kept(
    built: dict[str, Any],
    *,
    agreed_rotation: dict[str, Any] | None,
    kept_holidays: list[Any],
    kept: dict[str, Any],
) -> dict[str, Any]:
    """The builder's spec with the agreed parts it has no fields for put back."""
    spec = dict(built)
    if agreed_rotation is not None and built["rotation"]["template"] == AGREED_ROTATION:
        rotation = dict(agreed_rotation)
        for key in ("anchor", "first", "exchange_time"):
            rotation[key] = built["rotation"][key]
        spec["rotation"] = rotation
    if kept_holidays:
        spec["holidays"] = [*spec.get("holidays", []), *kept_holidays]
    for key, value in kept.items():
        spec.setdefault(key, value)
    return spec
