"""API operations on decisions and agreements: propose, list, get, accept, decline, counter,
withdraw, comment; the family's agreements and their sharing. Parents write; professionals
read; caregivers and children read only the agreements shared with them (and no decision)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool

from coparent.api.base import actor, family_membership
from coparent.core.inputs import Instant, Text
from coparent.core.tenancy import get_for_family
from coparent.decisions import selectors, services
from coparent.decisions.models import (
    Agreement,
    Decision,
    Proposal,
)
from coparent.families.models import Child, Membership

router = Router(tags=["decisions"])
READERS = tuple(selectors.DECISION_READERS)

CategoryName = Literal[
    "education",
    "medical",
    "religion",
    "activities",
    "travel",
    "online",
    "partners",
    "relocation",
    "other",
]
Option = Annotated[str, Text(services.MAX_OPTION, required=True)]


class DecisionTermsIn(Schema):
    title: Annotated[str, Text(services.MAX_TITLE, required=True)]
    details: Annotated[str, Text(services.MAX_DETAILS)] = ""
    answer_kind: Literal["yes_no", "options"] = "yes_no"
    options: list[Option] = Field(
        default_factory=list,
        max_length=services.MAX_OPTIONS,
        description="Two or more, when answer_kind is options: the other parent chooses one",
    )
    respond_by: Instant
    on_no_answer: Literal["nothing", "court_default"] = Field(
        "nothing",
        description="nothing: it expires undecided; court_default: default_outcome applies",
    )
    default_outcome: Annotated[str, Text(services.MAX_DEFAULT)] = Field(
        "", description="The outcome a court order gives when there is no answer"
    )
    default_source: Annotated[str, Text(services.MAX_SOURCE)] = Field(
        "", description="Which order gives it, e.g. 'Order of 3 March 2025, para. 12'"
    )


class DecisionProposeIn(DecisionTermsIn):
    category: CategoryName
    children: list[uuid.UUID] = Field(
        default_factory=list, max_length=20, description="Empty: about the whole family"
    )
    supersedes: uuid.UUID | None = Field(
        None, description="An agreement in force that this one replaces once agreed"
    )


class DecisionAcceptIn(Schema):
    option: Annotated[str, Text(services.MAX_OPTION)] = Field(
        "", description="One of the proposal's options, when it has options"
    )


class DecisionDeclineIn(Schema):
    reason: Annotated[str, Text(services.MAX_REASON, required=True)]


class DecisionCommentIn(Schema):
    body: Annotated[str, Text(services.MAX_COMMENT, required=True)]


class AgreementShareIn(Schema):
    caregivers: StrictBool
    children: StrictBool


class DecisionVersionOut(Schema):
    id: uuid.UUID
    version: int
    counter_of: uuid.UUID | None
    status: str
    title: str
    details: str
    answer_kind: str
    options: list[str]
    payload: dict[str, Any]
    proposed_by: str
    proposed_at: dt.datetime
    respond_by: dt.datetime
    on_no_answer: str
    default_outcome: str
    default_source: str
    answered_by: str | None
    answered_at: dt.datetime | None
    chosen_option: str
    reason: str


class DecisionCommentOut(Schema):
    id: uuid.UUID
    author: str
    body: str
    created_at: dt.datetime
    version: int


class AgreementOut(Schema):
    id: uuid.UUID
    decision_id: uuid.UUID
    title: str
    category: str
    children: list[uuid.UUID]
    basis: str = Field(description="agreed, or court_default: the default outcome from the order")
    outcome: str
    proposed_by: str
    proposed_at: dt.datetime
    accepted_by: str | None
    accepted_at: dt.datetime | None
    agreed_at: dt.datetime
    in_force: bool
    superseded_by: uuid.UUID | None
    superseded_at: dt.datetime | None
    shared_with_caregivers: bool
    shared_with_children: bool


class DecisionOut(Schema):
    id: uuid.UUID
    subject: str
    subject_key: str
    category: str
    children: list[uuid.UUID]
    status: str
    created_by: str
    created_at: dt.datetime
    supersedes: uuid.UUID | None
    current: DecisionVersionOut
    versions: list[DecisionVersionOut]
    comments: list[DecisionCommentOut] | None = Field(None, description="On a single decision only")
    agreement: AgreementOut | None = Field(None, description="On a single decision only")


def _proposal_out(p: Proposal) -> DecisionVersionOut:
    return DecisionVersionOut(
        id=p.public_id,
        version=p.number,
        counter_of=None,
        status=p.current_status(),
        title=p.title,
        details=p.details,
        answer_kind=p.answer_kind,
        options=list(p.options),
        payload=p.payload,
        proposed_by=p.proposed_by.display_name,
        proposed_at=p.proposed_at,
        respond_by=p.respond_by,
        on_no_answer=p.on_no_answer,
        default_outcome=p.default_outcome,
        default_source=p.default_source,
        answered_by=p.answered_by.display_name if p.answered_by else None,
        answered_at=p.answered_at,
        chosen_option=p.chosen_option,
        reason=p.reason,
    )


def _agreement_out(a: Agreement) -> AgreementOut:
    return AgreementOut(
        id=a.public_id,
        decision_id=a.decision.public_id,
        title=a.proposal.title,
        category=a.decision.category,
        children=[c.public_id for c in a.decision.children.all()],
        basis=a.basis,
        outcome=a.outcome,
        proposed_by=a.proposed_by.display_name,
        proposed_at=a.proposed_at,
        accepted_by=a.accepted_by.display_name if a.accepted_by else None,
        accepted_at=a.accepted_at,
        agreed_at=a.agreed_at,
        in_force=a.in_force,
        superseded_by=a.superseded_by.public_id if a.superseded_by else None,
        superseded_at=a.superseded_at,
        shared_with_caregivers=a.shared_with_caregivers,
        shared_with_children=a.shared_with_children,
    )


def _decision_out(d: Decision, *, full: bool = False) -> DecisionOut:
    versions = list(d.proposals.all())
    by_pk = {p.pk: p for p in versions}
    outs = []
    for p in versions:
        out = _proposal_out(p)
        if p.counter_of_id in by_pk:
            out.counter_of = by_pk[p.counter_of_id].public_id
        outs.append(out)
    body = DecisionOut(
        id=d.public_id,
        subject=d.subject,
        subject_key=d.subject_key,
        category=d.category,
        children=[c.public_id for c in d.children.all()],
        status=d.status,
        created_by=d.created_by.display_name,
        created_at=d.created_at,
        supersedes=d.supersedes.public_id if d.supersedes_id and d.supersedes else None,
        current=outs[-1],
        versions=outs,
        comments=None,
        agreement=None,
    )
    if full:
        numbers = {p.pk: p.number for p in versions}
        body.comments = [
            DecisionCommentOut(
                id=c.public_id,
                author=c.author.display_name,
                body=c.body,
                created_at=c.created_at,
                version=numbers.get(c.proposal_id, 0),
            )
            for c in d.comments.all()
        ]
        found = selectors.decision_agreement(d)
        body.agreement = _agreement_out(found) if found else None
    return body


def _decision(membership: Membership, decision_id: uuid.UUID) -> Decision:
    found = get_for_family(Decision, membership.family, public_id=decision_id)
    return selectors.decision_get(membership.family, found)


def _full(membership: Membership, decision_id: uuid.UUID) -> DecisionOut:
    return _decision_out(_decision(membership, decision_id), full=True)


class DecisionListQuery(Schema):
    status: Literal["open", "agreed", "declined", "expired", "withdrawn"] | None = None


@router.get(
    "/families/{family_id}/decisions",
    response=list[DecisionOut],
    summary="The family's decisions (parents and professionals)",
)
def decision_list(
    request: HttpRequest, family_id: uuid.UUID, filters: Query[DecisionListQuery]
) -> list[DecisionOut]:
    membership = family_membership(request, family_id, roles=READERS)
    return [
        _decision_out(d) for d in selectors.decision_list(membership.family, status=filters.status)
    ]


@router.post(
    "/families/{family_id}/decisions",
    response={201: DecisionOut},
    summary="Propose a decision to the other parent",
)
def decision_propose(
    request: HttpRequest, family_id: uuid.UUID, payload: DecisionProposeIn
) -> Status[DecisionOut]:
    membership = family_membership(request, family_id, roles=READERS)
    family = membership.family
    children = [get_for_family(Child, family, public_id=c) for c in payload.children]
    supersedes = (
        get_for_family(Agreement, family, public_id=payload.supersedes)
        if payload.supersedes
        else None
    )
    decision = services.decision_propose(
        family=family,
        actor=actor(request),
        title=payload.title,
        details=payload.details,
        category=payload.category,
        children=children,
        answer_kind=payload.answer_kind,
        options=payload.options,
        respond_by=payload.respond_by,
        on_no_answer=payload.on_no_answer,
        default_outcome=payload.default_outcome,
        default_source=payload.default_source,
        supersedes=supersedes,
    )
    return Status(201, _full(membership, decision.public_id))


@router.get(
    "/families/{family_id}/decisions/{decision_id}",
    response=DecisionOut,
    summary="One decision with its versions, comments and agreement",
)
def decision_get(request: HttpRequest, family_id: uuid.UUID, decision_id: uuid.UUID) -> DecisionOut:
    membership = family_membership(request, family_id, roles=READERS)
    return _full(membership, decision_id)


def _current(membership: Membership, decision_id: uuid.UUID) -> Proposal:
    return selectors.current_proposal(_decision(membership, decision_id))


@router.post(
    "/families/{family_id}/decisions/{decision_id}/accept",
    response=DecisionOut,
    summary="Accept the pending version (choosing an option when it has options)",
)
def decision_accept(
    request: HttpRequest, family_id: uuid.UUID, decision_id: uuid.UUID, payload: DecisionAcceptIn
) -> DecisionOut:
    membership = family_membership(request, family_id, roles=READERS)
    services.decision_accept(
        family=membership.family,
        actor=actor(request),
        proposal=_current(membership, decision_id),
        option=payload.option,
    )
    return _full(membership, decision_id)


@router.post(
    "/families/{family_id}/decisions/{decision_id}/decline",
    response=DecisionOut,
    summary="Decline the pending version, saying why",
)
def decision_decline(
    request: HttpRequest, family_id: uuid.UUID, decision_id: uuid.UUID, payload: DecisionDeclineIn
) -> DecisionOut:
    membership = family_membership(request, family_id, roles=READERS)
    services.decision_decline(
        family=membership.family,
        actor=actor(request),
        proposal=_current(membership, decision_id),
        reason=payload.reason,
    )
    return _full(membership, decision_id)


@router.post(
    "/families/{family_id}/decisions/{decision_id}/counter",
    response={201: DecisionOut},
    summary="Answer the pending version with a new version",
)
def decision_counter(
    request: HttpRequest, family_id: uuid.UUID, decision_id: uuid.UUID, payload: DecisionTermsIn
) -> Status[DecisionOut]:
    membership = family_membership(request, family_id, roles=READERS)
    services.decision_counter(
        family=membership.family,
        actor=actor(request),
        proposal=_current(membership, decision_id),
        title=payload.title,
        details=payload.details,
        answer_kind=payload.answer_kind,
        options=payload.options,
        respond_by=payload.respond_by,
        on_no_answer=payload.on_no_answer,
        default_outcome=payload.default_outcome,
        default_source=payload.default_source,
    )
    return Status(201, _full(membership, decision_id))


@router.post(
    "/families/{family_id}/decisions/{decision_id}/withdraw",
    response=DecisionOut,
    summary="Withdraw your own pending version",
)
def decision_withdraw(
    request: HttpRequest, family_id: uuid.UUID, decision_id: uuid.UUID
) -> DecisionOut:
    membership = family_membership(request, family_id, roles=READERS)
    services.decision_withdraw(
        family=membership.family,
        actor=actor(request),
        proposal=_current(membership, decision_id),
    )
    return _full(membership, decision_id)


@router.post(
    "/families/{family_id}/decisions/{decision_id}/comments",
    response={201: DecisionCommentOut},
    summary="Comment on a decision (on the record)",
)
def decision_comment(
    request: HttpRequest, family_id: uuid.UUID, decision_id: uuid.UUID, payload: DecisionCommentIn
) -> Status[DecisionCommentOut]:
    membership = family_membership(request, family_id, roles=READERS)
    decision = get_for_family(Decision, membership.family, public_id=decision_id)
    comment = services.decision_comment(
        family=membership.family, actor=actor(request), decision=decision, body=payload.body
    )
    return Status(
        201,
        DecisionCommentOut(
            id=comment.public_id,
            author=comment.author.display_name,
            body=comment.body,
            created_at=comment.created_at,
            version=comment.proposal.number,
        ),
    )


@router.get(
    "/families/{family_id}/agreements",
    response=list[AgreementOut],
    summary="The agreements you may read (caregivers and children: only those shared)",
)
def agreement_list(request: HttpRequest, family_id: uuid.UUID) -> list[AgreementOut]:
    membership = family_membership(request, family_id)
    return [_agreement_out(a) for a in selectors.agreement_list(membership.family, membership)]


@router.post(
    "/families/{family_id}/agreements/{agreement_id}/share",
    response=AgreementOut,
    summary="Share an agreement with caregivers and/or children, or stop sharing it",
)
def agreement_share(
    request: HttpRequest, family_id: uuid.UUID, agreement_id: uuid.UUID, payload: AgreementShareIn
) -> AgreementOut:
    membership = family_membership(request, family_id, roles=READERS)
    agreement = get_for_family(Agreement, membership.family, public_id=agreement_id)
    services.agreement_share(
        family=membership.family,
        actor=actor(request),
        agreement=agreement,
        caregivers=payload.caregivers,
        children=payload.children,
    )
    found = next(
        a for a in selectors.agreement_list(membership.family, membership) if a.pk == agreement.pk
    )
    return _agreement_out(found)
