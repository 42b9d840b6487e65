"""API operations for pickup passes: issue, list, revoke, co-sign (family members) and verify
(anyone holding the token, no account)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from coparent.api.base import actor, family_membership
from coparent.core import ratelimit
from coparent.core.http import client_address, throttle_key_for_address
from coparent.core.inputs import Instant, Text
from coparent.core.tenancy import NOT_FAMILY_SCOPED_API, get_for_family
from coparent.families.models import Child, Membership, Role
from coparent.passes import selectors, services
from coparent.passes.models import Gate, PickupPass
from coparent.passes.views import CHECK_WINDOW_SECONDS, CHECKS_PER_ADDRESS, PASS_ROLES
from coparent.safety import selectors as safety_selectors

router = Router(tags=["passes"])


class PassIn(Schema):
    person_name: Annotated[str, Text(100, required=True)]
    person_relationship: Annotated[str, Text(60)] = ""
    children: Annotated[list[uuid.UUID], Field(min_length=1)]
    place: Annotated[str, Text(120)] = ""
    gate_id: uuid.UUID | None = None
    holder_id: uuid.UUID | None = Field(
        None,
        description="A caregiver's membership id: the pass then shows on their own passes page.",
    )
    starts_at: Instant
    ends_at: Instant


class PassOut(Schema):
    id: uuid.UUID
    person_name: str
    person_relationship: str
    children: list[str]
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    needs_cosign: bool
    issued_by: str
    issued_at: dt.datetime
    token: str | None
    code: str | None


class VerifyOut(Schema):
    valid: bool
    reason: str | None
    message: str | None
    person_name: str | None = None
    children: list[str] | None = None
    place: str | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    issued_by: str | None = None
    issued_at: dt.datetime | None = None


def _out(p: PickupPass, *, credentials: bool = True, viewer_id: int | None = None) -> PassOut:
    """`credentials`: the token and code, which gate staff accept; for parents only, and for
    a pass to a confidential place (coparent/safety) for its issuer only."""
    hidden = p.place_confidential and viewer_id != p.issued_by.user_id
    credentials = credentials and not hidden
    return PassOut(
        id=p.public_id,
        person_name=p.person_name,
        person_relationship=p.person_relationship,
        children=[c.first_name for c in p.children.all()],
        place=str(safety_selectors.CONFIDENTIAL_PLACE) if hidden else p.place,
        starts_at=p.starts_at,
        ends_at=p.ends_at,
        status=selectors.status(p),
        needs_cosign=p.needs_cosign,
        issued_by=p.issued_by.user.display_name,
        issued_at=p.issued_at,
        token=selectors.token_for(p) if credentials else None,
        code=selectors.code_for(p) if credentials else None,
    )


@router.get(
    "/families/{family_id}/passes", response=list[PassOut], summary="The family's pickup passes"
)
def pass_list(request: HttpRequest, family_id: str) -> list[PassOut]:
    membership = family_membership(request, family_id, roles=PASS_ROLES)
    return [
        _out(p, credentials=membership.is_parent, viewer_id=membership.user_id)
        for p in selectors.pass_list(membership.family)
    ]


@router.post(
    "/families/{family_id}/passes", response={201: PassOut}, summary="Issue a pickup pass (parents)"
)
def pass_issue(request: HttpRequest, family_id: str, payload: PassIn) -> Status[PassOut]:
    family = family_membership(request, family_id, roles=[Role.PARENT]).family
    children = [get_for_family(Child, family, public_id=child_id) for child_id in payload.children]
    gate = get_for_family(Gate, family, public_id=payload.gate_id) if payload.gate_id else None
    holder = (
        get_for_family(
            Membership.objects.select_related("user"), family, public_id=payload.holder_id
        )
        if payload.holder_id
        else None
    )
    created = services.pass_issue(
        family=family,
        actor=actor(request),
        person_name=payload.person_name,
        person_relationship=payload.person_relationship,
        children=children,
        place=payload.place,
        gate=gate,
        holder=holder,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
    )
    return Status(201, _out(created, viewer_id=actor(request).pk))


@router.post(
    "/families/{family_id}/passes/{pass_id}/revoke", response=PassOut, summary="Revoke a pass"
)
def pass_revoke(request: HttpRequest, family_id: str, pass_id: str) -> PassOut:
    family = family_membership(request, family_id, roles=[Role.PARENT]).family
    found = get_for_family(PickupPass, family, public_id=pass_id)
    return _out(
        services.pass_revoke(family=family, actor=actor(request), pickup_pass=found),
        viewer_id=actor(request).pk,
    )


@router.post(
    "/families/{family_id}/passes/{pass_id}/cosign", response=PassOut, summary="Co-sign a pass"
)
def pass_cosign(request: HttpRequest, family_id: str, pass_id: str) -> PassOut:
    family = family_membership(request, family_id, roles=[Role.PARENT]).family
    found = get_for_family(PickupPass, family, public_id=pass_id)
    return _out(
        services.pass_cosign(family=family, actor=actor(request), pickup_pass=found),
        viewer_id=actor(request).pk,
    )


@router.get(
    "/passes/verify/{token}",
    response=VerifyOut,
    auth=None,
    summary="Check a pass (no account needed)",
    openapi_extra=NOT_FAMILY_SCOPED_API,
)
def pass_verify(request: HttpRequest, token: Annotated[str, Text(500)]) -> VerifyOut:
    if wait := ratelimit.hit(
        "pass-check",
        throttle_key_for_address(client_address(request)),
        limit=CHECKS_PER_ADDRESS,
        window_seconds=CHECK_WINDOW_SECONDS,
    ):
        raise ratelimit.RateLimited(_("Too many checks from this address; wait ten minutes."), wait)
    result = services.pass_check(token)
    found = result.pickup_pass
    body = VerifyOut(
        valid=result.valid,
        reason=result.reason or None,
        message=str(services.REASONS.get(result.reason, "")) or None,
    )
    if found is not None and result.valid:
        body.person_name = found.person_name
        body.children = [c.first_name for c in found.children.all()]
        body.place = found.place
        body.starts_at = found.starts_at
        body.ends_at = found.ends_at
        body.issued_by = services.issuer_names(found)
        body.issued_at = found.issued_at
    return body
