"""Writes of protective-order mode: turning it on and off (the protected parent alone), naming
the moderator, holding free text for the moderator, and the moderator's decisions."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coparent.accounts.models import User
from coparent.core.errors import ServiceError
from coparent.families.models import Family, Membership, Role
from coparent.families.services import require_member, require_parent
from coparent.messaging import files
from coparent.messaging import services as messaging
from coparent.messaging.models import Message, Thread, ThreadParticipant
from coparent.notifications.models import Channel, Kind
from coparent.notifications.services import Detail, notify, settings_get, settings_update
from coparent.records.services import family_lock, record_append
from coparent.safety import selectors
from coparent.safety.models import ContactDetails, HeldMessage, HeldStatus, ProtectiveOrder
from coparent.tlog import content_hash, new_salt

MAX_REFERENCE = 120
MAX_REASON = 500


@dataclass(frozen=True)
class Document:
    name: str
    data: bytes


def _other_parents(family: Family, protected: Membership) -> list[User]:
    return [
        m.user
        for m in Membership.objects.active()
        .filter(family=family, role=Role.PARENT)
        .exclude(pk=protected.pk)
        .select_related("user")
    ]


def _moderator_of(family: Family, moderator: Membership | None) -> Membership | None:
    if moderator is None:
        return None
    if (
        moderator.family_id != family.pk
        or moderator.role != Role.PROFESSIONAL
        or not moderator.is_active()
    ):
        raise ServiceError(
            _("The moderator must be a professional with access to this family."),
            field="moderator",
        )
    return moderator


@transaction.atomic
def protection_start(
    *,
    family: Family,
    actor: User,
    reference: str,
    moderator: Membership | None = None,
    document: Document | None = None,
) -> ProtectiveOrder:
    """The actor turns the mode on for themselves. Nobody else is asked: the other parent is
    told only that messages now follow the order's rules."""
    protected = require_parent(family, actor)
    reference = " ".join(reference.split())
    if not reference:
        raise ServiceError(
            _("Give the order's reference, as it is written on it."), field="reference"
        )
    if len(reference) > MAX_REFERENCE or not reference.isprintable():
        raise ServiceError(
            _("A reference can be at most %(n)d characters.") % {"n": MAX_REFERENCE},
            field="reference",
        )
    moderator = _moderator_of(family, moderator)
    clean = files.clean_upload(document.data) if document is not None else None
    digest = hashlib.sha256(clean.data).hexdigest() if clean is not None else ""
    family_lock(family)
    if selectors.order_protecting(protected) is not None:
        raise ServiceError(_("Protective-order mode is already on for you."))
    salt = new_salt()
    stored = files.store(str(family.public_id), clean.data) if clean is not None else ""
    try:
        order = ProtectiveOrder.objects.create(
            family=family,
            protected=protected,
            reference=reference,
            reference_salt=salt,
            moderator=moderator,
            document_name=files.safe_name(document.name, clean.media_type)
            if document is not None and clean is not None
            else "",
            document_stored=stored,
            document_type=clean.media_type if clean is not None else "",
            document_sha256=digest,
        )
        fields = {
            "order": str(order.public_id),
            "protected": str(actor.public_id),
            "reference": content_hash(salt, reference.encode("utf-8")),
            "moderator": str(moderator.user.public_id) if moderator else "",
        }
        if clean is not None:
            fields["document_sha256"] = digest
        record_append(family=family, actor=actor, kind="safety.protection_started", fields=fields)
        _quiet_notifications(actor)
        notify(
            family,
            _other_parents(family, protected),
            Kind.PROTECTION,
            link=reverse("messaging:threads", args=[family.public_id]),
            detail=Detail(
                gettext_lazy("Messages in this family now follow a protective order"),
                gettext_lazy(
                    "Write through the message forms for exchanges, health and the schedule, "
                    "or through the moderator."
                ),
            ),
        )
        if moderator is not None:
            _tell_moderator(family, order, moderator)
    except BaseException:
        if stored:
            files.remove(stored)
        raise
    return order


def _quiet_notifications(user: User) -> None:
    """A protected parent's notifications default to one neutral daily summary: a phone or
    mailbox someone else reads must not show names or words. They can change it after."""
    current = settings_get(user)
    settings_update(
        user=user,
        channels={kind: Channel.DIGEST for kind in Kind.values},
        quiet_start=current.quiet_start,
        quiet_end=current.quiet_end,
        include_details=False,
        digest_hour=current.digest_hour,
    )


