"""API operations for a child's information: read it as the caller may see it; parents add,
change and remove items."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from coparent.api.base import actor, family_membership
from coparent.childinfo import kinds, selectors, services
from coparent.childinfo.models import InfoItem
from coparent.core.inputs import Text
from coparent.core.tenancy import get_for_family
from coparent.families.models import Child, Membership, Role

router = Router(tags=["children's information"])

KindName = Literal[kinds.KIND_NAMES]  # type: ignore[valid-type]
VisibilityName = Literal["parents", "caregivers", "family"]
# Field names are checked against the kind (an unknown one is a 400 naming it), not by the
# schema: a JSON schema's rules for property names are not honoured by every client or fuzzer.
FieldText = Annotated[str, Text(kinds.LONG)]

VALUES_HELP = (
    "The kind's fields by name, as text: dates as 2026-01-31, times as 16:30, days as "
    "'mon,wed'. Fields left out or empty are cleared. See the page's form for each kind's fields."
)


FIELD_VISIBILITY_HELP = (
    "Fields seen by fewer people than the item, by name (a field never shows to more people "
    "than its item)."
)


class ItemIn(Schema):
    kind: KindName
    values: dict[str, FieldText] = Field(description=VALUES_HELP)
    visibility: VisibilityName | None = Field(
        None, description="Who may see the item; the kind's default when left out."
    )
    field_visibility: dict[str, VisibilityName] | None = Field(
        None, description=FIELD_VISIBILITY_HELP + " The kind's default when left out."
    )
    child_may_see: bool = False


class ItemUpdateIn(Schema):
    values: dict[str, FieldText] = Field(description=VALUES_HELP)
    visibility: VisibilityName | None = Field(None, description="Unchanged when left out.")
    field_visibility: dict[str, VisibilityName] | None = Field(
        None, description=FIELD_VISIBILITY_HELP + " Unchanged when left out."
    )
    child_may_see: bool | None = Field(None, description="Unchanged when left out.")


class ItemOut(Schema):
    id: uuid.UUID
    kind: str
    kind_label: str
    section: str
    title: str
    values: dict[str, str]
    visibility: str
    field_visibility: dict[str, str] = Field(description="Parents only; empty for others.")
    child_may_see: bool
    version: int
    updated_at: dt.datetime


class ChildInfoOut(Schema):
    child_id: uuid.UUID
    first_name: str
    items: list[ItemOut]


class InfoVersionOut(Schema):
    number: int
    action: str
    values: dict[str, str]
    visibility: str
    field_visibility: dict[str, str]
    child_may_see: bool
    changed_by: str | None
    changed_at: dt.datetime


def _out(shown: selectors.ShownItem, membership: Membership) -> ItemOut:
    item = shown.item
    return ItemOut(
        id=item.public_id,
        kind=item.kind,
        kind_label=str(item.spec.label),
        section=item.spec.section,
        title=shown.title,
        values=shown.values,
        visibility=item.visibility,
        field_visibility=item.field_visibility if membership.is_parent else {},
        child_may_see=item.child_may_see,
        version=item.version,
        updated_at=item.updated_at,
    )


def _child(membership: Membership, child_id: str) -> Child:
    return get_for_family(
        selectors.child_queryset(membership.family, membership),
        membership.family,
        public_id=child_id,
    )


def _item(membership: Membership, child: Child, item_id: str) -> InfoItem:
    """An item the caller may see, or 404 (the same as a missing one)."""
    return get_for_family(
        selectors.item_queryset(membership.family, membership, child),
        membership.family,
        public_id=item_id,
    )


@router.get(
    "/families/{family_id}/children/{child_id}/info",
    response=ChildInfoOut,
    summary="A child's information, as far as you may see it",
)
def child_info(request: HttpRequest, family_id: str, child_id: str) -> ChildInfoOut:
    membership = family_membership(request, family_id)
    child = _child(membership, child_id)
    return ChildInfoOut(
        child_id=child.public_id,
        first_name=child.first_name,
        items=[
            _out(s, membership) for s in selectors.item_list(membership.family, membership, child)
        ],
    )


@router.post(
    "/families/{family_id}/children/{child_id}/info",
    response={201: ItemOut},
    summary="Add an item to a child's information (parents)",
)
def item_create(
    request: HttpRequest, family_id: str, child_id: str, payload: ItemIn
) -> Status[ItemOut]:
    membership = family_membership(request, family_id, roles=[Role.PARENT])
    child = _child(membership, child_id)
    item = services.item_create(
        family=membership.family,
        actor=actor(request),
        child=child,
        kind=payload.kind,
        values=payload.values,
        visibility=payload.visibility,
        field_visibility=payload.field_visibility,
        child_may_see=payload.child_may_see,
    )
    return Status(201, _out(selectors.shown(item, membership), membership))


@router.get(
    "/families/{family_id}/children/{child_id}/info/{item_id}",
    response=ItemOut,
    summary="One item of a child's information",
)
def item_get(request: HttpRequest, family_id: str, child_id: str, item_id: str) -> ItemOut:
    membership = family_membership(request, family_id)
    child = _child(membership, child_id)
    return _out(selectors.shown(_item(membership, child, item_id), membership), membership)


@router.put(
    "/families/{family_id}/children/{child_id}/info/{item_id}",
    response=ItemOut,
    summary="Change an item (parents): a new version",
)
def item_update(
    request: HttpRequest, family_id: str, child_id: str, item_id: str, payload: ItemUpdateIn
) -> ItemOut:
    membership = family_membership(request, family_id, roles=[Role.PARENT])
    child = _child(membership, child_id)
    item = services.item_update(
        family=membership.family,
        actor=actor(request),
        item=_item(membership, child, item_id),
        values=payload.values,
        visibility=payload.visibility,
        field_visibility=payload.field_visibility,
        child_may_see=payload.child_may_see,
    )
    return _out(selectors.shown(item, membership), membership)


@router.delete(
    "/families/{family_id}/children/{child_id}/info/{item_id}",
    response={204: None},
    summary="Remove an item (parents); its versions are kept",
)
def item_remove(request: HttpRequest, family_id: str, child_id: str, item_id: str) -> Status[None]:
    membership = family_membership(request, family_id, roles=[Role.PARENT])
    child = _child(membership, child_id)
    services.item_remove(
        family=membership.family, actor=actor(request), item=_item(membership, child, item_id)
    )
    return Status(204, None)


@router.get(
    "/families/{family_id}/children/{child_id}/info/{item_id}/versions",
    response=list[InfoVersionOut],
    summary="Every version of an item, newest first (parents)",
)
def item_versions(
    request: HttpRequest, family_id: str, child_id: str, item_id: str
) -> list[InfoVersionOut]:
    membership = family_membership(request, family_id, roles=[Role.PARENT])
    child = _child(membership, child_id)
    item = get_for_family(
        InfoItem.objects.filter(child=child), membership.family, public_id=item_id
    )
    return [
        InfoVersionOut(
            number=v.number,
            action=v.action,
            values=v.values,
            visibility=v.visibility,
            field_visibility=v.field_visibility,
            child_may_see=v.child_may_see,
            changed_by=v.changed_by.display_name if v.changed_by else None,
            changed_at=v.changed_at,
        )
        for v in item.versions.select_related("changed_by")
    ]
