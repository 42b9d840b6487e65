"""What an export shows of the plan's record entries: the note a parent wrote with their time
away, with the salt that proves it is the one the record holds. Provisions themselves are
decision entries (subject "plan.<kind>"), disclosed by the decisions app."""

from __future__ import annotations

import uuid

from coparent.plan.models import TimeAway
from coparent.records.disclosure import Disclosure, register_disclosure
from coparent.records.models import LogEntry
from coparent.tlog import decode

KINDS = (
    "plan.time_away_offered",
    "plan.time_away_accepted",
    "plan.time_away_declined",
    "plan.time_away_withdrawn",
    "plan.time_away_expired",
)


def _time_away(entries: list[LogEntry]) -> dict[int, Disclosure]:
    ids: dict[int, uuid.UUID] = {}
    for entry in entries:
        try:
            ids[entry.index] = uuid.UUID(str(decode(bytes(entry.leaf)).fields.get("time_away")))
        except ValueError:
            continue
    if not ids:
        return {}
    found = {
        a.public_id: a
        for a in TimeAway.objects.filter(family_id=entries[0].family_id, public_id__in=ids.values())
    }
    result = {}
    for index, public_id in ids.items():
        away = found.get(public_id)
        if away is not None:
            result[index] = Disclosure(
                content=away.note.encode("utf-8"), salt=bytes(away.note_salt)
            )
    return result


for _kind in KINDS:
    register_disclosure(_kind)(_time_away)
