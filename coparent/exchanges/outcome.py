"""What happened at an exchange, from its planned time, the grace period and the check-ins; and
the time each parent actually had the children. Pure Python: no Django, times in UTC.

Check-ins are facts with server times; every status here is derived from them at read time, so
a schedule change or a late check-in is reflected without rewriting anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from coparent.engine import Exchange, Schedule, Segment, Timeline, timeline_from_segments

ARRIVED = "arrived"
HANDED_OVER = "handed_over"
RECEIVED = "received"
KINDS = (ARRIVED, HANDED_OVER, RECEIVED)
# Not a check-in: a parent's report that the exchange did not happen.
MISSED = "missed"


@dataclass(frozen=True)
class CheckInFact:
    parent: str  # the engine parent id ("A"/"B") of the side that checked in
    kind: str
    at: datetime


@dataclass(frozen=True)
class Outcome:
    # "upcoming", "waiting", "done", "missed" (a parent reported it did not happen),
    # "not_recorded" (its time is past and nobody said anything), "cancelled"
    state: str
    late: tuple[str, ...]  # parent ids who arrived after the grace period
    no_show: tuple[str, ...]  # parent ids the other side's check-in or report shows absent
    handover_at: datetime | None

    @property
    def happened(self) -> bool | None:
        """For the actual-time report: True when the children changed hands, False when the
        record shows they did not, None when nothing says (count it as planned)."""
        if self.handover_at is not None:
            return True
        if self.state == "missed" or self.no_show:
            return False
        return None


def outcome(
    exchange: Exchange | None,
    facts: Iterable[CheckInFact],
    *,
    grace: timedelta,
    now: datetime,
    planned_at: datetime | None = None,
) -> Outcome:
    """`exchange` is None when the schedule no longer has an exchange at `planned_at` (a swap or
    a new version removed it): check-ins made for it stay, and it reads as cancelled.

    Silence is not a no-show: a side is a no-show only when the other side checked in or a
    parent reported the exchange did not happen, and the grace period is over."""
    facts = list(facts)
    if exchange is None:
        return Outcome("cancelled", (), (), None)
    deadline = exchange.at + grace
    handover = [f.at for f in facts if f.kind in (HANDED_OVER, RECEIVED)]
    handover_at = min(handover) if handover else None
    sides = (exchange.from_parent, exchange.to_parent)
    present = [f for f in facts if f.kind in KINDS]
    reported_missed = {f.parent for f in facts if f.kind == MISSED}
    first_seen = {
        side: min((f.at for f in present if f.parent == side), default=None) for side in sides
    }
    late = tuple(
        side for side in sides if (seen := first_seen[side]) is not None and seen > deadline
    )
    if now < exchange.at and not facts:
        return Outcome("upcoming", (), (), None)
    if not facts:
        state = "not_recorded" if now > deadline else "waiting"
        return Outcome(state, (), (), None)

    def spoke(side: str) -> bool:
        return first_seen[side] is not None or side in reported_missed

    no_show = tuple(
        side
        for side in sides
        if now > deadline
        and handover_at is None
        and not spoke(side)
        and any(spoke(other) for other in sides if other != side)
    )
    if handover_at is not None:
        state = "done"
    elif reported_missed:
        state = "missed"
    else:
        state = "waiting"
    return Outcome(state, late, no_show, handover_at)


def actual_segments(
    planned: Sequence[Segment], handovers: dict[datetime, datetime | None]
) -> list[Segment]:
    """The planned segments with each exchange moved to when the children actually changed
    hands. `handovers` maps a planned exchange time to the actual time, or to None when the
    exchange did not happen (the children stayed until the next one that did)."""
    result: list[Segment] = []
    for segment in planned:
        if result and result[-1].parent != segment.parent and segment.start in handovers:
            actual = handovers[segment.start]
            previous = result[-1]
            if actual is None:
                result[-1] = previous._replace(end=segment.end)
                continue
            actual = min(max(actual, previous.start), segment.end)
            result[-1] = previous._replace(end=actual)
            segment = segment._replace(start=actual)
        elif result and result[-1].end != segment.start:
            segment = segment._replace(start=result[-1].end)
        result.append(segment)
    return [s for s in result if s.end > s.start]


def actual_timeline(
    schedule: Schedule, planned: Timeline, handovers: dict[datetime, datetime | None]
) -> Timeline:
    return timeline_from_segments(
        schedule, planned.start, planned.end, actual_segments(planned.segments, handovers)
    )
