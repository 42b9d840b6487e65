"""The schedule spec: typed rules parsed from JSON by `parse_spec`, written by `spec_to_json`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule as rrule_lib

from coparent.engine.localtime import wall_to_utc
from coparent.engine.public_holidays import holidays_by_name, match_holiday_name
from coparent.engine.rules import (
    Assignment,
    ByYear,
    DateRule,
    DayTime,
    EasterDate,
    ExplicitDates,
    FixedDate,
    Holiday,
    NthWeekday,
    ParentRule,
    Period,
    Periods,
    Plan,
    PublicHoliday,
    Recurring,
    Rotation,
    ScheduleRules,
    Split,
    Version,
)
from coparent.engine.templates import TEMPLATES, normalise_template_name
from coparent.engine.timeline import Timeline, compute_timeline


class SpecError(ValueError):
    """An invalid spec; the message is one line and names the offending field."""


WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_RULES = ("tennessee", "arizona")
DEFAULT_RRULE_START = date(2000, 1, 1)
# The dates a spec may name (the project's range, as core.inputs): beyond them the engine's date
# arithmetic overflows, and no calendar shows them.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2200, 12, 31)


@dataclass(frozen=True)
class Schedule(ScheduleRules):
    """A child's schedule as parsed from a spec; `timeline` computes who has the child when."""

    def timeline(self, start: datetime, end: datetime) -> Timeline:
        return compute_timeline(self, start, end)


# ---- parsing -----------------------------------------------------------------------------------

_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_PLAN_KEYS = {"rotation", "default", "recurring", "holidays", "overrides", "swaps"}
_SCHEDULE_KEYS = {"timezone", "parents", "night_check", "day_rule"}
_FREE_KEYS = {"$schema", "name", "description"}


def _fail(where: str, message: str) -> SpecError:
    return SpecError(f"{where}: {message}" if where else message)


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(where, "must be an object")
    return value