def _tell_moderator(family: Family, order: ProtectiveOrder, moderator: Membership) -> None:
    notify(
        family,
        [moderator.user],
        Kind.MODERATION,
        link=reverse("safety:moderation", args=[family.public_id]),
        detail=Detail(
            gettext_lazy("You moderate this family's messages"),
            gettext_lazy(
                "Messages from the other parent wait for you to deliver, edit or reject them."
            ),
        ),
    )


def _order_of(family: Family, actor: User, order: ProtectiveOrder) -> ProtectiveOrder:
    protected = require_parent(family, actor)
    family_lock(family)
    locked = (
        ProtectiveOrder.objects.select_for_update(no_key=True)
        .filter(pk=order.pk, family=family)
        .first()
    )
    if locked is None or locked.protected_id != protected.pk:
        raise ServiceError(_("Only the parent it protects can change this."), code="forbidden")
    if locked.ended_at is not None:
        raise ServiceError(_("Protective-order mode is already off."))
    return locked


@transaction.atomic
def protection_end(*, family: Family, actor: User, order: ProtectiveOrder) -> ProtectiveOrder:
    locked = _order_of(family, actor, order)
    locked.ended_at = timezone.now()
    locked.save(update_fields=["ended_at"])
    # Messages still waiting go nowhere: the sender can write them again, now freely.
    HeldMessage.objects.filter(order=locked, status=HeldStatus.PENDING).update(
        status=HeldStatus.WITHDRAWN, decided_at=locked.ended_at
    )
    record_append(
        family=family,
        actor=actor,
        kind="safety.protection_ended",
        fields={"order": str(locked.public_id)},
    )
    notify(
        family,
        _other_parents(family, locked.protected),
        Kind.PROTECTION,
        link=reverse("messaging:threads", args=[family.public_id]),
        detail=Detail(gettext_lazy("Messages in this family no longer follow a protective order")),
    )
    return locked


@transaction.atomic
def moderator_set(
    *, family: Family, actor: User, order: ProtectiveOrder, moderator: Membership | None
) -> ProtectiveOrder:
    locked = _order_of(family, actor, order)
    moderator = _moderator_of(family, moderator)
    if (
        moderator is None
        and HeldMessage.objects.filter(order=locked, status=HeldStatus.PENDING).exists()
    ):
        raise ServiceError(
            _("Messages are waiting for the moderator: name another one instead."),
            field="moderator",
        )
    locked.moderator = moderator
    locked.save(update_fields=["moderator"])
    record_append(
        family=family,
        actor=actor,
        kind="safety.moderator_set",
        fields={
            "order": str(locked.public_id),
            "moderator": str(moderator.user.public_id) if moderator else "",
        },
    )
    if moderator is not None:
        _tell_moderator(family, locked, moderator)
    return locked


@transaction.atomic
def structured_send(
    *, family: Family, actor: User, thread: Thread, topic: str, body: str
) -> Message:
    """A message composed by one of the structured forms (safety.structured.compose): delivered
    at once, with the form named on the record."""
    return messaging.message_send(
        family=family, actor=actor, thread=thread, body=body, confirm_tone=True, form=topic
    )


@transaction.atomic
def message_hold(*, family: Family, actor: User, thread: Thread, body: str) -> HeldMessage:
    """Free text from a restricted parent, kept for the moderator. Its words are hashed on the
    record now, so what the moderator later delivers can be compared with what was written."""
    membership = require_member(family, actor, writable=True)
    if (
        thread.family_id != family.pk
        or not ThreadParticipant.objects.filter(thread=thread, membership=membership).exists()
    ):
        raise ServiceError(_("You are not in this conversation."), code="forbidden")
    order = selectors.restriction_for(membership)
    if order is None:
        raise ServiceError(_("Your messages need no moderator: send it as usual."))
    if order.moderator is None or not order.moderator.is_active():
        raise ServiceError(
            _("No moderator is named yet: use the forms for exchanges, health and the schedule."),
            field="body",
        )
    body = messaging.clean_body(body)
    family_lock(family)
    salt = new_salt()
    held = HeldMessage.objects.create(
        family=family, order=order, thread=thread, sender=actor, body=body, salt=salt
    )
    record_append(
        family=family,
        actor=actor,
        kind="safety.message_held",
        fields={
            "held": str(held.public_id),
            "thread": str(thread.public_id),
            "content": content_hash(salt, body.encode("utf-8")),
        },
    )
    notify(
        family,
        [order.moderator.user],
        Kind.MODERATION,
        link=reverse("safety:moderation", args=[family.public_id]),
        detail=Detail(gettext_lazy("A message is waiting for you to moderate")),
    )
    return held


