"""API operations of protective-order mode: its state for the caller, turning it on and off,
the structured message forms, free text for the moderator, and the moderator's queue."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from coparent.api.base import actor, family_membership
from coparent.core.errors import ServiceError
from coparent.core.inputs import Day, Text
from coparent.core.tenancy import get_for_family
from coparent.families.models import Child, Membership, Role
from coparent.messaging import selectors as messaging_selectors
from coparent.messaging.services import MAX_BODY
from coparent.safety import selectors, services, structured
from coparent.safety.models import HeldMessage

router = Router(tags=["safety"])


class ProtectionOut(Schema):
    protected: bool = Field(description="A protective order protects you in this family.")
    restricted: bool = Field(
        description="An order protecting the other parent limits your messages to the forms "
        "and the moderator."
    )
    order_id: uuid.UUID | None = Field(None, description="Your order (only when protected).")
    reference: str | None = Field(None, description="Your order's reference (only yours).")
    started_at: dt.datetime | None = None
    moderator: str | None = Field(None, description="Who moderates messages, if anyone.")


class ProtectionIn(Schema):
    reference: Annotated[str, Text(services.MAX_REFERENCE, required=True)]
    moderator_id: uuid.UUID | None = Field(
        None, description="A professional member's id (from the members list) to moderate."
    )


class StructuredIn(Schema):
    topic: Literal[tuple(structured.TOPICS)]  # type: ignore[valid-type]
    date: Day | None = None
    time: (
        Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="HH:MM")]
        | None
    ) = None
    minutes: int | None = Field(None, ge=1, le=structured.MAX_MINUTES)
    items: list[Literal[tuple(structured.ITEMS)]] | None = Field(None, max_length=8)  # type: ignore[valid-type]
    child_id: uuid.UUID | None = None
    symptom: Literal[tuple(structured.SYMPTOMS)] | None = None  # type: ignore[valid-type]
    medicine: Annotated[str, Text(structured.MAX_MEDICINE)] | None = None
    appointment: Literal[tuple(structured.APPOINTMENTS)] | None = None  # type: ignore[valid-type]


class StructuredOut(Schema):
    id: uuid.UUID
    body: str
    form: str
    created_at: dt.datetime


class HeldMessageIn(Schema):
    body: Annotated[str, Text(MAX_BODY, required=True)]


class HeldMessageOut(Schema):
    id: uuid.UUID
    thread_id: uuid.UUID
    sender: str
    body: str
    created_at: dt.datetime
    status: str
    reason: str
    delivered_id: uuid.UUID | None


class ModerationIn(Schema):
    decision: Literal["approved", "edited", "rejected"]
    edited: Annotated[str, Text(MAX_BODY)] = ""
    reason: Annotated[str, Text(services.MAX_REASON)] = ""


def _protection_out(membership: Membership) -> ProtectionOut:
    mine = selectors.order_protecting(membership) if membership.is_parent else None
    restricting = selectors.restriction_for(membership)
    shown = mine or restricting
    moderator = shown.moderator.user.display_name if shown and shown.moderator else None
    return ProtectionOut(
        protected=mine is not None,
        restricted=restricting is not None,
        order_id=mine.public_id if mine else None,
        reference=mine.reference if mine else None,
        started_at=mine.started_at if mine else None,
        moderator=moderator,
    )


def _held_out(held: HeldMessage) -> HeldMessageOut:
    return HeldMessageOut(
        id=held.public_id,
        thread_id=held.thread.public_id,
        sender=held.sender.display_name,
        body=held.body,
        created_at=held.created_at,
        status=held.status,
        reason=held.reason,
        delivered_id=held.delivered.public_id if held.delivered else None,
    )


@router.get(
    "/families/{family_id}/protection",
    response=ProtectionOut,
    summary="Protective-order mode as it applies to you (parents)",
)
def protection_get(request: HttpRequest, family_id: str) -> ProtectionOut:
    return _protection_out(family_membership(request, family_id, roles=[Role.PARENT]))


@router.post(
    "/families/{family_id}/protection",
    response={201: ProtectionOut},
    summary="Turn protective-order mode on for yourself (parents; no one else is asked)",
)
def protection_start(
    request: HttpRequest, family_id: str, payload: ProtectionIn
) -> Status[ProtectionOut]:
    membership = family_membership(request, family_id, roles=[Role.PARENT])
    moderator = (
        get_for_family(
            Membership.objects.active(), membership.family, public_id=payload.moderator_id
        )
        if payload.moderator_id
        else None
    )
    services.protection_start(
        family=membership.family,
        actor=actor(request),
        reference=payload.reference,
        moderator=moderator,
    )
    return Status(201, _protection_out(membership))


@router.post(
    "/families/{family_id}/protection/end",
    response=ProtectionOut,
    summary="Turn your protective-order mode off (only the parent it protects)",
)
def protection_end(request: HttpRequest, family_id: str) -> ProtectionOut:
    membership = family_membership(request, family_id, roles=[Role.PARENT])
    order = selectors.order_protecting(membership)
    if order is None:
        raise ServiceError(_("Protective-order mode is not on for you."))
    services.protection_end(family=membership.family, actor=actor(request), order=order)
    return _protection_out(membership)


@router.post(
    "/families/{family_id}/threads/{thread_id}/structured",
    response={201: StructuredOut},
    summary="Send a message with one of the protective order's message forms",
)
def structured_send(
    request: HttpRequest, family_id: str, thread_id: str, payload: StructuredIn
) -> Status[StructuredOut]:
    membership = family_membership(request, family_id, roles=[Role.PARENT])
    thread = messaging_selectors.thread_get(membership, thread_id)
    children = {
        str(c.public_id): c.first_name for c in Child.objects.filter(family=membership.family)
    }
    values = payload.dict()
    values["child"] = str(payload.child_id) if payload.child_id else None
    values["time"] = dt.time.fromisoformat(payload.time) if payload.time else None
    try:
        body = structured.compose(payload.topic, values, children)
    except structured.StructuredError as error:
        raise ServiceError(
            error.message, field="child_id" if error.field == "child" else error.field
        ) from None
    message = services.structured_send(
        family=membership.family,
        actor=actor(request),
        thread=thread,
        topic=payload.topic,
        body=body,
    )
    return Status(
        201,
        StructuredOut(
            id=message.public_id,
            body=message.body,
            form=message.form,
            created_at=message.created_at,
        ),
    )


@router.post(
    "/families/{family_id}/threads/{thread_id}/held",
    response={201: HeldMessageOut},
    summary="Write to the other parent through the moderator (under a protective order)",
)
def message_hold(
    request: HttpRequest, family_id: str, thread_id: str, payload: HeldMessageIn
) -> Status[HeldMessageOut]:
    membership = family_membership(request, family_id, roles=[Role.PARENT])
    thread = messaging_selectors.thread_get(membership, thread_id)
    held = services.message_hold(
        family=membership.family, actor=actor(request), thread=thread, body=payload.body
    )
    return Status(201, _held_out(held))


@router.get(
    "/families/{family_id}/moderation",
    response=list[HeldMessageOut],
    summary="Messages waiting for you to moderate (the family's moderator)",
)
def moderation_list(request: HttpRequest, family_id: str) -> list[HeldMessageOut]:
    membership = family_membership(request, family_id)
    return [_held_out(h) for h in selectors.held_for_moderator(membership)]


@router.post(
    "/families/{family_id}/moderation/{held_id}",
    response=HeldMessageOut,
    summary="Deliver, edit or reject a message waiting for moderation (the moderator only)",
)
def moderation_decide(
    request: HttpRequest, family_id: str, held_id: str, payload: ModerationIn
) -> HeldMessageOut:
    membership = family_membership(request, family_id, read_only_may_post=True)
    if not selectors.moderates(membership):
        raise ServiceError(_("Only the family's moderator can decide this."), code="forbidden")
    held = get_for_family(HeldMessage, membership.family, public_id=held_id)
    decided = services.held_decide(
        family=membership.family,
        actor=actor(request),
        held=held,
        decision=payload.decision,
        edited=payload.edited,
        reason=payload.reason,
    )
    return _held_out(decided)
