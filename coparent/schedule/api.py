"""API operations on schedules: versions (propose, accept, decline, withdraw), timelines and
previews, exchanges, events, swap requests, the parenting-time report and calendar feed links.

Parents appear as `{"id": "A", "name": ...}`: the engine's ids with the person's name.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from dateutil.relativedelta import relativedelta
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool

from coparent.api.base import actor, family_membership
from coparent.core.errors import ServiceError
from coparent.core.http import absolute_url
from coparent.core.inputs import OUT_OF_RANGE, Day, Instant, Text, day_in_range
from coparent.core.tenancy import get_for_family
from coparent.engine import SpecError, exchanges, parse_spec, window
from coparent.families.models import Child, Membership, Role
from coparent.safety import selectors as safety_selectors
from coparent.schedule import ical, selectors, services
from coparent.schedule.models import (
    Event,
    EventKind,
    Plan,
    ScheduleVersion,
    SwapRequest,
    SwapStatus,
)
from coparent.schedule.specs import checked_plain_spec

router = Router(tags=["schedule"])

MAX_WINDOW_DAYS = 366 * 5


class VersionOut(Schema):
    id: uuid.UUID
    plan_id: uuid.UUID
    child_id: uuid.UUID | None
    status: str
    effective_at: dt.datetime | None
    proposed_by: str
    proposed_at: dt.datetime
    respond_by: dt.datetime | None = Field(
        description="A proposal not answered by then expires (empty for older decided versions)"
    )
    decided_by: str | None
    decided_at: dt.datetime | None
    note: str
    spec: dict[str, Any]


class ProposalIn(Schema):
    spec: dict[str, Any] | None = None
    child_id: uuid.UUID | None = None
    effective_at: Instant | None = None
    note: Annotated[str, Text(500)] = ""
    respond_by: Instant | None = Field(
        None, description="The answer deadline; 14 days from now if not given, at most 90"
    )


class DecisionIn(Schema):
    note: Annotated[str, Text(500)] = ""


class PlanOut(Schema):
    id: uuid.UUID
    child_id: uuid.UUID | None
    children: list[str]
    parents: dict[str, str]
    current: dict[str, Any] | None


class PreviewIn(Schema):
    spec: dict[str, Any] | None = None
    date_from: Day | None = None
    date_to: Day | None = None


class ExchangeOut(Schema):
    plan_id: uuid.UUID
    at: dt.datetime
    from_parent: str
    from_name: str
    to_parent: str
    to_name: str


class EventIn(Schema):
    title: Annotated[str, Text(120, required=True)]
    kind: EventKind = EventKind.OTHER
    starts_at: Instant
    ends_at: Instant | None = None
    place: Annotated[str, Text(200)] = ""
    place_is_home: StrictBool = False
    notes: Annotated[str, Text(1000)] = ""
    child_ids: list[uuid.UUID] = []
    attendee_ids: list[uuid.UUID] = []


class EventOut(Schema):
    id: uuid.UUID
    title: str
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    notes: str
    child_ids: list[uuid.UUID]
    attendee_ids: list[uuid.UUID]


class SwapIn(Schema):
    start_at: Instant
    end_at: Instant
    respond_by: Instant
    reason: Annotated[str, Text(1000)] = ""
    offer_start_at: Instant | None = None
    offer_end_at: Instant | None = None
    plan_id: uuid.UUID | None = None


class SwapAnswerIn(Schema):
    response: Annotated[str, Text(1000)] = ""


class SwapOut(Schema):
    id: uuid.UUID
    plan_id: uuid.UUID
    status: str
    requested_by: str
    requested_at: dt.datetime
    start_at: dt.datetime
    end_at: dt.datetime
    offer_start_at: dt.datetime | None
    offer_end_at: dt.datetime | None
    reason: str
    respond_by: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    response: str
    counter_of: uuid.UUID | None


class SwapListIn(Schema):
    status: SwapStatus | None = None
    limit: Annotated[int, Field(ge=1, le=500)] = 100
    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0


class FeedOut(Schema):
    url: str
    webcal_url: str = Field(description="The same link as webcal://, which opens a calendar app")


def _version_out(version: ScheduleVersion) -> VersionOut:
    return VersionOut(
        id=version.public_id,
        plan_id=version.plan.public_id,
        child_id=version.plan.child.public_id if version.plan.child else None,
        status=version.status,
        effective_at=version.effective_at,
        proposed_by=version.proposed_by.display_name,
        proposed_at=version.proposed_at,
        respond_by=version.respond_by,
        decided_by=version.decided_by.display_name if version.decided_by else None,
        decided_at=version.decided_at,
        note=version.note,
        spec=version.spec,
    )


def _event_out(event: Event, viewer_id: int) -> EventOut:
    return EventOut(
        id=event.public_id,
        title=event.title,
        kind=event.kind,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        place=safety_selectors.shown_place(
            event.place,
            confidential=event.place_confidential,
            owner_id=event.created_by_id,
            viewer_id=viewer_id,
        ),
        notes=event.notes,
        child_ids=[c.public_id for c in event.children.all()],
        attendee_ids=[m.public_id for m in event.attendees.all()],
    )


def _swap_out(swap: SwapRequest) -> SwapOut:
    return SwapOut(
        id=swap.public_id,
        plan_id=swap.plan.public_id,
        status=swap.current_status(),
        requested_by=swap.requested_by.display_name,
        requested_at=swap.requested_at,
        start_at=swap.start_at,
        end_at=swap.end_at,
        offer_start_at=swap.offer_start_at,
        offer_end_at=swap.offer_end_at,
        reason=swap.reason,
        respond_by=swap.respond_by,
        decided_by=swap.decided_by.display_name if swap.decided_by else None,
        decided_at=swap.decided_at,
        response=swap.response,
        counter_of=swap.counter_of.public_id if swap.counter_of else None,
    )


def _child(family: Any, child_id: uuid.UUID | None) -> Child | None:
    return get_for_family(Child, family, public_id=child_id) if child_id else None


def _check_days(*days: dt.date | None) -> None:
    for day in days:
        if day is not None and not day_in_range(day):
            raise ServiceError(str(OUT_OF_RANGE), field="date_from")


def _window(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    _check_days(date_from, date_to)
    today = timezone.localdate()
    first = date_from or today.replace(day=1)
    last = date_to or first + dt.timedelta(days=31)
    if last <= first:
        raise ServiceError(_("date_to must be after date_from."), field="date_to")
    if (last - first).days > MAX_WINDOW_DAYS:
        raise ServiceError(_("Ask for at most 5 years at a time."), field="date_to")
    return first, last


def _around(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """A UTC window holding [first, last) in any zone, for loading only the swaps near it."""
    return (
        dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC) - dt.timedelta(days=1),
        dt.datetime.combine(last, dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=1),
    )


PARENTS = [Role.PARENT]
PARENTS_AND_PROFESSIONALS = [Role.PARENT, Role.PROFESSIONAL]


# ---- plans and versions -------------------------------------------------------------------------


@router.get(
    "/families/{family_id}/schedule/plans",
    response=list[PlanOut],
    summary="Schedules (one for all children, or one per child) with the agreed spec",
)
def plan_list(request: HttpRequest, family_id: uuid.UUID) -> list[PlanOut]:
    membership = family_membership(request, family_id)
    plans = selectors.plan_list(membership.family, membership)
    covered = selectors.plan_children(membership.family, plans)
    return [
        PlanOut(
            id=plan.public_id,
            child_id=plan.child.public_id if plan.child else None,
            children=[c.first_name for c in covered.get(plan.pk, [])],
            parents=selectors.parent_names(plan),
            current=selectors.plan_export(plan),
        )
        for plan in plans
    ]


@router.get(
    "/families/{family_id}/schedule/plans/{plan_id}",
    response=PlanOut,
    summary="One schedule with its agreed spec (the export format)",
)
def plan_get(request: HttpRequest, family_id: uuid.UUID, plan_id: uuid.UUID) -> PlanOut:
    membership = family_membership(request, family_id)
    plan = selectors.plan_get(membership.family, membership, plan_id)
    covered = selectors.plan_children(
        membership.family, selectors.plan_list(membership.family, membership)
    )
    return PlanOut(
        id=plan.public_id,
        child_id=plan.child.public_id if plan.child else None,
        children=[c.first_name for c in covered.get(plan.pk, [])],
        parents=selectors.parent_names(plan),
        current=selectors.plan_export(plan),
    )


@router.get(
    "/families/{family_id}/schedule/versions",
    response=list[VersionOut],
    summary="Every proposed and agreed version, newest first",
)
def version_list(request: HttpRequest, family_id: uuid.UUID) -> list[VersionOut]:
    membership = family_membership(request, family_id, roles=PARENTS_AND_PROFESSIONALS)
    return [_version_out(v) for v in selectors.version_list(membership.family)]


@router.post(
    "/families/{family_id}/schedule/versions",
    response={201: VersionOut},
    summary="Propose a schedule (spec JSON); the other parent accepts it",
)
def version_propose(
    request: HttpRequest, family_id: uuid.UUID, payload: ProposalIn
) -> Status[VersionOut]:
    membership = family_membership(request, family_id)
    version = services.schedule_propose(
        family=membership.family,
        actor=actor(request),
        spec=payload.spec,
        child=_child(membership.family, payload.child_id),
        effective_at=payload.effective_at,
        note=payload.note,
        respond_by=payload.respond_by,
    )
    return Status(201, _version_out(version))


def _decide(
    request: HttpRequest, family_id: uuid.UUID, version_id: uuid.UUID, action: str, note: str = ""
) -> VersionOut:
    membership = family_membership(request, family_id)
    version = get_for_family(ScheduleVersion, membership.family, public_id=version_id)
    arguments: dict[str, Any] = {
        "family": membership.family,
        "actor": actor(request),
        "version": version,
    }
    if action == "accept":
        decided = services.schedule_accept(**arguments)
    elif action == "decline":
        decided = services.schedule_decline(**arguments, note=note)
    else:
        decided = services.schedule_withdraw(**arguments)
    return _version_out(
        ScheduleVersion.objects.select_related("plan__child", "proposed_by", "decided_by").get(
            pk=decided.pk
        )
    )


@router.post(
    "/families/{family_id}/schedule/versions/{version_id}/accept",
    response=VersionOut,
    summary="Accept the other parent's proposal",
)
def version_accept(request: HttpRequest, family_id: uuid.UUID, version_id: uuid.UUID) -> VersionOut:
    return _decide(request, family_id, version_id, "accept")


@router.post(
    "/families/{family_id}/schedule/versions/{version_id}/decline",
    response=VersionOut,
    summary="Decline the other parent's proposal",
)
def version_decline(
    request: HttpRequest, family_id: uuid.UUID, version_id: uuid.UUID, payload: DecisionIn
) -> VersionOut:
    return _decide(request, family_id, version_id, "decline", payload.note)


@router.post(
    "/families/{family_id}/schedule/versions/{version_id}/withdraw",
    response=VersionOut,
    summary="Withdraw your own proposal",
)
def version_withdraw(
    request: HttpRequest, family_id: uuid.UUID, version_id: uuid.UUID
) -> VersionOut:
    return _decide(request, family_id, version_id, "withdraw")


# ---- timelines ----------------------------------------------------------------------------------


@router.get(
    "/families/{family_id}/schedule/timeline",
    summary="The agreed schedule's timeline per plan (as `coparent schedule preview`)",
)
def timeline(
    request: HttpRequest,
    family_id: uuid.UUID,
    date_from: Day | None = None,
    date_to: Day | None = None,
) -> dict[str, Any]:
    membership = family_membership(request, family_id)
    first, last = _window(date_from, date_to)
    result = []
    for plan in selectors.plan_list(membership.family, membership):
        around_start, around_end = _around(first, last)
        schedule = selectors.plan_schedule(plan, start=around_start, end=around_end)
        if schedule is None:
            continue
        start, end = window(schedule, first, last)
        result.append(
            {
                "plan_id": str(plan.public_id),
                "parents": selectors.parent_names(plan),
                **schedule.timeline(start, end).to_json(),
            }
        )
    return {"plans": result}


@router.post(
    "/families/{family_id}/schedule/preview",
    summary="The timeline of a spec that is not saved (nothing changes)",
)
def preview(request: HttpRequest, family_id: uuid.UUID, payload: PreviewIn) -> dict[str, Any]:
    family_membership(request, family_id)
    spec = checked_plain_spec(payload.spec)
    first, last = _window(payload.date_from, payload.date_to)
    try:
        schedule = parse_spec(spec)
    except SpecError as error:  # pragma: no cover - checked_plain_spec parsed it already
        raise ServiceError(str(error), field="spec") from None
    start, end = window(schedule, first, last)
    return schedule.timeline(start, end).to_json()


@router.get(
    "/families/{family_id}/schedule/exchanges",
    response=list[ExchangeOut],
    summary="Exchanges in a window (default: this month)",
)
def exchange_list(
    request: HttpRequest,
    family_id: uuid.UUID,
    date_from: Day | None = None,
    date_to: Day | None = None,
) -> list[ExchangeOut]:
    membership = family_membership(request, family_id)
    first, last = _window(date_from, date_to)
    found = []
    for plan in selectors.plan_list(membership.family, membership):
        around_start, around_end = _around(first, last)
        schedule = selectors.plan_schedule(plan, start=around_start, end=around_end)
        if schedule is None:
            continue
        names = selectors.parent_names(plan)
        start, end = window(schedule, first, last)
        for exchange in exchanges(schedule.timeline(start, end)):
            found.append(
                ExchangeOut(
                    plan_id=plan.public_id,
                    at=exchange.at,
                    from_parent=exchange.from_parent,
                    from_name=names[exchange.from_parent],
                    to_parent=exchange.to_parent,
                    to_name=names[exchange.to_parent],
                )
            )
    return sorted(found, key=lambda e: e.at)


@router.get(
    "/families/{family_id}/schedule/report",
    summary="Planned parenting time per plan and parent, with scaled thresholds",
)
def report(
    request: HttpRequest,
    family_id: uuid.UUID,
    date_from: Day | None = None,
    date_to: Day | None = None,
    rule: Literal["tennessee", "arizona"] = "tennessee",
) -> dict[str, Any]:
    membership = family_membership(request, family_id, roles=PARENTS_AND_PROFESSIONALS)
    if rule not in ("tennessee", "arizona"):
        raise ServiceError(_("rule is tennessee or arizona."), field="rule")
    today = timezone.localdate()
    _check_days(date_from, date_to)
    first = date_from or dt.date(today.year, 1, 1)
    last = date_to or first + relativedelta(years=1)  # 29 February gives 28 February
    first, last = _window(first, last)
    sections = selectors.report(membership.family, membership, first, last, rule)
    return {
        "date_from": first.isoformat(),
        "date_to": last.isoformat(),
        "rule": rule,
        "thresholds_note": "Yearly thresholds scaled to the period: value x nights / 365.",
        "plans": [
            {
                "plan_id": str(s.plan.public_id),
                "children": [c.first_name for c in s.children],
                "timezone": s.timezone,
                "nights": s.nights,
                "parents": [
                    {
                        "id": row.parent,
                        "name": row.name,
                        "overnights": row.overnights,
                        "overnights_percent": row.overnights_percent,
                        "hours": row.hours,
                        "hours_percent": row.hours_percent,
                        "days": row.days,
                        "thresholds": [
                            {"threshold": label, "scaled": scaled, "reached": met}
                            for label, scaled, met in row.thresholds
                        ],
                    }
                    for row in s.rows
                ],
            }
            for s in sections
        ],
    }


# ---- events -------------------------------------------------------------------------------------


def _event_arguments(membership: Membership, payload: EventIn) -> dict[str, Any]:
    family = membership.family
    return {
        "title": payload.title,
        "kind": payload.kind,
        "starts_at": payload.starts_at,
        "ends_at": payload.ends_at,
        "place": payload.place,
        "place_is_home": payload.place_is_home,
        "notes": payload.notes,
        "children": [get_for_family(Child, family, public_id=i) for i in payload.child_ids],
        "attendees": [
            get_for_family(Membership.objects.active(), family, public_id=i)
            for i in payload.attendee_ids
        ],
    }


@router.get("/families/{family_id}/events", response=list[EventOut], summary="Events")
def event_list(
    request: HttpRequest,
    family_id: uuid.UUID,
    date_from: Day | None = None,
    date_to: Day | None = None,
) -> list[EventOut]:
    membership = family_membership(request, family_id)
    start = (
        dt.datetime.combine(date_from, dt.time(), tzinfo=timezone.get_current_timezone())
        if date_from
        else None
    )
    end = (
        dt.datetime.combine(date_to, dt.time(), tzinfo=timezone.get_current_timezone())
        if date_to
        else None
    )
    return [
        _event_out(e, actor(request).pk)
        for e in selectors.event_list(membership.family, membership, start, end)
    ]


@router.post(
    "/families/{family_id}/events", response={201: EventOut}, summary="Add an event (parents)"
)
def event_create(request: HttpRequest, family_id: uuid.UUID, payload: EventIn) -> Status[EventOut]:
    membership = family_membership(request, family_id)
    event = services.event_create(
        family=membership.family, actor=actor(request), **_event_arguments(membership, payload)
    )
    return Status(201, _event_out(event, actor(request).pk))


@router.get("/families/{family_id}/events/{event_id}", response=EventOut, summary="One event")
def event_get(request: HttpRequest, family_id: uuid.UUID, event_id: uuid.UUID) -> EventOut:
    membership = family_membership(request, family_id)
    return _event_out(
        get_for_family(
            selectors.event_list(membership.family, membership),
            membership.family,
            public_id=event_id,
        ),
        actor(request).pk,
    )


@router.put("/families/{family_id}/events/{event_id}", response=EventOut, summary="Change an event")
def event_update(
    request: HttpRequest, family_id: uuid.UUID, event_id: uuid.UUID, payload: EventIn
) -> EventOut:
    membership = family_membership(request, family_id)
    event = get_for_family(Event, membership.family, public_id=event_id)
    services.event_update(
        family=membership.family,
        actor=actor(request),
        event=event,
        **_event_arguments(membership, payload),
    )
    return _event_out(event, actor(request).pk)


@router.delete(
    "/families/{family_id}/events/{event_id}", response={204: None}, summary="Delete an event"
)
def event_delete(request: HttpRequest, family_id: uuid.UUID, event_id: uuid.UUID) -> Status[None]:
    membership = family_membership(request, family_id)
    event = get_for_family(Event, membership.family, public_id=event_id)
    services.event_delete(family=membership.family, actor=actor(request), event=event)
    return Status(204, None)


# ---- swaps --------------------------------------------------------------------------------------


def _plan_for_swap(membership: Membership, plan_id: uuid.UUID | None) -> Plan:
    if plan_id:
        return get_for_family(Plan, membership.family, public_id=plan_id)
    plans = selectors.plan_list(membership.family)
    if len(plans) != 1:
        raise ServiceError(
            "Say which schedule the swap is for (plan_id)." if plans else "No schedule yet.",
            field="plan_id",
        )
    return plans[0]


@router.get(
    "/families/{family_id}/swaps",
    response=list[SwapOut],
    summary="Swap and trade requests, newest first (`limit`, 100 by default, from `offset`)",
)
def swap_list(
    request: HttpRequest, family_id: uuid.UUID, query: Query[SwapListIn]
) -> list[SwapOut]:
    membership = family_membership(request, family_id, roles=PARENTS_AND_PROFESSIONALS)
    swaps = selectors.swap_list(membership.family)
    if query.status is not None:
        swaps = swaps.filter(status=query.status)
    page = swaps.order_by("-requested_at", "-pk")[query.offset : query.offset + query.limit]
    return [_swap_out(s) for s in page]


@router.post(
    "/families/{family_id}/swaps", response={201: SwapOut}, summary="Ask for a swap or trade"
)
def swap_create(request: HttpRequest, family_id: uuid.UUID, payload: SwapIn) -> Status[SwapOut]:
    membership = family_membership(request, family_id)
    swap = services.swap_request(
        family=membership.family,
        actor=actor(request),
        plan=_plan_for_swap(membership, payload.plan_id),
        start_at=payload.start_at,
        end_at=payload.end_at,
        respond_by=payload.respond_by,
        reason=payload.reason,
        offer_start_at=payload.offer_start_at,
        offer_end_at=payload.offer_end_at,
    )
    return Status(201, _swap_out(swap))


def _swap(membership: Membership, swap_id: uuid.UUID) -> SwapRequest:
    return get_for_family(
        selectors.swap_list(membership.family), membership.family, public_id=swap_id
    )


@router.get("/families/{family_id}/swaps/{swap_id}", response=SwapOut, summary="One request")
def swap_get(request: HttpRequest, family_id: uuid.UUID, swap_id: uuid.UUID) -> SwapOut:
    membership = family_membership(request, family_id, roles=PARENTS_AND_PROFESSIONALS)
    return _swap_out(_swap(membership, swap_id))


def _answer(
    request: HttpRequest, family_id: uuid.UUID, swap_id: uuid.UUID, action: str, response: str
) -> SwapOut:
    membership = family_membership(request, family_id)
    swap = _swap(membership, swap_id)
    arguments: dict[str, Any] = {"family": membership.family, "actor": actor(request), "swap": swap}
    if action == "accept":
        services.swap_accept(**arguments, response=response)
    elif action == "decline":
        services.swap_decline(**arguments, response=response)
    else:
        services.swap_withdraw(**arguments)
    return _swap_out(_swap(membership, swap_id))


@router.post(
    "/families/{family_id}/swaps/{swap_id}/accept", response=SwapOut, summary="Accept a request"
)
def swap_accept(
    request: HttpRequest, family_id: uuid.UUID, swap_id: uuid.UUID, payload: SwapAnswerIn
) -> SwapOut:
    return _answer(request, family_id, swap_id, "accept", payload.response)


@router.post(
    "/families/{family_id}/swaps/{swap_id}/decline", response=SwapOut, summary="Decline a request"
)
def swap_decline(
    request: HttpRequest, family_id: uuid.UUID, swap_id: uuid.UUID, payload: SwapAnswerIn
) -> SwapOut:
    return _answer(request, family_id, swap_id, "decline", payload.response)


@router.post(
    "/families/{family_id}/swaps/{swap_id}/withdraw",
    response=SwapOut,
    summary="Withdraw your own request",
)
def swap_withdraw(request: HttpRequest, family_id: uuid.UUID, swap_id: uuid.UUID) -> SwapOut:
    return _answer(request, family_id, swap_id, "withdraw", "")


@router.post(
    "/families/{family_id}/swaps/{swap_id}/counter",
    response={201: SwapOut},
    summary="Answer a request with a counter-offer (a new request linked to it)",
)
def swap_counter(
    request: HttpRequest, family_id: uuid.UUID, swap_id: uuid.UUID, payload: SwapIn
) -> Status[SwapOut]:
    membership = family_membership(request, family_id)
    counter = services.swap_counter(
        family=membership.family,
        actor=actor(request),
        swap=_swap(membership, swap_id),
        start_at=payload.start_at,
        end_at=payload.end_at,
        respond_by=payload.respond_by,
        reason=payload.reason,
        offer_start_at=payload.offer_start_at,
        offer_end_at=payload.offer_end_at,
    )
    return Status(201, _swap_out(counter))


# ---- calendar feed ------------------------------------------------------------------------------


@router.post(
    "/families/{family_id}/calendar-feed",
    response={201: FeedOut},
    summary="A new private calendar feed link for you (the old one stops working)",
)
def feed_regenerate(request: HttpRequest, family_id: uuid.UUID) -> Status[FeedOut]:
    membership = family_membership(request, family_id)
    token = services.feed_token_regenerate(family=membership.family, actor=actor(request))
    url = absolute_url(f"/calendar/{token}.ics")
    return Status(201, FeedOut(url=url, webcal_url=ical.webcal_url(url)))


@router.delete(
    "/families/{family_id}/calendar-feed", response={204: None}, summary="Stop your feed link"
)
def feed_revoke(request: HttpRequest, family_id: uuid.UUID) -> Status[None]:
    membership = family_membership(request, family_id)
    services.feed_token_revoke(family=membership.family, actor=actor(request))
    return Status(204, None)
