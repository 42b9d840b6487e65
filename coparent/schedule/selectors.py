"""Reads for schedules: which plans a member may see, each plan's agreed schedule, calendar days,
the "right now" summary, the parenting-time report and the lists of versions, swaps and events.

Every function takes the family explicitly, so no query can leave it. A child's account sees only
the plan that covers that child and the events about that child.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coparent.engine import Schedule, Segment, Timeline, exchanges, window
from coparent.families.models import Child, Family, Membership, Role
from coparent.schedule.layers import CalendarNote, calendar_notes
from coparent.schedule.models import (
    Event,
    FeedToken,
    Plan,
    ScheduleVersion,
    SwapRequest,
    SwapStatus,
    VersionStatus,
)
from coparent.schedule.specs import parsed, plan_document

# Overnight thresholds that matter somewhere (per 365 nights); see docs/schedule.md.
THRESHOLDS: tuple[tuple[int, Any], ...] = (
    (90, gettext_lazy("90 overnights")),
    (92, gettext_lazy("92 overnights")),
    (104, gettext_lazy("104 overnights (28%)")),
    (146, gettext_lazy("146 overnights (40%)")),
    (147, gettext_lazy("147 overnights (40%)")),
    (183, gettext_lazy("183 overnights (50%)")),
)


def plan_queryset(family: Family) -> QuerySet[Plan]:
    return Plan.objects.filter(family=family).select_related(
        "child", "parent_a__user", "parent_b__user"
    )


def plan_list(family: Family, membership: Membership | None = None) -> list[Plan]:
    """The plans a member may see: all of them, or for a child's account only theirs."""
    plans = list(plan_queryset(family))
    if membership is not None and membership.role == Role.CHILD:
        child_id = membership.child_id
        own = [p for p in plans if p.child_id == child_id]
        return own or [p for p in plans if p.child_id is None]
    return plans


def plan_get(family: Family, membership: Membership, plan_id: object) -> Plan:
    """One plan the member may see (a child's account sees only its own), or 404."""
    plan = next(
        (p for p in plan_list(family, membership) if str(p.public_id) == str(plan_id)), None
    )
    if plan is None:
        raise Http404
    return plan


def plan_children(family: Family, plans: list[Plan]) -> dict[int, list[Child]]:
    """{plan pk: children it covers}: a child with a plan of their own follows it, the others
    follow the shared plan."""
    children = list(Child.objects.filter(family=family))
    # Who follows which plan is decided over all the family's plans, even when the caller sees
    # only some (a child's account): a sibling with a plan of their own is not on the shared one.
    with_own_plan = set(
        Plan.objects.filter(family=family, child__isnull=False).values_list("child_id", flat=True)
    )
    own = {p.child_id: p for p in plans if p.child_id}
    shared = next((p for p in plans if p.child_id is None), None)
    result: dict[int, list[Child]] = {p.pk: [] for p in plans}
    children = [c for c in children if c.pk in own or c.pk not in with_own_plan]
    for child in children:
        plan = own.get(child.pk) or shared
        if plan is not None:
            result[plan.pk].append(child)
    return result


def parent_names(plan: Plan) -> dict[str, str]:
    return {"A": plan.parent_a.user.display_name, "B": plan.parent_b.user.display_name}


def plan_label(plan: Plan) -> str:
    return plan.child.first_name if plan.child else _("All children")


# Swaps are loaded for the window a page shows, widened by this much: a timeline asks the
# schedule about the nights at its edges, and `responsible_at` looks a week either side.
SWAP_MARGIN = dt.timedelta(days=8)


def agreed_versions(plan: Plan) -> list[ScheduleVersion]:
    return list(ScheduleVersion.objects.filter(plan=plan, status=VersionStatus.ACCEPTED))