def _check_keys(data: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(key for key in data if key not in allowed and not key.startswith("x-"))
    if unknown:
        raise _fail(where, f"unknown field {unknown[0]!r}")


def _required(data: dict[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise _fail(where, f"missing field {key!r}")
    return data[key]


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, "must be a non-empty string")
    return value


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(where, "must be an integer")
    if abs(value) > 10_000:  # day offsets: farther, date arithmetic overflows
        raise _fail(where, "must be between -10000 and 10000")
    return value


def _time(value: Any, where: str) -> time:
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        raise _fail(where, f"must be a time 'HH:MM' (24-hour), got {value!r}")
    return time(int(value[:2]), int(value[3:]))


def _in_range(day: date, where: str) -> None:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise _fail(where, f"must be between {FIRST_DAY} and {LAST_DAY}, got {day}")


def _date(value: Any, where: str) -> date:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            pass
        else:
            _in_range(parsed, where)
            return parsed
    raise _fail(where, f"must be a date 'YYYY-MM-DD', got {value!r}")


def _datetime(value: Any, where: str) -> datetime:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?.*", value):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            _in_range(parsed.date(), where)
            return parsed
    raise _fail(where, f"must be a datetime 'YYYY-MM-DDTHH:MM' (optional offset), got {value!r}")


def _parent(value: Any, parents: tuple[str, ...], where: str) -> str:
    if not isinstance(value, str):
        raise _fail(where, "must be a parent id")
    if value not in parents:
        raise _fail(where, f"parent {value!r} is not declared in 'parents'")
    return value


def _assignment(value: Any, parents: tuple[str, ...], where: str) -> Assignment:
    if isinstance(value, dict):
        _check_keys(value, {"even", "odd"}, where)
        return ByYear(
            _parent(_required(value, "even", where), parents, f"{where}.even"),
            _parent(_required(value, "odd", where), parents, f"{where}.odd"),
        )
    return _parent(value, parents, where)


def _other(rule: Assignment, parents: tuple[str, ...], where: str) -> Assignment:
    if len(parents) != 2:
        raise _fail(where, "'second_half' is required when there are not exactly two parents")

    def swap(parent: str) -> str:
        return parents[1] if parent == parents[0] else parents[0]

    return swap(rule) if isinstance(rule, str) else ByYear(swap(rule.even), swap(rule.odd))


def _parent_rule(value: Any, parents: tuple[str, ...], where: str) -> ParentRule:
    if isinstance(value, dict) and "split" in value:
        _check_keys(value, {"split", "first_half", "second_half"}, where)
        first = _assignment(_required(value, "first_half", where), parents, f"{where}.first_half")
        second = (
            _assignment(value["second_half"], parents, f"{where}.second_half")
            if "second_half" in value
            else _other(first, parents, where)
        )
        return Split(_day_time(value["split"], f"{where}.split"), first, second)
    return _assignment(value, parents, where)


def _day_time(value: Any, where: str) -> DayTime:
    data = _object(value, where)
    _check_keys(data, {"days", "time"}, where)
    return DayTime(
        _int(data.get("days", 0), f"{where}.days"),
        _time(_required(data, "time", where), f"{where}.time"),
    )


def _period(value: Any, kind: str, parents: tuple[str, ...], where: str, zone: ZoneInfo) -> Period:
    data = _object(value, where)
    _check_keys(data, {"start", "end", "parent", "name", "id"}, where)
    start = _datetime(_required(data, "start", where), f"{where}.start")
    end = _datetime(_required(data, "end", where), f"{where}.end")
    if wall_to_utc(end, zone) <= wall_to_utc(start, zone):
        raise _fail(where, "end must be after start")
    parent = _parent(_required(data, "parent", where), parents, f"{where}.parent")
    if kind == "swap":
        swap_id = _required(data, "id", where)
        if not isinstance(swap_id, str | int) or isinstance(swap_id, bool):
            raise _fail(f"{where}.id", "must be a string or an integer")
        name = _text(data.get("name", f"swap {swap_id}"), f"{where}.name")
        return Period(kind, start, end, parent, name, str(swap_id))
    return Period(kind, start, end, parent, _text(data.get("name", "override"), f"{where}.name"))


def _rotation(value: Any, parents: tuple[str, ...], where: str) -> Rotation:
    data = _object(value, where)
    _check_keys(data, {"template", "pattern", "anchor", "first", "exchange_time", "letters"}, where)
    template: str | None = None
    if "template" in data and "pattern" in data:
        raise _fail(where, "give either 'template' or 'pattern', not both")
    if "template" in data:
        name = _text(data["template"], f"{where}.template")
        template = normalise_template_name(name)
        if template is None:
            known = ", ".join(TEMPLATES)
            raise _fail(f"{where}.template", f"unknown template {name!r} (known: {known})")
        pattern = TEMPLATES[template].pattern
    elif "pattern" in data:
        pattern = _text(data["pattern"], f"{where}.pattern").replace(" ", "")
        if not pattern.isalpha():
            raise _fail(f"{where}.pattern", "must be letters only, one per day")
    else:
        raise _fail(where, "missing field 'template' or 'pattern'")
    first = _parent(_required(data, "first", where), parents, f"{where}.first")
    letters_in_order = list(dict.fromkeys(pattern))
    if "letters" in data:
        mapping = _object(data["letters"], f"{where}.letters")
        letters = tuple(
            (letter, _parent(mapping.get(letter), parents, f"{where}.letters.{letter}"))
            for letter in letters_in_order
        )
        if any(key not in letters_in_order for key in mapping):
            raise _fail(f"{where}.letters", "maps a letter the pattern does not use")
    else:
        others = [parent for parent in parents if parent != first]
        if len(letters_in_order) > len(parents):
            raise _fail(
                f"{where}.pattern",
                f"uses {len(letters_in_order)} letters but {len(parents)} parents are declared",
            )
        letters = tuple(zip(letters_in_order, [first, *others], strict=False))
    return Rotation(
        pattern=pattern,
        anchor=_date(_required(data, "anchor", where), f"{where}.anchor"),
        first=first,
        exchange_time=_time(data.get("exchange_time", "18:00"), f"{where}.exchange_time"),
        template=template,
        letters=letters,
    )


def _recurring(value: Any, parents: tuple[str, ...], where: str) -> Recurring:
    data = _object(value, where)
    _check_keys(data, {"rrule", "start_time", "end", "parent", "name", "dtstart"}, where)
    text = _text(_required(data, "rrule", where), f"{where}.rrule").strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if "DTSTART" in text.upper() or "\n" in text:
        raise _fail(f"{where}.rrule", "give one RRULE line; put the first date in 'dtstart'")
    freq = re.search(r"FREQ=([A-Z]+)", text.upper())
    if freq and freq.group(1) in {"HOURLY", "MINUTELY", "SECONDLY"}:
        raise _fail(f"{where}.rrule", "FREQ must be DAILY or coarser")
    dtstart = _date(data["dtstart"], f"{where}.dtstart") if "dtstart" in data else None
    first_day = dtstart or DEFAULT_RRULE_START
    try:
        # Naive on purpose: occurrences are local calendar dates, times are applied afterwards.
        rule = rrule_lib.rrulestr(text, dtstart=datetime.combine(first_day, time()))
    except (ValueError, TypeError, IndexError, KeyError) as error:
        raise _fail(f"{where}.rrule", f"bad RRULE {text!r} ({error})") from None
    if not isinstance(rule, rrule_lib.rrule):
        raise _fail(f"{where}.rrule", f"bad RRULE {text!r}")
    start_time = _time(_required(data, "start_time", where), f"{where}.start_time")
    end = _day_time(_required(data, "end", where), f"{where}.end")
    if (end.days, end.time) <= (0, start_time):
        raise _fail(where, "end must be after start")
    return Recurring(
        name=_text(data.get("name", "recurring"), f"{where}.name"),
        rrule=text,
        start_time=start_time,
        end=end,
        parent=_assignment(_required(data, "parent", where), parents, f"{where}.parent"),
        dtstart=dtstart,
        rule=rule,
    )


def _month(data: dict[str, Any], where: str) -> int:
    month = _int(_required(data, "month", where), f"{where}.month")
    if not 1 <= month <= 12:
        raise _fail(f"{where}.month", "must be 1-12")
    return month


def _date_rule(value: Any, where: str) -> DateRule:
    data = _object(value, where)
    if "easter" in data:
        _check_keys(data, {"easter", "method"}, where)
        method = data.get("method", "western")
        if method not in ("western", "orthodox"):
            raise _fail(f"{where}.method", "must be 'western' or 'orthodox'")
        return EasterDate(_int(data["easter"], f"{where}.easter"), method)
    if "public" in data:
        _check_keys(data, {"public", "subdiv", "holiday"}, where)
        country = _text(data["public"], f"{where}.public")
        subdiv = _text(data["subdiv"], f"{where}.subdiv") if "subdiv" in data else None
        holiday = _text(_required(data, "holiday", where), f"{where}.holiday")
        try:
            known = holidays_by_name(country, subdiv, range(2024, 2031))
        except NotImplementedError:
            raise _fail(f"{where}.public", f"unknown country or subdivision {country!r}") from None
        names = {name for by_name in known.values() for name in by_name}
        if match_holiday_name(holiday, names) is None:
            raise _fail(f"{where}.holiday", f"no single holiday named {holiday!r} in {country}")
        return PublicHoliday(country, subdiv, holiday)
    if "dates" in data:
        _check_keys(data, {"dates"}, where)
        items = data["dates"]
        if not isinstance(items, list) or not items:
            raise _fail(f"{where}.dates", "must be a non-empty list of dates")
        return ExplicitDates(
            tuple(_date(item, f"{where}.dates[{i}]") for i, item in enumerate(items))
        )
    if "periods" in data:
        _check_keys(data, {"periods"}, where)
        items = data["periods"]
        if not isinstance(items, list) or not items:
            raise _fail(f"{where}.periods", "must be a non-empty list of periods")
        periods = []
        for i, item in enumerate(items):
            item_where = f"{where}.periods[{i}]"
            period = _object(item, item_where)
            _check_keys(period, {"first", "last"}, item_where)
            first = _date(_required(period, "first", item_where), f"{item_where}.first")
            last = _date(_required(period, "last", item_where), f"{item_where}.last")
            if last < first:
                raise _fail(item_where, "last must not be before first")
            periods.append((first, last))
        return Periods(tuple(periods))
    if "weekday" in data:
        _check_keys(data, {"month", "weekday", "nth"}, where)
        weekday = data["weekday"]
        if weekday not in WEEKDAYS:
            raise _fail(f"{where}.weekday", f"must be one of {', '.join(WEEKDAYS)}")
        nth = _int(_required(data, "nth", where), f"{where}.nth")
        if nth == 0 or not -5 <= nth <= 5:
            raise _fail(f"{where}.nth", "must be 1-5 or -1 (last) to -5")
        return NthWeekday(_month(data, where), WEEKDAYS.index(weekday), nth)
    if "day" in data:
        _check_keys(data, {"month", "day"}, where)
        month = _month(data, where)
        day = _int(data["day"], f"{where}.day")
        try:
            date(2000, month, day)  # a leap year, so 29 February is allowed
        except ValueError:
            raise _fail(where, f"no day {day} in month {month}") from None
        return FixedDate(month, day)
    raise _fail(where, "must have 'day', 'weekday', 'easter', 'public', 'dates' or 'periods'")


def _holiday(value: Any, parents: tuple[str, ...], where: str) -> Holiday:
    data = _object(value, where)
    _check_keys(data, {"name", "date", "start", "end", "parent"}, where)
    name = _text(_required(data, "name", where), f"{where}.name")
    start = _day_time(data.get("start", {"days": 0, "time": "00:00"}), f"{where}.start")
    end = _day_time(data.get("end", {"days": 1, "time": "00:00"}), f"{where}.end")
    rule = _date_rule(_required(data, "date", where), f"{where}.date")
    # Periods anchor `end` on their last day, so only the offsets of one-day rules compare here.
    if not isinstance(rule, Periods) and (end.days, end.time) <= (start.days, start.time):
        raise _fail(where, "end must be after start")
    parent = _parent_rule(_required(data, "parent", where), parents, f"{where}.parent")
    if isinstance(parent, Split) and not (
        (start.days, start.time) < (parent.at.days, parent.at.time) < (end.days, end.time)
    ):
        raise _fail(f"{where}.parent.split", "must fall between start and end")
    return Holiday(name, rule, start, end, parent)


def _list(data: dict[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise _fail(f"{where}{key}", "must be a list")
    return value


def _plan(data: dict[str, Any], parents: tuple[str, ...], zone: ZoneInfo, where: str) -> Plan:
    rotation = (
        _rotation(data["rotation"], parents, f"{where}rotation") if "rotation" in data else None
    )
    default = _parent(data["default"], parents, f"{where}default") if "default" in data else None
    if rotation is None and default is None:
        raise _fail(where.rstrip("."), "needs a 'rotation' or a 'default' parent")
    return Plan(
        rotation=rotation,
        default=default,
        recurring=tuple(
            _recurring(item, parents, f"{where}recurring[{i}]")
            for i, item in enumerate(_list(data, "recurring", where))
        ),
        holidays=tuple(
            _holiday(item, parents, f"{where}holidays[{i}]")
            for i, item in enumerate(_list(data, "holidays", where))
        ),
        overrides=tuple(
            _period(item, "override", parents, f"{where}overrides[{i}]", zone)
            for i, item in enumerate(_list(data, "overrides", where))
        ),
        swaps=tuple(
            _period(item, "swap", parents, f"{where}swaps[{i}]", zone)
            for i, item in enumerate(_list(data, "swaps", where))
        ),
    )


def _zone(value: Any) -> tuple[str, ZoneInfo]:
    name = _text(value, "timezone")
    try:
        return name, ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail("timezone", f"unknown IANA time zone {name!r}") from None


def parse_spec(data: Any) -> Schedule:
    """A `Schedule` from a decoded JSON spec (plain or versioned); raises `SpecError`."""
    data = _object(data, "spec")
    versioned = "versions" in data
    allowed = (
        _SCHEDULE_KEYS
        | _FREE_KEYS
        | ({"versions", "overrides", "swaps"} if versioned else _PLAN_KEYS)
    )
    _check_keys(data, allowed, "spec")
    timezone, zone = _zone(_required(data, "timezone", "spec"))
    raw_parents = _required(data, "parents", "spec")
    if (
        not isinstance(raw_parents, list)
        or not raw_parents
        or not all(isinstance(p, str) and p.strip() for p in raw_parents)
    ):
        raise _fail("parents", "must be a non-empty list of parent ids")
    if len(set(raw_parents)) != len(raw_parents):
        raise _fail("parents", "ids must be unique")
    parents = tuple(raw_parents)
    night_check = _time(data.get("night_check", "00:00"), "night_check")
    day_rule = data.get("day_rule", "tennessee")
    if day_rule not in DAY_RULES:
        raise _fail("day_rule", f"must be one of {', '.join(DAY_RULES)}")
    if not versioned:
        return Schedule(
            timezone,
            parents,
            night_check,
            day_rule,
            (Version(None, _plan(data, parents, zone, "")),),
        )
    items = data["versions"]
    if not isinstance(items, list) or not items:
        raise _fail("versions", "must be a non-empty list")
    versions: list[Version] = []
    for i, item in enumerate(items):
        where = f"versions[{i}]"
        entry = _object(item, where)
        _check_keys(entry, {"effective", "spec", "name"}, where)
        effective_raw = entry.get("effective")
        if effective_raw is None and i > 0:
            raise _fail(where, "missing field 'effective' (only the first version may omit it)")
        effective = (
            None if effective_raw is None else _datetime(effective_raw, f"{where}.effective")
        )
        spec = _object(_required(entry, "spec", where), f"{where}.spec")
        _check_keys(spec, _PLAN_KEYS | _SCHEDULE_KEYS | _FREE_KEYS, f"{where}.spec")
        for key in _SCHEDULE_KEYS:
            if key in spec and spec[key] != data.get(key, spec[key]):
                raise _fail(f"{where}.spec.{key}", "must match the schedule's top-level value")
        versions.append(Version(effective, _plan(spec, parents, zone, f"{where}.spec.")))
    times = [wall_to_utc(v.effective, zone) for v in versions if v.effective is not None]
    if any(later <= earlier for earlier, later in pairwise(times)):
        raise _fail("versions", "effective datetimes must increase")
    return Schedule(
        timezone,
        parents,
        night_check,
        day_rule,
        tuple(versions),
        overrides=tuple(
            _period(item, "override", parents, f"overrides[{i}]", zone)
            for i, item in enumerate(_list(data, "overrides", ""))
        ),
        swaps=tuple(
            _period(item, "swap", parents, f"swaps[{i}]", zone)
            for i, item in enumerate(_list(data, "swaps", ""))
        ),
        versioned=True,
    )


def parse_spec_text(text: str) -> Schedule:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SpecError(
            f"malformed JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    return parse_spec(data)


def parse_family_spec(data: Any) -> dict[str, Schedule]:
    """{child id: Schedule} from {"children": {child id: spec}}."""
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("children"), dict)
        or not data["children"]
    ):
        raise SpecError("children: must be an object of child id to spec")
    schedules = {}
    for child, spec in data["children"].items():
        try:
            schedules[child] = parse_spec(spec)
        except SpecError as error:
            raise SpecError(f"children.{child}.{error}") from None
    return schedules


# ---- writing -----------------------------------------------------------------------------------


def _time_json(value: time) -> str:
    return value.strftime("%H:%M")


def _datetime_json(value: datetime) -> str:
    return value.isoformat(timespec="minutes" if value.second == 0 else "seconds")


def _day_time_json(value: DayTime) -> dict[str, Any]:
    return {"days": value.days, "time": _time_json(value.time)}


def _assignment_json(value: Assignment) -> Any:
    return value if isinstance(value, str) else {"even": value.even, "odd": value.odd}


def _parent_rule_json(value: ParentRule) -> Any:
    if isinstance(value, Split):
        return {
            "split": _day_time_json(value.at),
            "first_half": _assignment_json(value.first_half),
            "second_half": _assignment_json(value.second_half),
        }
    return _assignment_json(value)


def _date_rule_json(rule: DateRule) -> dict[str, Any]:
    match rule:
        case FixedDate(month, day):
            return {"month": month, "day": day}
        case NthWeekday(month, weekday, nth):
            return {"month": month, "weekday": WEEKDAYS[weekday], "nth": nth}
        case EasterDate(offset, method):
            return {"easter": offset} | ({"method": method} if method != "western" else {})
        case PublicHoliday(country, subdiv, holiday):
            return (
                {"public": country} | ({"subdiv": subdiv} if subdiv else {}) | {"holiday": holiday}
            )
        case ExplicitDates(dates):
            return {"dates": [d.isoformat() for d in dates]}
        case Periods(periods):
            return {
                "periods": [{"first": a.isoformat(), "last": b.isoformat()} for a, b in periods]
            }
    raise AssertionError(rule)


def _period_json(period: Period) -> dict[str, Any]:
    data: dict[str, Any] = {
        "start": _datetime_json(period.start),
        "end": _datetime_json(period.end),
        "parent": period.parent,
        "name": period.name,
    }
    if period.kind == "swap":
        data["id"] = period.id
    return data


def _plan_json(plan: Plan) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if plan.rotation is not None:
        rotation = plan.rotation
        data["rotation"] = (
            {"template": rotation.template}
            if rotation.template
            else {"pattern": rotation.pattern, "letters": dict(rotation.letters)}
        ) | {
            "anchor": rotation.anchor.isoformat(),
            "first": rotation.first,
            "exchange_time": _time_json(rotation.exchange_time),
        }
    if plan.default is not None:
        data["default"] = plan.default
    if plan.recurring:
        data["recurring"] = [
            {
                "name": item.name,
                "rrule": item.rrule,
                "start_time": _time_json(item.start_time),
                "end": _day_time_json(item.end),
                "parent": _assignment_json(item.parent),
            }
            | ({"dtstart": item.dtstart.isoformat()} if item.dtstart else {})
            for item in plan.recurring
        ]
    if plan.holidays:
        data["holidays"] = [
            {
                "name": item.name,
                "date": _date_rule_json(item.date),
                "start": _day_time_json(item.start),
                "end": _day_time_json(item.end),
                "parent": _parent_rule_json(item.parent),
            }
            for item in plan.holidays
        ]
    if plan.overrides:
        data["overrides"] = [_period_json(item) for item in plan.overrides]
    if plan.swaps:
        data["swaps"] = [_period_json(item) for item in plan.swaps]
    return data


def spec_to_json(schedule: Schedule) -> dict[str, Any]:
    """The JSON spec of `schedule`; `parse_spec(spec_to_json(s)) == s`."""
    data: dict[str, Any] = {
        "timezone": schedule.timezone,
        "parents": list(schedule.parents),
        "night_check": _time_json(schedule.night_check),
        "day_rule": schedule.day_rule,
    }
    if not schedule.versioned:
        return data | _plan_json(schedule.versions[0].plan)
    data["versions"] = [
        {
            "effective": None if v.effective is None else _datetime_json(v.effective),
            "spec": _plan_json(v.plan),
        }
        for v in schedule.versions
    ]
    if schedule.overrides:
        data["overrides"] = [_period_json(item) for item in schedule.overrides]
    if schedule.swaps:
        data["swaps"] = [_period_json(item) for item in schedule.swaps]
    return data
