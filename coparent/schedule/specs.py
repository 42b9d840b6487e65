"""Between stored rows and the engine: checking proposed specs, building a plan's versioned spec
from its agreed versions and accepted swaps, and the builder's spec from form choices."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from coparent.core.errors import ServiceError
from coparent.core.inputs import json_text_problem
from coparent.engine import COMMON_HOLIDAYS, Schedule, SpecError, parse_spec
from coparent.schedule.models import PARENT_IDS, Plan, ScheduleVersion, SwapRequest

# Keys whose values name a parent, wherever they appear in a spec.
_PARENT_KEYS = {"first", "parent", "even", "odd", "first_half", "second_half", "default"}
_TOP_LEVEL = {"timezone", "parents", "night_check", "day_rule"}


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


_PARSED: dict[str, Schedule] = {}


def parsed(document: dict[str, Any]) -> Schedule:
    """parse_spec with a small in-process cache: a calendar page asks for the same agreed
    schedule again and again, and parsing years of versions and swaps is the slow part."""
    key = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
    found = _PARSED.get(key)
    if found is None:
        found = parse_spec(document)
        if len(_PARSED) > 256:
            _PARSED.clear()
        _PARSED[key] = found
    return found


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
