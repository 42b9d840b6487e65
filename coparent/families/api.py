"""API operations on families, their children, people and invitations."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from coparent.api.base import actor, family_membership
from coparent.core import ratelimit
from coparent.core.inputs import Day, JsonNumber, Text
from coparent.core.tenancy import NOT_FAMILY_SCOPED_API, get_for_family
from coparent.families import selectors, services
from coparent.families.access import describe
from coparent.families.models import (
    AccessRequest,
    Child,
    Family,
    Invitation,
    Membership,
    ProfessionalKind,
    Role,
)
from coparent.families.services import PROFESSIONAL_MAX_DAYS
from coparent.safety import selectors as safety_selectors

router = Router(tags=["families"])


class FamilyOut(Schema):
    id: uuid.UUID
    name: str
    your_role: str


class FamilyIn(Schema):
    name: Annotated[str, Text(100, required=True)]


class ChildOut(Schema):
    id: uuid.UUID
    first_name: str
    last_name: str
    date_of_birth: dt.date


class ChildIn(Schema):
    first_name: Annotated[str, Text(60, required=True)]
    last_name: Annotated[str, Text(60)] = ""
    date_of_birth: Day


class MemberOut(Schema):
    id: uuid.UUID
    name: str
    role: str
    label: str
    access_until: dt.datetime | None
    email: str | None = None


class InvitationOut(Schema):
    id: uuid.UUID
    role: str
    email: str
    relationship: str
    professional_kind: str
    status: str
    created_at: dt.datetime
    expires_at: dt.datetime
    access_days: int | None


class InvitationIn(Schema):
    role: Role
    email: Annotated[str, Text(254)] = ""
    relationship: Annotated[str, Text(60)] = ""
    professional_kind: ProfessionalKind | Literal[""] = ""
    access_days: Annotated[int, Field(ge=1, le=PROFESSIONAL_MAX_DAYS), JsonNumber] | None = None
    child_id: uuid.UUID | None = None


class InvitationCreated(InvitationOut):
    link: str


class AcceptIn(Schema):
    token: Annotated[str, Text(200, required=True)]


class AccessOut(Schema):
    at: dt.datetime
    person: str
    method: str
    path: str
    via_api: bool
    what: str = Field(description="The request in words, as the access log page shows it.")
    request_id: str = Field(description="This request's id (empty on rows from before ids).")
    page_request_id: str = Field(
        description="On a record check a page ran in the background, the request id of that "
        "page's row; empty otherwise."
    )


def _family_out(membership: Membership) -> FamilyOut:
    return FamilyOut(
        id=membership.family.public_id, name=membership.family.name, your_role=membership.role
    )


def _member_out(membership: Membership, viewer: Membership, hidden: set[int]) -> MemberOut:
    return MemberOut(
        id=membership.public_id,
        name=membership.user.display_name,
        role=membership.role,
        label=membership.role_label,
        access_until=membership.access_until,
        # Parents see how to reach the people they invited; nobody else sees addresses, and
        # nobody sees the address of a parent a protective order protects from them.
        email=membership.user.email
        if viewer.is_parent and membership.user_id not in hidden
        else None,
    )


def _invitation_out(invitation: Invitation) -> InvitationOut:
    return InvitationOut(
        id=invitation.public_id,
        role=invitation.role,
        email=invitation.email,
        relationship=invitation.relationship,
        professional_kind=invitation.professional_kind,
        status=invitation.status,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        access_days=invitation.access_days,
    )


def _child_out(child: Child) -> ChildOut:
    return ChildOut(
        id=child.public_id,
        first_name=child.first_name,
        last_name=child.last_name,
        date_of_birth=child.date_of_birth,
    )


@router.get(
    "/families",
    response=list[FamilyOut],
    summary="Families you belong to",
    openapi_extra=NOT_FAMILY_SCOPED_API,
)
def family_list(request: HttpRequest) -> list[FamilyOut]:
    return [_family_out(m) for m in selectors.family_list_for_user(actor(request))]


@router.post(
    "/families",
    response={201: FamilyOut},
    summary="Create a family (you become its first parent)",
    openapi_extra=NOT_FAMILY_SCOPED_API,
)
def family_create(request: HttpRequest, payload: FamilyIn) -> Status[FamilyOut]:
    family = services.family_create(actor=actor(request), name=payload.name)
    return Status(201, _family_out(family_membership(request, family.public_id)))


@router.get("/families/{family_id}", response=FamilyOut)
def family_get(request: HttpRequest, family_id: str) -> FamilyOut:
    return _family_out(family_membership(request, family_id))


@router.patch("/families/{family_id}", response=FamilyOut, summary="Rename a family (parents)")
def family_rename(request: HttpRequest, family_id: str, payload: FamilyIn) -> FamilyOut:
    membership = family_membership(request, family_id)
    family: Family = services.family_rename(
        family=membership.family, actor=actor(request), name=payload.name
    )
    membership.family = family
    return _family_out(membership)


@router.get("/families/{family_id}/children", response=list[ChildOut])
def child_list(request: HttpRequest, family_id: str) -> list[ChildOut]:
    return [
        _child_out(c) for c in selectors.child_list(family_membership(request, family_id).family)
    ]


@router.post(
    "/families/{family_id}/children", response={201: ChildOut}, summary="Add a child (parents)"
)
def child_add(request: HttpRequest, family_id: str, payload: ChildIn) -> Status[ChildOut]:
    family = family_membership(request, family_id).family
    child = services.child_add(family=family, actor=actor(request), **payload.model_dump())
    return Status(201, _child_out(child))


@router.patch(
    "/families/{family_id}/children/{child_id}", response=ChildOut, summary="Edit a child (parents)"
)
def child_update(request: HttpRequest, family_id: str, child_id: str, payload: ChildIn) -> ChildOut:
    family = family_membership(request, family_id).family
    child = get_for_family(Child, family, public_id=child_id)
    return _child_out(
        services.child_update(
            family=family, actor=actor(request), child=child, **payload.model_dump()
        )
    )


@router.get(
    "/families/{family_id}/members", response=list[MemberOut], summary="People in the family"
)
def member_list(request: HttpRequest, family_id: str) -> list[MemberOut]:
    viewer = family_membership(request, family_id)
    hidden = safety_selectors.hidden_from(viewer, viewer.family)
    return [_member_out(m, viewer, hidden) for m in selectors.member_list(viewer.family)]


@router.delete(
    "/families/{family_id}/members/{member_id}",
    response={204: None},
    summary="End someone's access",
)
def member_revoke(request: HttpRequest, family_id: str, member_id: str) -> Status[None]:
    family = family_membership(request, family_id).family
    membership = get_for_family(Membership, family, public_id=member_id)
    services.membership_revoke(family=family, actor=actor(request), membership=membership)
    return Status(204, None)


@router.get(
    "/families/{family_id}/invitations",
    response=list[InvitationOut],
    summary="Invitations (parents)",
)
def invitation_list(request: HttpRequest, family_id: str) -> list[InvitationOut]:
    family = family_membership(request, family_id, roles=[Role.PARENT]).family
    return [_invitation_out(i) for i in selectors.invitation_list(family)]


@router.post(
    "/families/{family_id}/invitations",
    response={201: InvitationCreated},
    summary="Invite someone with a role (parents); the link is returned once",
)
def invitation_create(
    request: HttpRequest, family_id: str, payload: InvitationIn
) -> Status[InvitationCreated]:
    family = family_membership(request, family_id, roles=[Role.PARENT]).family
    child = get_for_family(Child, family, public_id=payload.child_id) if payload.child_id else None
    invitation, token = services.invitation_create(
        family=family,
        actor=actor(request),
        role=payload.role,
        email=payload.email,
        relationship=payload.relationship,
        professional_kind=payload.professional_kind,
        access_days=payload.access_days,
        child=child,
    )
    return Status(
        201,
        InvitationCreated(
            **_invitation_out(invitation).model_dump(), link=services.invitation_link(token)
        ),
    )


@router.post(
    "/families/{family_id}/invitations/{invitation_id}/withdraw",
    response=InvitationOut,
    summary="Withdraw a pending invitation (parents)",
)
def invitation_revoke(request: HttpRequest, family_id: str, invitation_id: str) -> InvitationOut:
    family = family_membership(request, family_id, roles=[Role.PARENT]).family
    invitation = get_for_family(Invitation, family, public_id=invitation_id)
    services.invitation_revoke(family=family, actor=actor(request), invitation=invitation)
    invitation.refresh_from_db()
    return _invitation_out(invitation)


@router.post(
    "/families/{family_id}/invitations/{invitation_id}/resend",
    response=InvitationCreated,
    summary="Send a pending or expired invitation again with a new link (parents); the old link "
    "stops working",
)
def invitation_resend(
    request: HttpRequest, family_id: str, invitation_id: str
) -> InvitationCreated:
    family = family_membership(request, family_id, roles=[Role.PARENT]).family
    invitation = get_for_family(Invitation, family, public_id=invitation_id)
    if wait := ratelimit.hit(
        "invitation-resend",
        str(invitation.public_id),
        limit=services.RESENDS_PER_HOUR,
        window_seconds=3600,
    ):
        raise ratelimit.RateLimited(_("This invitation was sent often; wait a while."), wait)
    invitation, token = services.invitation_resend(
        family=family, actor=actor(request), invitation=invitation
    )
    return InvitationCreated(
        **_invitation_out(invitation).model_dump(), link=services.invitation_link(token)
    )


@router.post(
    "/invitations/accept",
    response={201: FamilyOut},
    summary="Accept an invitation by its token",
    openapi_extra=NOT_FAMILY_SCOPED_API,
)
def invitation_accept(request: HttpRequest, payload: AcceptIn) -> Status[FamilyOut]:
    membership = services.invitation_accept(token=payload.token, user=actor(request))
    return Status(201, _family_out(membership))


@router.get(
    "/families/{family_id}/access-log",
    response=list[AccessOut],
    summary="Professionals' visits (parents)",
)
def access_log(request: HttpRequest, family_id: str) -> list[AccessOut]:
    family = family_membership(request, family_id, roles=[Role.PARENT]).family
    return [
        AccessOut(
            at=e.at,
            person=e.user.display_name,
            method=e.method,
            path=e.path,
            via_api=e.via_api,
            what=describe(e),
            request_id=e.request_id,
            page_request_id=e.page_request_id,
        )
        for e in selectors.access_log_list(family)
    ]


# The professionals' workspace ------------------------------------------------------------


class WorkspaceAccessOut(Schema):
    family_id: uuid.UUID
    family_name: str
    professional_kind: str
    access_until: dt.datetime | None


class AccessRequestOut(Schema):
    id: uuid.UUID
    email: str
    professional_kind: str
    access_days: int
    status: str
    created_at: dt.datetime
    expires_at: dt.datetime


class AccessRequestIn(Schema):
    email: Annotated[str, Text(254, required=True)]
    professional_kind: ProfessionalKind
    access_days: Annotated[int, Field(ge=1, le=PROFESSIONAL_MAX_DAYS), JsonNumber] | None = None
    note: Annotated[str, Text(500)] = ""


class WorkspaceOut(Schema):
    families: list[WorkspaceAccessOut]
    requests: list[AccessRequestOut]


def _request_out(found: AccessRequest) -> AccessRequestOut:
    return AccessRequestOut(
        id=found.public_id,
        email=found.email,
        professional_kind=found.professional_kind,
        access_days=found.access_days,
        status=found.status,
        created_at=found.created_at,
        expires_at=found.expires_at,
    )


@router.get(
    "/workspace",
    response=WorkspaceOut,
    summary="A professional's families (with when each access ends) and requests for access",
    openapi_extra=NOT_FAMILY_SCOPED_API,
)
def workspace(request: HttpRequest) -> WorkspaceOut:
    user = actor(request)
    return WorkspaceOut(
        families=[
            WorkspaceAccessOut(
                family_id=m.family.public_id,
                family_name=m.family.name,
                professional_kind=m.professional_kind,
                access_until=m.access_until,
            )
            for m in selectors.professional_access_list(user)
        ],
        requests=[_request_out(r) for r in selectors.access_request_list(user)[:100]],
    )


@router.post(
    "/workspace/access-requests",
    response={202: AccessRequestOut},
    summary="Ask the parent at an email address for read-only access (the same answer whether "
    "or not the address has an account)",
    openapi_extra=NOT_FAMILY_SCOPED_API,
)
def access_request_create(
    request: HttpRequest, payload: AccessRequestIn
) -> Status[AccessRequestOut]:
    found = services.access_request_create(actor=actor(request), **payload.model_dump())
    return Status(202, _request_out(found))
