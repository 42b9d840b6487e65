"""Exchanges generated from the schedule, with their agreed terms, check-ins and outcomes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from coparent.engine import Exchange, ParentCounts, Schedule, Timeline, exchanges
from coparent.exchanges.models import CheckIn, ExchangeTerms, ReminderSetting, TermsStatus
from coparent.exchanges.outcome import CheckInFact, Outcome, actual_timeline, outcome
from coparent.families.models import Child, Family, Membership, Role
from coparent.passes.models import PickupPass
from coparent.schedule import selectors as schedule
from coparent.schedule.models import Plan

DEFAULT_GRACE = timedelta(minutes=15)


def current_terms(plan: Plan) -> ExchangeTerms | None:
    return (
        ExchangeTerms.objects.filter(family=plan.family, plan=plan, status=TermsStatus.ACCEPTED)
        .order_by("-decided_at")
        .first()
    )


def pending_terms(plan: Plan) -> ExchangeTerms | None:
    return ExchangeTerms.objects.filter(
        family=plan.family, plan=plan, status=TermsStatus.PROPOSED
    ).first()


def grace_of(terms: ExchangeTerms | None) -> timedelta:
    return timedelta(minutes=terms.grace_minutes) if terms else DEFAULT_GRACE


@dataclass
class ExchangeView:
    plan: Plan
    at: dt.datetime
    from_parent: str
    to_parent: str
    from_member: Membership | None
    to_member: Membership | None
    children: list[Child]
    terms: ExchangeTerms | None
    checkins: list[CheckIn] = field(default_factory=list)
    outcome: Outcome | None = None

    @property
    def timestamp(self) -> int:
        return int(self.at.timestamp())

    def name(self, side: str) -> str:
        member = self.from_member if side == self.from_parent else self.to_member
        return member.user.display_name if member else side

    @property
    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        """When its state reads differently with no one doing anything: it falls due, then just
        after its grace period ends (exchanges/outcome.py compares `now > at + grace`)."""
        return self.at, self.at + grace_of(self.terms) + timedelta(microseconds=1)

    @property
    def late_names(self) -> list[str]:
        return [self.name(side) for side in self.outcome.late] if self.outcome else []

    @property
    def no_show_names(self) -> list[str]:
        return [self.name(side) for side in self.outcome.no_show] if self.outcome else []


def _facts(checkins: list[CheckIn]) -> list[CheckInFact]:
    return [CheckInFact(c.side, c.kind, c.at) for c in checkins]


def exchange_views(
    family: Family,
    membership: Membership,
    start: dt.datetime,
    end: dt.datetime,
    *,
    now: dt.datetime | None = None,
) -> list[ExchangeView]:
    """Every exchange in [start, end) for the plans the member may see, oldest first. Check-ins
    for exchanges the schedule no longer has show up as cancelled exchanges."""
    now = now or timezone.now()
    return _views(family, _plan_windows(family, membership, start, end), now)


@dataclass
class _PlanWindow:
    plan: Plan
    schedule: Schedule
    timeline: Timeline
    children: list[Child]


def _plan_windows(
    family: Family, membership: Membership, start: dt.datetime, end: dt.datetime
) -> list[_PlanWindow]:
    """Each visible plan that has an agreed schedule, with its timeline over the window."""
    plans = schedule.plan_list(family, membership)
    children = schedule.plan_children(family, plans)
    windows = []
    for plan in plans:
        found = schedule.plan_schedule(plan, start=start, end=end)
        if found is not None:
            windows.append(
                _PlanWindow(plan, found, found.timeline(start, end), children.get(plan.pk, []))
            )
    return windows


def _views(family: Family, windows: list[_PlanWindow], now: dt.datetime) -> list[ExchangeView]:
    if not windows:
        return []
    start, end = windows[0].timeline.start, windows[0].timeline.end
    checkins: dict[tuple[int, dt.datetime], list[CheckIn]] = defaultdict(list)
    for checkin in CheckIn.objects.filter(
        family=family,
        plan__in=[w.plan for w in windows],
        exchange_at__gte=start,
        exchange_at__lt=end,
    ).select_related("member__user"):
        checkins[(checkin.plan_id, checkin.exchange_at)].append(checkin)
    views: list[ExchangeView] = []
    for window in windows:
        plan, terms = window.plan, current_terms(window.plan)
        seen = set()
        for exchange in exchanges(window.timeline):
            seen.add(exchange.at)
            rows = checkins[(plan.pk, exchange.at)]
            views.append(_view(plan, exchange, window.children, terms, rows, now))
        for (plan_pk, at), rows in checkins.items():
            if plan_pk == plan.pk and at not in seen:
                ghost = Exchange(at, rows[0].side, rows[0].side)
                view = _view(plan, ghost, window.children, terms, rows, now)
                view.outcome = outcome(None, [], grace=grace_of(terms), now=now)
                views.append(view)
    return sorted(views, key=lambda v: v.at)


def _view(
    plan: Plan,
    exchange: Exchange,
    children: list[Child],
    terms: ExchangeTerms | None,
    rows: list[CheckIn],
    now: dt.datetime,
) -> ExchangeView:
    return ExchangeView(
        plan=plan,
        at=exchange.at,
        from_parent=exchange.from_parent,
        to_parent=exchange.to_parent,
        from_member=plan.membership_for(exchange.from_parent),
        to_member=plan.membership_for(exchange.to_parent),
        children=children,
        terms=terms,
        checkins=rows,
        outcome=outcome(exchange, _facts(rows), grace=grace_of(terms), now=now),
    )


def exchange_get(
    family: Family, membership: Membership, plan: Plan, at: dt.datetime
) -> ExchangeView | None:
    around = [
        v
        for v in exchange_views(family, membership, at - timedelta(days=1), at + timedelta(days=1))
        if v.plan.pk == plan.pk
    ]
    return next((v for v in around if v.at == at), None)


@dataclass
class ReportPlan:
    plan: Plan
    label: str
    children: list[Child]
    names: dict[str, str]
    planned: dict[str, ParentCounts]
    actual: dict[str, ParentCounts]
    problems: list[ExchangeView]
    not_recorded: int = 0  # past exchanges nobody checked in to: counted as planned

    @property
    def lines(self) -> list[tuple[str, ParentCounts, ParentCounts]]:
        """(parent's name, planned counts, actual counts) per parent."""
        return [(name, self.planned[side], self.actual[side]) for side, name in self.names.items()]


def planned_versus_actual(
    family: Family,
    membership: Membership,
    start: dt.datetime,
    end: dt.datetime,
    *,
    now: dt.datetime | None = None,
) -> list[ReportPlan]:
    """Per plan (so per child): counts by the schedule and by what the check-ins show, plus the
    exchanges that went wrong. An exchange counts as not having happened (the children stayed
    where they were) only when the record says so: a parent reported it missed, or one side
    checked in and the other never came. One nobody recorded counts as planned."""
    now = now or timezone.now()
    windows = _plan_windows(family, membership, start, end)
    views = _views(family, windows, now)
    result = []
    for window in windows:
        plan, found, planned = window.plan, window.schedule, window.timeline
        handovers: dict[dt.datetime, dt.datetime | None] = {}
        problems = []
        not_recorded = 0
        for view in views:
            if view.plan.pk != plan.pk or view.outcome is None or view.outcome.state == "cancelled":
                continue
            happened = view.outcome.happened
            if happened is True:
                handovers[view.at] = view.outcome.handover_at
            elif happened is False:
                handovers[view.at] = None
            not_recorded += view.outcome.state == "not_recorded"
            if view.outcome.late or view.outcome.no_show or view.outcome.state == "missed":
                problems.append(view)
        actual = actual_timeline(found, planned, handovers)
        result.append(
            ReportPlan(
                plan=plan,
                label=schedule.plan_label(plan),
                children=window.children,
                names=schedule.parent_names(plan),
                planned=planned.summary(),
                actual=actual.summary(),
                problems=problems,
                not_recorded=not_recorded,
            )
        )
    return result


def pass_holder_for(member: Membership, view: ExchangeView) -> PickupPass | None:
    """A caregiver's pickup pass that covers this exchange: held by them (PickupPass.holder, not
    a typed name anyone could enter), agreed (not revoked, not waiting for the other parent's
    signature), valid at the exchange time, and for at least one of its children."""
    if member.role != Role.CAREGIVER:
        return None
    children = {c.pk for c in view.children}
    candidates = (
        PickupPass.objects.filter(
            family=member.family,
            holder=member,
            revoked_at__isnull=True,
            starts_at__lte=view.at,
            ends_at__gte=view.at,
        )
        .exclude(needs_cosign=True, cosigned_at__isnull=True)
        .prefetch_related("children")
    )
    for found in candidates:
        if not children or children & {c.pk for c in found.children.all()}:
            return found
    return None


def check_in_side(member: Membership, view: ExchangeView) -> str | None:
    """The side ("A"/"B") a member checks in for at this exchange, or None if they may not:
    the two parents on it, or a caregiver named on a pickup pass for it, who collects for the
    receiving parent."""
    if member.role == Role.PARENT:
        if view.from_member is not None and member.pk == view.from_member.pk:
            return view.from_parent
        if view.to_member is not None and member.pk == view.to_member.pk:
            return view.to_parent
        return None
    if pass_holder_for(member, view) is not None:
        return view.to_parent
    return None


def reminder_setting(membership: Membership) -> ReminderSetting | None:
    return ReminderSetting.objects.filter(family=membership.family, membership=membership).first()
