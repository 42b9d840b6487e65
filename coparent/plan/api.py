"""API operations for the parenting plan: the provisions (in force, pending, history), proposing
and answering them through the decisions machinery, and time-away offers."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from coparent.api.base import actor, family_membership
from coparent.core.inputs import Instant, Text
from coparent.core.tenancy import get_for_family
from coparent.decisions.models import Proposal
from coparent.decisions.services import decision_accept, decision_decline, decision_withdraw
from coparent.families.models import Family, Role
from coparent.plan import selectors, services
from coparent.plan.models import TimeAway
from coparent.plan.provisions import KINDS
from coparent.schedule import selectors as schedule

router = Router(tags=["plan"])
# Professionals are told 403 (read-only) on writes; caregivers and children 404.
WRITERS = [Role.PARENT, Role.PROFESSIONAL]

TERMS_DESCRIPTION = (
    "The provision's terms, by kind: first_refusal {hours, respond_hours}; new_partners "
    "{introduction_notice_days, overnight_notice_days, minimum_months_together}; online {photos: "
    "both|with_consent|neither, platforms: [..], own_account_age, not_posted}; travel "
    "{notice_days, international_itinerary, passports_held_by: a parent's member id or ''}; "
    "relocation {notice_days}; calls {timezone, windows: [{weekdays: [0-6, Monday 0], start: "
    "'18:00', end: '18:30'}]}; authority {education, medical: 'joint' or a parent's member id}. "
    "Each may carry a note."
)


class PlanProposalOut(Schema):
    id: uuid.UUID
    decision: uuid.UUID
    version: int
    proposed_by: str
    proposed_at: dt.datetime
    respond_by: dt.datetime
    status: str
    answered_by: str | None
    answered_at: dt.datetime | None
    reason: str
    details: str
    terms: dict[str, Any]


class PlanAgreementOut(Schema):
    id: uuid.UUID
    proposed_by: str
    proposed_at: dt.datetime
    accepted_by: str | None
    accepted_at: dt.datetime | None
    agreed_at: dt.datetime
    basis: str
    terms: dict[str, Any]


class ProvisionOut(Schema):
    kind: str
    title: str
    in_force: PlanAgreementOut | None
    pending: PlanProposalOut | None
    history: list[PlanProposalOut] = Field(
        description="Every version proposed about this provision, oldest first (parents and "
        "professionals only)."
    )


class ProvisionIn(Schema):
    terms: dict[str, Any] = Field(description=TERMS_DESCRIPTION)
    respond_by: Instant
    details: Annotated[str, Text(5000)] = ""


class PlanDeclineIn(Schema):
    reason: Annotated[str, Text(1000, required=True)]


class TimeAwayIn(Schema):
    plan: uuid.UUID
    starts_at: Instant
    ends_at: Instant
    note: Annotated[str, Text(1000)] = ""


class TimeAwayAnswerIn(Schema):
    response: Annotated[str, Text(1000)] = ""


class TimeAwayOut(Schema):
    id: uuid.UUID
    plan: uuid.UUID
    parent: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    note: str
    hours: int
    respond_by: dt.datetime
    status: str
    answered_by: str | None
    answered_at: dt.datetime | None
    response: str
    swap: uuid.UUID | None


def _proposal_out(proposal: Proposal) -> PlanProposalOut:
    return PlanProposalOut(
        id=proposal.public_id,
        decision=proposal.decision.public_id,
        version=proposal.number,
        proposed_by=proposal.proposed_by.display_name,
        proposed_at=proposal.proposed_at,
        respond_by=proposal.respond_by,
        status=proposal.current_status(),
        answered_by=proposal.answered_by.display_name if proposal.answered_by else None,
        answered_at=proposal.answered_at,
        reason=proposal.reason,
        details=proposal.details,
        terms=dict(proposal.payload),
    )


def _provisions(family: Family, membership: Any) -> list[ProvisionOut]:
    result = []
    for section in selectors.plan_sections(family, membership):
        agreement = section.in_force.agreement if section.in_force else None
        pending = section.pending
        history = [p for d in reversed(section.decisions) for p in d.proposals.all()]
        result.append(
            ProvisionOut(
                kind=section.kind,
                title=section.title,
                in_force=PlanAgreementOut(
                    id=agreement.public_id,
                    proposed_by=agreement.proposed_by.display_name,
                    proposed_at=agreement.proposed_at,
                    accepted_by=agreement.accepted_by.display_name
                    if agreement.accepted_by
                    else None,
                    accepted_at=agreement.accepted_at,
                    agreed_at=agreement.agreed_at,
                    basis=agreement.basis,
                    terms=dict(agreement.proposal.payload),
                )
                if agreement
                else None,
                pending=_proposal_out(pending) if pending else None,
                history=[_proposal_out(p) for p in history],
            )
        )
    return result


@router.get(
    "/families/{family_id}/plan",
    response=list[ProvisionOut],
    summary="The parenting plan: every provision with what is in force",
)
def plan_read(request: HttpRequest, family_id: str) -> list[ProvisionOut]:
    membership = family_membership(request, family_id)
    return _provisions(membership.family, membership)


def _section(family: Family, membership: Any, kind: str) -> ProvisionOut:
    return next(p for p in _provisions(family, membership) if p.kind == kind)


@router.post(
    "/families/{family_id}/plan/provisions/{kind}",
    response={201: ProvisionOut},
    summary="Propose a provision or a change to it",
)
def provision_propose(
    request: HttpRequest, family_id: str, kind: str, payload: ProvisionIn
) -> Status[ProvisionOut]:
    membership = family_membership(request, family_id, roles=WRITERS)
    if kind not in KINDS:
        raise Http404
    services.provision_propose(
        family=membership.family,
        actor=actor(request),
        kind=kind,
        terms=payload.terms,
        respond_by=payload.respond_by,
        details=payload.details,
    )
    return Status(201, _section(membership.family, membership, kind))


def _proposal(family: Family, proposal_id: str) -> Proposal:
    proposal = get_for_family(
        Proposal.objects.select_related("decision", "proposed_by"), family, public_id=proposal_id
    )
    if not proposal.decision.subject.startswith(selectors.PREFIX):
        raise Http404
    return proposal


def _kind(proposal: Proposal) -> str:
    return proposal.decision.subject.removeprefix(selectors.PREFIX)


@router.post(
    "/families/{family_id}/plan/proposals/{proposal_id}/accept",
    response=ProvisionOut,
    summary="Accept a proposed provision",
)
def provision_accept(request: HttpRequest, family_id: str, proposal_id: str) -> ProvisionOut:
    membership = family_membership(request, family_id, roles=WRITERS)
    proposal = _proposal(membership.family, proposal_id)
    decision_accept(family=membership.family, actor=actor(request), proposal=proposal)
    return _section(membership.family, membership, _kind(proposal))


@router.post(
    "/families/{family_id}/plan/proposals/{proposal_id}/decline",
    response=ProvisionOut,
    summary="Decline a proposed provision, saying why",
)
def provision_decline(
    request: HttpRequest, family_id: str, proposal_id: str, payload: PlanDeclineIn
) -> ProvisionOut:
    membership = family_membership(request, family_id, roles=WRITERS)
    proposal = _proposal(membership.family, proposal_id)
    decision_decline(
        family=membership.family, actor=actor(request), proposal=proposal, reason=payload.reason
    )
    return _section(membership.family, membership, _kind(proposal))


@router.post(
    "/families/{family_id}/plan/proposals/{proposal_id}/counter",
    response={201: ProvisionOut},
    summary="Answer a proposed provision with different terms",
)
def provision_counter(
    request: HttpRequest, family_id: str, proposal_id: str, payload: ProvisionIn
) -> Status[ProvisionOut]:
    membership = family_membership(request, family_id, roles=WRITERS)
    proposal = _proposal(membership.family, proposal_id)
    services.provision_counter(
        family=membership.family,
        actor=actor(request),
        proposal=proposal,
        terms=payload.terms,
        respond_by=payload.respond_by,
        details=payload.details,
    )
    return Status(201, _section(membership.family, membership, _kind(proposal)))


@router.post(
    "/families/{family_id}/plan/proposals/{proposal_id}/withdraw",
    response=ProvisionOut,
    summary="Withdraw your proposed provision",
)
def provision_withdraw(request: HttpRequest, family_id: str, proposal_id: str) -> ProvisionOut:
    membership = family_membership(request, family_id, roles=WRITERS)
    proposal = _proposal(membership.family, proposal_id)
    decision_withdraw(family=membership.family, actor=actor(request), proposal=proposal)
    return _section(membership.family, membership, _kind(proposal))


# ---- time away -----------------------------------------------------------------------------------


def _away_out(away: TimeAway) -> TimeAwayOut:
    return TimeAwayOut(
        id=away.public_id,
        plan=away.plan.public_id,
        parent=away.parent.display_name,
        starts_at=away.starts_at,
        ends_at=away.ends_at,
        note=away.note,
        hours=away.hours,
        respond_by=away.respond_by,
        status=away.current_status(),
        answered_by=away.answered_by.display_name if away.answered_by else None,
        answered_at=away.answered_at,
        response=away.response,
        swap=away.swap.public_id if away.swap else None,
    )


@router.get(
    "/families/{family_id}/plan/time-away",
    response=list[TimeAwayOut],
    summary="Time away offered under the right of first refusal, newest first",
)
def time_away_list(request: HttpRequest, family_id: str) -> list[TimeAwayOut]:
    membership = family_membership(request, family_id, roles=[Role.PARENT, Role.PROFESSIONAL])
    return [_away_out(a) for a in selectors.time_away_list(membership.family)[:200]]


@router.post(
    "/families/{family_id}/plan/time-away",
    response={201: TimeAwayOut},
    summary="Add time away: the other parent is offered the time first",
)
def time_away_create(
    request: HttpRequest, family_id: str, payload: TimeAwayIn
) -> Status[TimeAwayOut]:
    membership = family_membership(request, family_id, roles=WRITERS)
    plan = schedule.plan_get(membership.family, membership, payload.plan)
    away = services.time_away_create(
        family=membership.family,
        actor=actor(request),
        plan=plan,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        note=payload.note,
    )
    return Status(201, _away_out(away))


def _away(family: Family, away_id: str) -> TimeAway:
    return get_for_family(selectors.time_away_list(family), family, public_id=away_id)


@router.post(
    "/families/{family_id}/plan/time-away/{away_id}/accept",
    response=TimeAwayOut,
    summary="Take the time offered (an agreed swap gives you the children)",
)
def time_away_accept(
    request: HttpRequest, family_id: str, away_id: str, payload: TimeAwayAnswerIn
) -> TimeAwayOut:
    membership = family_membership(request, family_id, roles=WRITERS)
    away = services.time_away_accept(
        family=membership.family,
        actor=actor(request),
        away=_away(membership.family, away_id),
        response=payload.response,
    )
    return _away_out(_away(membership.family, str(away.public_id)))


@router.post(
    "/families/{family_id}/plan/time-away/{away_id}/decline",
    response=TimeAwayOut,
    summary="Decline the time offered",
)
def time_away_decline(
    request: HttpRequest, family_id: str, away_id: str, payload: TimeAwayAnswerIn
) -> TimeAwayOut:
    membership = family_membership(request, family_id, roles=WRITERS)
    away = services.time_away_decline(
        family=membership.family,
        actor=actor(request),
        away=_away(membership.family, away_id),
        response=payload.response,
    )
    return _away_out(_away(membership.family, str(away.public_id)))


@router.post(
    "/families/{family_id}/plan/time-away/{away_id}/withdraw",
    response=TimeAwayOut,
    summary="Withdraw your offer",
)
def time_away_withdraw(request: HttpRequest, family_id: str, away_id: str) -> TimeAwayOut:
    membership = family_membership(request, family_id, roles=WRITERS)
    away = services.time_away_withdraw(
        family=membership.family, actor=actor(request), away=_away(membership.family, away_id)
    )
    return _away_out(_away(membership.family, str(away.public_id)))
