"""Items other apps put on the family calendar (the parenting plan's call windows), so the
calendar shows them without the schedule app knowing those apps. A layer is registered once at
app ready and is called with the calendar's range; it should make a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from coparent.families.models import Family, Membership


@dataclass(frozen=True)
class CalendarNote:
    starts_at: dt.datetime  # in the viewer's zone
    ends_at: dt.datetime | None
    text: str
    kind: str  # a CSS class: what sort of note it is
    link: str = ""


# (family, viewer's membership, start, end (UTC, end excluded), viewer's zone) -> notes
Layer = Callable[[Family, Membership, dt.datetime, dt.datetime, dt.tzinfo], list[CalendarNote]]
_LAYERS: list[Layer] = []


def register_layer(layer: Layer) -> Layer:
    if layer not in _LAYERS:
        _LAYERS.append(layer)
    return layer


def calendar_notes(
    family: Family, membership: Membership, start: dt.datetime, end: dt.datetime, zone: dt.tzinfo
) -> list[CalendarNote]:
    notes: list[CalendarNote] = []
    for layer in _LAYERS:
        notes.extend(layer(family, membership, start, end, zone))
    return sorted(notes, key=lambda note: note.starts_at)
