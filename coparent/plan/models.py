"""The parenting plan's own rows. Provisions themselves are agreed through the decisions app
(a decision whose subject is "plan.<kind>", its agreement in force is the provision); what is
stored here is what the plan makes happen: time away offered under the right of first refusal.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coparent.core.models import FamilyOwned


class OfferStatus(models.TextChoices):
    OFFERED = "offered", _("Waiting for the other parent")
    ACCEPTED = "accepted", _("Accepted: the other parent has the children")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", pgettext_lazy("status", "Withdrawn")
    EXPIRED = "expired", _("Expired without an answer")


class TimeAway(FamilyOwned):
    """A parent will be away for more than the plan's N hours during their time: the other
    parent is offered the time first. Accepted, it becomes an accepted swap of the schedule
    (`swap`), so the calendar and the counts show who has the children."""

    plan = models.ForeignKey("schedule.Plan", on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    note = models.CharField(max_length=1000, blank=True)
    # SHA-256(salt || note) is what the record holds; the export discloses the note with it.
    note_salt = models.BinaryField(default=bytes)
    hours = models.PositiveIntegerField()  # the plan's N when the offer was made
    respond_by = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=OfferStatus.choices, default=OfferStatus.OFFERED
    )
    created_at = models.DateTimeField(default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    response = models.CharField(max_length=1000, blank=True)
    swap = models.OneToOneField(
        "schedule.SwapRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-starts_at", "-pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["family", "status", "respond_by"])
        ]

    def __str__(self) -> str:
        return f"time away {self.public_id}"

    def current_status(self, now: dt.datetime | None = None) -> str:
        if self.status == OfferStatus.OFFERED and self.respond_by <= (now or timezone.now()):
            return OfferStatus.EXPIRED
        return str(self.status)

    @property
    def status_label(self) -> str:
        return str(OfferStatus(self.current_status()).label)
