"""Exchange terms both parents agreed, check-ins at exchanges, and reminder settings.

Exchanges themselves are not stored: they are generated from the schedule every time, so they
never drift from it. A check-in names the plan and the planned exchange time it belongs to.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coparent.core.models import FamilyOwned


class PlaceKind(models.TextChoices):
    SCHOOL = "school", _("At school")
    CURBSIDE = "curbside", _("Curbside at a home")
    PUBLIC = "public", _("A named public place")
    SUPERVISED = "supervised", _("A supervised exchange centre")


class TermsStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for the other parent")
    ACCEPTED = "accepted", pgettext_lazy("proposal status", "Agreed")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Replaced by a newer proposal")


class ExchangeTerms(FamilyOwned):
    plan = models.ForeignKey("schedule.Plan", on_delete=models.CASCADE, related_name="+")
    place_kind = models.CharField(max_length=12, choices=PlaceKind.choices)
    place_name = models.CharField(max_length=120)
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    grace_minutes = models.PositiveSmallIntegerField(default=15)
    transport = models.CharField(max_length=200, blank=True)
    conduct = models.TextField(blank=True)
    status = models.CharField(
        max_length=12, choices=TermsStatus.choices, default=TermsStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-proposed_at"]

    def __str__(self) -> str:
        return f"terms {self.public_id}: {self.place_name}"


class CheckIn(FamilyOwned):
    plan = models.ForeignKey("schedule.Plan", on_delete=models.CASCADE, related_name="+")
    exchange_at = models.DateTimeField()
    kind = models.CharField(max_length=12)
    member = models.ForeignKey("families.Membership", on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=1)  # the engine parent id the check-in speaks for
    at = models.DateTimeField(default=timezone.now)
    place = models.CharField(max_length=160, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["at"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["plan", "exchange_at"])]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["plan", "exchange_at", "side", "kind"], name="one_check_in_of_each_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"


class ReminderSetting(FamilyOwned):
    membership = models.OneToOneField(
        "families.Membership", on_delete=models.CASCADE, related_name="+"
    )
    minutes_before = models.JSONField(default=list)
    by_email = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"reminders for {self.membership_id}"


class ReminderSent(FamilyOwned):
    membership = models.ForeignKey(
        "families.Membership", on_delete=models.CASCADE, related_name="+"
    )
    exchange_at = models.DateTimeField()
    minutes_before = models.PositiveIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["membership", "exchange_at", "minutes_before"], name="one_reminder_each"
            )
        ]

    def __str__(self) -> str:
        return f"reminder {self.minutes_before} min before {self.exchange_at}"
