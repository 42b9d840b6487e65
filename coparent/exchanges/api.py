"""API operations for exchanges: generated exchanges with outcomes, check-ins, terms, and the
planned versus actual report."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool

from coparent.api.base import actor, family_membership
from coparent.core.errors import ServiceError
from coparent.core.inputs import Instant, JsonNumber, Text
from coparent.core.tenancy import get_for_family
from coparent.exchanges import selectors, services
from coparent.exchanges.models import ExchangeTerms, PlaceKind
from coparent.exchanges.outcome import MISSED
from coparent.families.models import Role
from coparent.schedule import selectors as schedule

router = Router(tags=["exchanges"])


class ExchangeWindowIn(Schema):
    start: Instant | None = None
    end: Instant | None = None


class ExchangeCheckInOut(Schema):
    by: str
    kind: str
    at: dt.datetime
    place: str


class ExchangeViewOut(Schema):
    plan: uuid.UUID
    at: dt.datetime
    hands_over: str | None
    receives: str | None
    children: list[str]
    place: str | None
    grace_minutes: int
    state: str
    late: list[str]
    no_show: list[str]
    handover_at: dt.datetime | None
    checkins: list[ExchangeCheckInOut]


class ExchangeCheckInIn(Schema):
    plan: uuid.UUID
    at: Instant
    kind: Annotated[
        Literal["arrived", "handed_over", "received", "missed"],
        Field(
            description="“missed”: a parent on the exchange reports that it did not happen "
            "(from its time to a week after)."
        ),
    ]
    latitude: Annotated[float, Field(ge=-90, le=90), JsonNumber] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180), JsonNumber] | None = None


class TermsIn(Schema):
    place_kind: PlaceKind
    place_name: Annotated[str, Text(120, required=True)]
    grace_minutes: Annotated[int, Field(ge=0, le=240), JsonNumber] = 15
    transport: Annotated[str, Text(200)] = ""
    conduct: Annotated[str, Text(2000)] = ""
    latitude: Annotated[float, Field(ge=-90, le=90), JsonNumber] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180), JsonNumber] | None = None


class TermsOut(Schema):
    id: uuid.UUID
    plan: uuid.UUID
    status: str
    place_kind: str
    place_name: str
    grace_minutes: int
    transport: str
    conduct: str


class TermsDecisionIn(Schema):
    accept: StrictBool


class ExchangeCountsOut(Schema):
    parent: str
    planned_overnights: int
    actual_overnights: int
    planned_hours: float
    actual_hours: float


class ExchangeReportOut(Schema):
    plan: uuid.UUID
    label: str
    counts: list[ExchangeCountsOut]
    late_or_missed: list[dt.datetime]
    not_recorded: int = Field(
        description="Past exchanges nobody checked in to; they count as planned."
    )


def _exchange_out(view: selectors.ExchangeView) -> ExchangeViewOut:
    assert view.outcome is not None
    return ExchangeViewOut(
        plan=view.plan.public_id,
        at=view.at,
        hands_over=view.from_member.user.display_name if view.from_member else None,
        receives=view.to_member.user.display_name if view.to_member else None,
        children=[c.first_name for c in view.children],
        place=view.terms.place_name if view.terms else None,
        grace_minutes=int(selectors.grace_of(view.terms).total_seconds() // 60),
        state=view.outcome.state,
        late=view.late_names,
        no_show=view.no_show_names,
        handover_at=view.outcome.handover_at,
        checkins=[
            ExchangeCheckInOut(by=c.member.user.display_name, kind=c.kind, at=c.at, place=c.place)
            for c in view.checkins
        ],
    )


def _terms_out(terms: ExchangeTerms) -> TermsOut:
    return TermsOut(
        id=terms.public_id,
        plan=terms.plan.public_id,
        status=terms.status,
        place_kind=terms.place_kind,
        place_name=terms.place_name,
        grace_minutes=terms.grace_minutes,
        transport=terms.transport,
        conduct=terms.conduct,
    )


def _window(query: ExchangeWindowIn) -> tuple[dt.datetime, dt.datetime]:
    now = timezone.now()
    start = query.start or now - dt.timedelta(days=7)
    end = query.end or now + dt.timedelta(days=28)
    if start.tzinfo is None or end.tzinfo is None:
        raise ServiceError(
            _("Give times with a UTC offset, e.g. 2026-01-31T18:00:00Z."), field="start"
        )
    if end <= start or end - start > dt.timedelta(days=400):
        raise ServiceError(
            _("The window must end after it starts and last at most 400 days."), field="end"
        )
    return start, end


@router.get(
    "/families/{family_id}/exchanges",
    response=list[ExchangeViewOut],
    summary="Exchanges in a window, with outcomes",
)
def exchange_list(
    request: HttpRequest, family_id: str, query: Query[ExchangeWindowIn]
) -> list[ExchangeViewOut]:
    membership = family_membership(request, family_id)
    start, end = _window(query)
    return [
        _exchange_out(v)
        for v in selectors.exchange_views(membership.family, membership, start, end)
    ]


@router.post(
    "/families/{family_id}/exchanges/check-ins",
    response={201: ExchangeViewOut},
    summary="Check in at an exchange",
)
def check_in(
    request: HttpRequest, family_id: str, payload: ExchangeCheckInIn
) -> Status[ExchangeViewOut]:
    membership = family_membership(request, family_id)
    plan = schedule.plan_get(membership.family, membership, payload.plan)
    if payload.kind == MISSED:
        services.missed_report(
            family=membership.family, actor=actor(request), plan=plan, exchange_at=payload.at
        )
    else:
        services.checkin_record(
            family=membership.family,
            actor=actor(request),
            plan=plan,
            exchange_at=payload.at,
            kind=payload.kind,
            latitude=payload.latitude,
            longitude=payload.longitude,
        )
    view = selectors.exchange_get(membership.family, membership, plan, payload.at)
    assert view is not None
    return Status(201, _exchange_out(view))


@router.post(
    "/families/{family_id}/exchanges/terms/{plan_id}",
    response={201: TermsOut},
    summary="Propose exchange terms",
)
def terms_propose(
    request: HttpRequest, family_id: str, plan_id: str, payload: TermsIn
) -> Status[TermsOut]:
    membership = family_membership(request, family_id, roles=[Role.PARENT])
    plan = schedule.plan_get(membership.family, membership, plan_id)
    fields = payload.model_dump()
    for name in ("latitude", "longitude"):  # the service and the table keep decimals
        fields[name] = None if fields[name] is None else Decimal(str(fields[name]))
    terms = services.terms_propose(
        family=membership.family, actor=actor(request), plan=plan, **fields
    )
    return Status(201, _terms_out(terms))


@router.post(
    "/families/{family_id}/exchanges/terms/decide/{terms_id}",
    response=TermsOut,
    summary="Accept or decline terms",
)
def terms_decide(
    request: HttpRequest, family_id: str, terms_id: str, payload: TermsDecisionIn
) -> TermsOut:
    membership = family_membership(request, family_id, roles=[Role.PARENT])
    terms = get_for_family(
        ExchangeTerms.objects.select_related("plan"), membership.family, public_id=terms_id
    )
    return _terms_out(
        services.terms_decide(
            family=membership.family, actor=actor(request), terms=terms, accept=payload.accept
        )
    )


@router.get(
    "/families/{family_id}/exchanges/report",
    response=list[ExchangeReportOut],
    summary="Planned versus actual time",
)
def report(
    request: HttpRequest, family_id: str, query: Query[ExchangeWindowIn]
) -> list[ExchangeReportOut]:
    membership = family_membership(request, family_id)
    start, end = _window(query)
    rows = selectors.planned_versus_actual(membership.family, membership, start, end)
    return [
        ExchangeReportOut(
            plan=row.plan.public_id,
            label=str(row.label),
            counts=[
                ExchangeCountsOut(
                    parent=name,
                    planned_overnights=planned.overnights,
                    actual_overnights=actual.overnights,
                    planned_hours=round(planned.hours, 2),
                    actual_hours=round(actual.hours, 2),
                )
                for name, planned, actual in row.lines
            ],
            late_or_missed=[v.at for v in row.problems],
            not_recorded=row.not_recorded,
        )
        for row in rows
    ]
