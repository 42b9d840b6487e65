"""Small builders for engine tests: specs, local instants and lookups on a timeline."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from coparent.engine import Timeline, parse_spec, window

BASE: dict[str, Any] = {
    "timezone": "America/Chicago",
    "parents": ["A", "B"],
    "rotation": {
        "template": "2-2-3",
        "anchor": "2026-01-05",
        "first": "A",
        "exchange_time": "18:00",
    },
}


def make_spec(**fields: Any) -> dict[str, Any]:
    spec = copy.deepcopy(BASE)
    for key, value in fields.items():
        if value is None:
            spec.pop(key, None)
        else:
            spec[key] = value
    return spec


def local(zone: str, *parts: int, fold: int = 0) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(zone), fold=fold)  # type: ignore[misc]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def timeline_for(spec: dict[str, Any], first: date, last: date) -> Timeline:
    schedule = parse_spec(spec)
    return schedule.timeline(*window(schedule, first, last))


def parent_at(timeline: Timeline, instant: datetime) -> str:
    return segment_at(timeline, instant).parent


def source_at(timeline: Timeline, instant: datetime) -> str:
    return segment_at(timeline, instant).source


def segment_at(timeline: Timeline, instant: datetime):  # type: ignore[no-untyped-def]
    found = [s for s in timeline.segments if s.start <= instant < s.end]
    assert len(found) == 1, f"{len(found)} segments cover {instant}"
    return found[0]
