"""Reads of protective-order mode, asked by other apps' services and pages: who is protected,
and whether a member's words to the family must pass a form or the moderator."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy

from coparent.families.models import Family, Membership, Role
from coparent.safety.models import ContactDetails, HeldMessage, HeldStatus, ProtectiveOrder

CONFIDENTIAL_PLACE = gettext_lazy("A confidential place")


def active_orders(family: Family | int) -> list[ProtectiveOrder]:
    family_id = family if isinstance(family, int) else family.pk
    return list(
        ProtectiveOrder.objects.filter(family_id=family_id, ended_at__isnull=True).select_related(
            "protected__user", "moderator__user"
        )
    )


def order_protecting(membership: Membership) -> ProtectiveOrder | None:
    """The active order that protects this member, if any."""
    return ProtectiveOrder.objects.filter(
        family_id=membership.family_id, protected=membership, ended_at__isnull=True
    ).first()


def protected_user_ids(family: Family | int) -> set[int]:
    family_id = family if isinstance(family, int) else family.pk
    return set(
        ProtectiveOrder.objects.filter(family_id=family_id, ended_at__isnull=True).values_list(
            "protected__user_id", flat=True
        )
    )


def restriction_for(membership: Membership) -> ProtectiveOrder | None:
    """The order that restricts what this member may write: a parent other than the one it
    protects. Caregivers and professionals are not restricted by it."""
    if membership.role != Role.PARENT:
        return None
    return (
        ProtectiveOrder.objects.filter(family_id=membership.family_id, ended_at__isnull=True)
        .exclude(protected=membership)
        .select_related("moderator__user", "protected__user")
        .first()
    )


def restricted(membership: Membership, *, order_in_force: bool | None = None) -> bool:
    """Whether `restriction_for` would find an order, without loading it: the check every
    message send makes, almost always answered "no". `order_in_force` is `restricting_order`
    read with the member by the caller's own query, which saves this one."""
    if membership.role != Role.PARENT:
        return False
    if order_in_force is not None:
        return order_in_force
    return (
        ProtectiveOrder.objects.filter(family_id=membership.family_id, ended_at__isnull=True)
        .exclude(protected=membership)
        .exists()
    )


def restricting_order(membership: str) -> Exists:
    """For a query over rows that point at a member (`membership`, the path to it): whether an
    order in force protects someone else than that member, for `restricted(order_in_force=)`."""
    return Exists(
        ProtectiveOrder.objects.filter(
            family_id=OuterRef(f"{membership}__family_id"), ended_at__isnull=True
        ).exclude(protected_id=OuterRef(f"{membership}_id"))
    )


def hidden_from(viewer: Membership | None, family: Family | int) -> set[int]:
    """Users whose read receipts, contact details and activity this viewer must not see: the
    parents protected from them (everyone but the protected parent themselves)."""
    protected = protected_user_ids(family)
    if viewer is not None:
        protected.discard(viewer.user_id)
    return protected


def moderates(membership: Membership) -> bool:
    """Whether this member moderates an order in force (the only one who may decide held
    messages)."""
    return ProtectiveOrder.objects.filter(
        family_id=membership.family_id, moderator=membership, ended_at__isnull=True
    ).exists()


def held_for_moderator(membership: Membership) -> list[HeldMessage]:
    return list(
        HeldMessage.objects.filter(
            family_id=membership.family_id,
            order__moderator=membership,
            order__ended_at__isnull=True,
            status=HeldStatus.PENDING,
        )
        .select_related("thread", "sender")
        .order_by("created_at")
    )


def held_in_thread(thread_id: int, sender_id: int) -> list[HeldMessage]:
    """The sender's own messages in this conversation that the moderator has not delivered."""
    return list(
        HeldMessage.objects.filter(thread_id=thread_id, sender_id=sender_id)
        .exclude(status__in=[HeldStatus.APPROVED, HeldStatus.EDITED])
        .order_by("created_at")
    )


def places_confidential(family_id: int, user_id: int) -> bool:
    """Whether this member keeps their address and the places they enter confidential."""
    return ContactDetails.objects.filter(
        family_id=family_id, membership__user_id=user_id, confidential=True
    ).exists()


def any_places_confidential(family_id: int) -> bool:
    return ContactDetails.objects.filter(family_id=family_id, confidential=True).exists()


def shown_place(
    place: str, *, confidential: bool, owner_id: int | None, viewer_id: int | None
) -> str:
    """A place as this viewer may read it: a confidential one only its owner sees."""
    if not place or not confidential or (viewer_id is not None and viewer_id == owner_id):
        return place
    return str(CONFIDENTIAL_PLACE)


def contact_list(family: Family, viewer: Membership) -> list[dict[str, object]]:
    """Each active member's phone and address as the viewer may see them."""
    details = {d.membership_id: d for d in ContactDetails.objects.filter(family=family)}
    rows = []
    for member in Membership.objects.active().filter(family=family).select_related("user"):
        found = details.get(member.pk)
        if found is None or not (found.phone or found.address):
            continue
        mine = member.pk == viewer.pk
        rows.append(
            {
                "member": member,
                "phone": found.phone,
                "address": found.address if mine or not found.confidential else "",
                "confidential": found.confidential,
                "mine": mine,
            }
        )
    return rows


def my_contact(membership: Membership) -> dict[str, object]:
    found = ContactDetails.objects.filter(membership=membership).first()
    if found is None:
        return {}
    return {"phone": found.phone, "address": found.address, "confidential": found.confidential}