def accepted_swaps(
    plan: Plan, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> list[SwapRequest]:
    """The plan's accepted swaps; with a window, only those (or their offer back) that touch it,
    found through the (plan, status, end, start) indexes whatever the plan's history."""
    swaps = SwapRequest.objects.filter(plan=plan, status=SwapStatus.ACCEPTED)
    if start is not None and end is not None:
        swaps = swaps.filter(
            Q(end_at__gt=start, start_at__lt=end)
            | Q(offer_end_at__gt=start, offer_start_at__lt=end)
        )
    return list(swaps.order_by("pk"))


def plan_export(plan: Plan) -> dict[str, Any] | None:
    """The agreed schedule as a versioned spec, with parent names for the reader."""
    return plan_document(
        plan, agreed_versions(plan), accepted_swaps(plan), names=parent_names(plan)
    )


def plan_schedule(
    plan: Plan,
    *,
    day_rule: str | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    versions: list[ScheduleVersion] | None = None,
) -> Schedule | None:
    """The plan's agreed schedule. Given a window, it carries only the swaps near it, so it is
    exact for timelines inside [start, end) and costs the same at any age of the family.
    `versions` are the plan's agreed versions when the caller has read them already."""
    if start is not None and end is not None:
        swaps = accepted_swaps(plan, start - SWAP_MARGIN, end + SWAP_MARGIN)
    else:
        swaps = accepted_swaps(plan)
    if versions is None:
        versions = agreed_versions(plan)
    if not versions:
        return None
    # Agreed versions and accepted swaps are never edited (a change is a new row or a new
    # status), so their public ids are an exact key for the parsed schedule.
    key = (
        plan.public_id,
        plan.parent_a.user_id,
        tuple(v.public_id for v in versions),
        tuple(s.public_id for s in swaps),
    )
    schedule = parsed(key, lambda: plan_document(plan, versions, swaps))
    return replace(schedule, day_rule=day_rule) if day_rule else schedule


def current_spec(
    plan: Plan, versions: list[ScheduleVersion] | None = None
) -> dict[str, Any] | None:
    """The spec of the version that governs now (for the builder's starting values)."""
    now = timezone.now()
    versions = sorted(
        agreed_versions(plan) if versions is None else versions,
        key=lambda v: (v.effective_at is not None, v.effective_at),
    )
    current = None
    for i, version in enumerate(versions):
        if i == 0 or (version.effective_at and version.effective_at <= now):
            current = version
    return current.spec if current else None


def version_list(family: Family, plan: Plan | None = None) -> QuerySet[ScheduleVersion]:
    versions = ScheduleVersion.objects.filter(family=family).select_related(
        "plan__child", "proposed_by", "decided_by"
    )
    return versions.filter(plan=plan) if plan else versions


def swap_list(family: Family, plans: list[Plan] | None = None) -> QuerySet[SwapRequest]:
    swaps = SwapRequest.objects.filter(family=family).select_related(
        "plan__child",
        "plan__parent_a__user",
        "plan__parent_b__user",
        "requested_by",
        "decided_by",
        "counter_of",
    )
    return swaps.filter(plan__in=plans) if plans is not None else swaps


def swaps_to_answer(family: Family, user: Any, now: dt.datetime) -> QuerySet[SwapRequest]:
    """Requests someone else made that are still open for an answer."""
    return SwapRequest.objects.filter(
        family=family, status=SwapStatus.PENDING, respond_by__gt=now
    ).exclude(requested_by=user)


def has_agreed_schedule(family: Family) -> bool:
    return ScheduleVersion.objects.filter(family=family, status=VersionStatus.ACCEPTED).exists()


def event_list(
    family: Family,
    membership: Membership | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> QuerySet[Event]:
    events = Event.objects.filter(family=family).prefetch_related(
        "children", Prefetch("attendees", queryset=Membership.objects.select_related("user"))
    )
    if start is not None:
        events = events.filter(ends_at__gt=start)
    if end is not None:
        events = events.filter(starts_at__lt=end)
    if membership is not None and membership.role == Role.CHILD:
        events = events.filter(Q(children=membership.child_id)).distinct()
    return events


def feed_token_active(family: Family, user: Any) -> FeedToken | None:
    return FeedToken.objects.filter(family=family, user=user, revoked_at__isnull=True).first()


def feed_token_lookup(token_hash: str) -> FeedToken | None:
    """The active feed link with this hash whose owner still belongs to the family."""
    found = (
        FeedToken.objects.select_related("family", "user")
        .filter(token_hash=token_hash, revoked_at__isnull=True)
        .first()
    )
    if found is None:
        return None
    active = Membership.objects.active().filter(family=found.family, user=found.user).first()
    return found if active else None


# ---- the calendar ----------------------------------------------------------------------------


def source_label(source: str) -> tuple[str, str]:
    """(kind, label) for a segment source: holidays and swaps are shown on the calendar."""
    kind, _sep, name = source.partition(":")
    if kind == "holiday":
        return "holiday", name
    if kind == "swap":
        return "swap", _("Swap")
    if kind == "override":
        return "override", name
    if kind == "recurring":
        return "recurring", name
    return kind, ""


@dataclass
class PlanDay:
    plan: Plan
    label: str
    night_parent: str | None
    night_name: str


@dataclass
class ExchangeItem:
    at: dt.datetime
    from_name: str
    to_name: str
    to_parent: str
    place: str
    label: str
    plan: Plan


@dataclass
class CalendarDay:
    date: dt.date
    in_month: bool = True
    is_today: bool = False
    plans: list[PlanDay] = field(default_factory=list)
    exchanges: list[ExchangeItem] = field(default_factory=list)
    specials: list[tuple[str, str]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    notes: list[CalendarNote] = field(default_factory=list)  # from other apps' layers

    @property
    def quiet(self) -> bool:
        return not (self.exchanges or self.specials or self.events or self.notes)


@dataclass
class Calendar:
    days: list[CalendarDay]
    plans: list[Plan]
    names: dict[int, dict[str, str]]
    governing_zones: list[str]
    viewer_zone: str
    missing: bool  # no agreed schedule yet

    @property
    def zone_differs(self) -> bool:
        return any(z != self.viewer_zone for z in self.governing_zones)

    @property
    def multiple_plans(self) -> bool:
        return len(self.plans) > 1


def _local_dates(start: dt.datetime, end: dt.datetime, zone: dt.tzinfo) -> list[dt.date]:
    first = start.astimezone(zone).date()
    last = (end - dt.timedelta(microseconds=1)).astimezone(zone).date()
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _timeline(
    plan: Plan, start: dt.datetime, end: dt.datetime, versions: list[ScheduleVersion]
) -> Timeline | None:
    schedule = plan_schedule(plan, start=start, end=end, versions=versions)
    return schedule.timeline(start, end) if schedule else None


def calendar(
    family: Family,
    membership: Membership,
    first: dt.date,
    last: dt.date,
    *,
    month: int | None = None,
) -> Calendar:
    """Days first..last (inclusive) in the viewer's zone, with the night's parent per plan,
    exchanges, holidays and swaps, and events."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time(), tzinfo=zone).astimezone(dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=zone).astimezone(
        dt.UTC
    )
    plans = plan_list(family, membership)
    today = timezone.localdate()
    days = {
        d: CalendarDay(d, in_month=month is None or d.month == month, is_today=d == today)
        for d in _local_dates(start, end, zone)
    }
    # A day longer on each side: the last night's check time may fall after the last local
    # midnight when the viewer's zone is ahead of the schedule's.
    versions = {plan.pk: agreed_versions(plan) for plan in plans}
    timelines = {
        plan.pk: _timeline(
            plan, start - dt.timedelta(days=1), end + dt.timedelta(days=1), versions[plan.pk]
        )
        for plan in plans
    }
    names = {p.pk: parent_names(p) for p in plans}
    covered = plan_children(family, plans) if len(plans) > 1 else {}
    zones: list[str] = []
    for plan in plans:
        timeline = timelines[plan.pk]
        if timeline is None:
            continue
        zones.append(timeline.schedule.timezone)
        plan_names = names[plan.pk]
        label = ", ".join(c.first_name for c in covered.get(plan.pk, [])) or plan_label(plan)
        nights = {night.date: night.parent for night in timeline.nights}
        place = current_place(plan, versions[plan.pk])
        for day in days.values():
            parent = nights.get(day.date)
            day.plans.append(
                PlanDay(plan, label, parent, plan_names.get(parent, "") if parent else "")
            )
        for exchange in exchanges(timeline):
            local = exchange.at.astimezone(zone)
            if local.date() in days:
                days[local.date()].exchanges.append(
                    ExchangeItem(
                        local,
                        plan_names[exchange.from_parent],
                        plan_names[exchange.to_parent],
                        exchange.to_parent,
                        place,
                        label,
                        plan,
                    )
                )
        _add_specials(days, timeline.segments, zone)
    for event in event_list(family, membership, start, end):
        for date in _local_dates(max(event.starts_at, start), min(event.ends_at, end), zone):
            if date in days:
                days[date].events.append(event)
    for note in calendar_notes(family, membership, start, end, zone):
        if note.starts_at.date() in days:
            days[note.starts_at.date()].notes.append(note)
    return Calendar(
        list(days.values()),
        plans,
        names,
        sorted(set(zones)),
        str(zone),
        missing=not zones,
    )


def _add_specials(
    days: dict[dt.date, CalendarDay], segments: tuple[Segment, ...], zone: dt.tzinfo
) -> None:
    for segment in segments:
        kind, label = source_label(segment.source)
        if not label:
            continue
        for date in _local_dates(segment.start, segment.end, zone):
            if date in days and (kind, label) not in days[date].specials:
                days[date].specials.append((kind, label))


def current_place(plan: Plan, versions: list[ScheduleVersion] | None = None) -> str:
    spec = current_spec(plan, versions) or {}
    return str(spec.get("x-exchange-place", ""))


def month_grid(year: int, month: int) -> tuple[dt.date, dt.date]:
    """Monday before the 1st to the Sunday after the last day."""
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    last = following - dt.timedelta(days=1)
    return first - dt.timedelta(days=first.weekday()), last + dt.timedelta(days=6 - last.weekday())


# ---- right now --------------------------------------------------------------------------------


@dataclass
class NowLine:
    plan: Plan
    label: str
    parent: str
    name: str
    until: dt.datetime | None
    next_to: str
    place: str


def right_now(family: Family, membership: Membership) -> list[NowLine]:
    """Who has the children now and the next exchange, per visible plan with a schedule."""
    now = timezone.now()
    lines = []
    plans = plan_list(family, membership)
    covered = plan_children(family, plans)
    for plan in plans:
        versions = agreed_versions(plan)
        schedule = plan_schedule(
            plan, start=now, end=now + dt.timedelta(days=62), versions=versions
        )
        if schedule is None:
            continue
        timeline = schedule.timeline(now, now + dt.timedelta(days=62))
        names = parent_names(plan)
        current = timeline.segments[0]
        upcoming = exchanges(timeline)
        following = upcoming[0] if upcoming else None
        lines.append(
            NowLine(
                plan,
                ", ".join(c.first_name for c in covered.get(plan.pk, [])) or _("The children"),
                current.parent,
                names[current.parent],
                following.at if following else None,
                names[following.to_parent] if following else "",
                current_place(plan, versions),
            )
        )
    return lines


# ---- parenting-time report ----------------------------------------------------------------------


@dataclass
class ReportRow:
    parent: str
    name: str
    overnights: int
    overnights_percent: float
    hours: float
    hours_percent: float
    days: float
    thresholds: list[tuple[str, float, bool]]


@dataclass
class ReportSection:
    plan: Plan
    children: list[Child]
    label: str
    timezone: str
    nights: int
    rows: list[ReportRow]


def report(
    family: Family, membership: Membership, first: dt.date, last: dt.date, rule: str
) -> list[ReportSection]:
    """Planned parenting time from `first` 00:00 to `last` 00:00 (exclusive) in each plan's
    zone, with the thresholds scaled to the period's number of nights."""
    plans = plan_list(family, membership)
    covered = plan_children(family, plans)
    sections = []
    for plan in plans:
        schedule = plan_schedule(plan, day_rule=rule)
        if schedule is None:
            continue
        start, end = window(schedule, first, last)
        timeline = schedule.timeline(start, end)
        summary = timeline.summary()
        nights = len(timeline.nights)
        names = parent_names(plan)
        rows = []
        for parent, counts in summary.items():
            scaled = [
                (
                    str(label),
                    round(value * nights / 365, 1),
                    counts.overnights >= value * nights / 365,
                )
                for value, label in THRESHOLDS
            ]
            rows.append(
                ReportRow(
                    parent,
                    names[parent],
                    counts.overnights,
                    counts.overnights_percent,
                    counts.hours,
                    counts.hours_percent,
                    counts.days,
                    scaled,
                )
            )
        children = covered.get(plan.pk, [])
        sections.append(
            ReportSection(
                plan,
                children,
                ", ".join(c.first_name for c in children) or plan_label(plan),
                schedule.timezone,
                nights,
                rows,
            )
        )
    return sections


def zone_of(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)