def _held_for(family: Family, actor: User, held: HeldMessage) -> HeldMessage:
    membership = require_member(family, actor)
    family_lock(family)
    locked = (
        HeldMessage.objects.select_for_update(no_key=True, of=("self",))
        .select_related("order__moderator", "thread", "sender")
        .filter(pk=held.pk, family=family)
        .first()
    )
    if locked is None or locked.order.moderator_id != membership.pk or not membership.is_active():
        raise ServiceError(_("Only the family's moderator can decide this."), code="forbidden")
    if locked.order.ended_at is not None:
        raise ServiceError(_("Protective-order mode has ended; this message was withdrawn."))
    if locked.status != HeldStatus.PENDING:
        raise ServiceError(_("This message has already been decided."))
    return locked


@transaction.atomic
def held_decide(
    *,
    family: Family,
    actor: User,
    held: HeldMessage,
    decision: str,
    edited: str = "",
    reason: str = "",
) -> HeldMessage:
    """The moderator delivers the message as written, delivers an edited version, or rejects
    it with a reason the sender reads. The written words stay as they were, on the record."""
    locked = _held_for(family, actor, held)
    reason = " ".join(reason.split())
    if len(reason) > MAX_REASON:
        raise ServiceError(
            _("A reason can be at most %(n)d characters.") % {"n": MAX_REASON}, field="reason"
        )
    if decision == HeldStatus.REJECTED and not reason:
        raise ServiceError(_("Tell the sender why it is not delivered."), field="reason")
    if decision not in (HeldStatus.APPROVED, HeldStatus.EDITED, HeldStatus.REJECTED):
        raise ServiceError(_("Deliver, edit or reject the message."), field="decision")
    delivered: Message | None = None
    if decision in (HeldStatus.APPROVED, HeldStatus.EDITED):
        text = locked.body
        if decision == HeldStatus.EDITED:
            text = messaging.clean_body(edited)
            if text == locked.body:
                decision = HeldStatus.APPROVED
        delivered = messaging.message_send(
            family=family,
            actor=locked.sender,
            thread=locked.thread,
            body=text,
            confirm_tone=True,
            moderated=str(decision),
        )
    locked.status = decision
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.reason = reason
    locked.delivered = delivered
    locked.save(update_fields=["status", "decided_by", "decided_at", "reason", "delivered"])
    fields = {"held": str(locked.public_id), "decision": str(decision)}
    if delivered is not None:
        fields["message"] = str(delivered.public_id)
    record_append(family=family, actor=actor, kind="safety.message_moderated", fields=fields)
    notify(
        family,
        [locked.sender],
        Kind.MODERATION,
        link=reverse("messaging:thread", args=[family.public_id, locked.thread.public_id]),
        detail=Detail(
            {
                HeldStatus.APPROVED: gettext_lazy("The moderator delivered your message"),
                HeldStatus.EDITED: gettext_lazy(
                    "The moderator delivered your message with changes"
                ),
                HeldStatus.REJECTED: gettext_lazy("The moderator did not deliver your message"),
            }[HeldStatus(decision)],
            reason,
        ),
    )
    return locked


MAX_PHONE = 40
MAX_ADDRESS = 300


@transaction.atomic
def contact_update(
    *, family: Family, actor: User, phone: str, address: str, confidential: bool
) -> ContactDetails:
    """A member's own phone and address. Not on the family record: an address there could
    never be taken back, and the record is read by the other parent."""
    membership = require_member(family, actor, writable=True)
    phone = " ".join(phone.split())
    address = " ".join(address.split())
    if len(phone) > MAX_PHONE or not phone.isprintable():
        raise ServiceError(
            _("A phone number can be at most %(n)d characters.") % {"n": MAX_PHONE}, field="phone"
        )
    if len(address) > MAX_ADDRESS or not address.isprintable():
        raise ServiceError(
            _("An address can be at most %(n)d characters.") % {"n": MAX_ADDRESS}, field="address"
        )
    details, _created = ContactDetails.objects.select_for_update(no_key=True).get_or_create(
        family=family, membership=membership
    )
    details.phone = phone
    details.address = address
    details.confidential = confidential
    details.updated_at = timezone.now()
    details.save()
    return details
