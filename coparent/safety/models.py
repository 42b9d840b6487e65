"""Protective-order mode: turned on by the parent it protects, alone, and ended only by them.

While it is on, messages from the other parent take structured forms or pass a moderator (a
professional in the family), the protected parent's read receipts and contact details stay out
of the other parent's sight, and check-ins carry no place. Everything stays on the record."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coparent.core.models import FamilyOwned


class ProtectiveOrder(FamilyOwned):
    protected = models.ForeignKey(
        "families.Membership", on_delete=models.PROTECT, related_name="protective_orders"
    )
    reference = models.CharField(_("the order's reference"), max_length=120)
    reference_salt = models.BinaryField()
    moderator = models.ForeignKey(
        "families.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderating",
    )
    # The order itself, if the parent uploads it (cleaned like any attachment).
    document_name = models.CharField(max_length=120, blank=True)
    document_stored = models.CharField(max_length=200, blank=True)
    document_type = models.CharField(max_length=64, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["family", "protected"],
                condition=Q(ended_at__isnull=True),
                name="one_active_protective_order_per_parent",
            )
        ]

    def __str__(self) -> str:
        return f"protective order {self.public_id}"

    @property
    def active(self) -> bool:
        return self.ended_at is None


class HeldStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the moderator")
    APPROVED = "approved", _("Delivered as written")
    EDITED = "edited", _("Delivered as edited by the moderator")
    REJECTED = "rejected", _("Not delivered")
    WITHDRAWN = "withdrawn", _("Withdrawn by the sender")


class HeldMessage(FamilyOwned):
    """Free text from a restricted parent, kept as written until the moderator decides. The
    written text never changes: an edit is delivered as a new message, and both are on the
    record."""

    order = models.ForeignKey(ProtectiveOrder, on_delete=models.PROTECT, related_name="held")
    thread = models.ForeignKey("messaging.Thread", on_delete=models.CASCADE, related_name="+")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    salt = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=HeldStatus.choices, default=HeldStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    delivered = models.OneToOneField(
        "messaging.Message", null=True, blank=True, on_delete=models.PROTECT, related_name="held"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["family", "status"])]

    def __str__(self) -> str:
        return f"held message {self.public_id}"


class ContactDetails(FamilyOwned):
    """A member's phone and address as the family sees them on the People page. With
    `confidential`, the address and every place this member enters (an event's place, a pass's
    place) never reach the other parent or anyone else but them."""

    membership = models.OneToOneField(
        "families.Membership", on_delete=models.CASCADE, related_name="contact"
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(pgettext_lazy("home address", "address"), max_length=300, blank=True)
    confidential = models.BooleanField(_("keep my address and places confidential"), default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"contact details {self.public_id}"
