"""Parenting schedules as the family agreed them, swap requests, calendar events and feed links.

The rules live in the engine's JSON spec (`coparent.engine`); these tables keep who proposed and
who accepted each version, which family member each engine parent id ("A", "B") stands for, and
the events and swaps around them. Times are stored in UTC.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coparent.core.models import FamilyLink, FamilyOwned

PARENT_IDS = ("A", "B")


class Plan(FamilyOwned):
    """A schedule for all the family's children (child is empty) or for one child.

    The engine names parents "A" and "B"; `parent_a` and `parent_b` say who they are, so people
    only ever see names.
    """

    child = models.OneToOneField(
        "families.Child", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    parent_a = models.ForeignKey("families.Membership", on_delete=models.PROTECT, related_name="+")
    parent_b = models.ForeignKey("families.Membership", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["family"], condition=Q(child__isnull=True), name="one_shared_plan"
            )
        ]

    def __str__(self) -> str:
        return f"plan {self.public_id}"

    def membership_for(self, parent_id: str) -> Any:
        return self.parent_a if parent_id == "A" else self.parent_b

    def parent_id_of(self, membership_pk: int) -> str | None:
        if membership_pk == self.parent_a_id:
            return "A"
        if membership_pk == self.parent_b_id:
            return "B"
        return None


class VersionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for the other parent")
    ACCEPTED = "accepted", pgettext_lazy("proposal status", "Agreed")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", pgettext_lazy("status", "Withdrawn")
    EXPIRED = "expired", _("Expired without an answer")


class ScheduleVersion(FamilyOwned):
    """One proposed or agreed version of a plan. Agreed versions are never edited: a change is a
    new version with a later effective time, so the past stays as it was."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    spec = models.JSONField()
    effective_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=VersionStatus.choices, default=VersionStatus.PROPOSED
    )
    note = models.CharField(max_length=500, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    # A proposal nobody answers by then expires (schedule.tasks); empty only for versions that
    # were agreed or decided before proposals had a deadline.
    respond_by = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-proposed_at"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["plan", "status", "effective_at"])
        ]

    def __str__(self) -> str:
        return f"version {self.public_id}"


class SwapStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    COUNTERED = "countered", _("Answered with a counter-offer")
    WITHDRAWN = "withdrawn", pgettext_lazy("status", "Withdrawn")
    EXPIRED = "expired", _("Expired without an answer")


class SwapRequest(FamilyOwned):
    """A parent asks for the children during [start_at, end_at), optionally giving the other
    parent [offer_start_at, offer_end_at) back. Accepted, it becomes a swap in the engine spec
    (source "swap:<public_id>"). Past its deadline a pending request is expired: the worker
    stores that within minutes (schedule.tasks); until then `current_status` reads it."""

    # No index of its own: the window indexes below lead with the plan. With a plan-only index
    # beside them, SQLite (which keeps no statistics here) read a plan's whole history for
    # every page instead of the swaps that touch the window.
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="swaps", db_index=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    offer_start_at = models.DateTimeField(null=True, blank=True)
    offer_end_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=1000, blank=True)
    respond_by = models.DateTimeField()
    status = models.CharField(max_length=12, choices=SwapStatus.choices, default=SwapStatus.PENDING)
    counter_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="counters"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    response = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-requested_at"]
        # A page loads the accepted swaps that touch its window: both orders of the columns let
        # the database answer from the index without reading a plan's whole history.
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["plan", "status", "end_at", "start_at"]),
            models.Index(fields=["plan", "status", "offer_end_at", "offer_start_at"]),
            # The swaps page, newest first, a page at a time.
            models.Index(fields=["family", "-requested_at"]),
            # What waits for an answer (the navigation's count, the home page): read from the
            # open requests, not through a family's whole history of answered ones.
            models.Index(fields=["family", "status", "respond_by"], name="swap_open"),
        ]

    def __str__(self) -> str:
        return f"swap {self.public_id}"

    def current_status(self, now: Any = None) -> str:
        if self.status == SwapStatus.PENDING and self.respond_by <= (now or timezone.now()):
            return SwapStatus.EXPIRED
        return str(self.status)

    @property
    def status_label(self) -> str:
        return str(SwapStatus(self.current_status()).label)


class EventKind(models.TextChoices):
    SCHOOL = "school", _("School")
    MEDICAL = "medical", _("Doctor or health")
    ACTIVITY = "activity", _("Activity")
    OTHER = "other", _("Other")


class Event(FamilyOwned):
    """A school play, a doctor's appointment, a match: something on the family calendar."""

    title = models.CharField(_("what"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.CharField(_("place"), max_length=200, blank=True)
    place_is_home = models.BooleanField(default=False)
    # Entered by a member who keeps their places confidential (coparent/safety): only its
    # author reads it; everyone else, feeds and exports see "a confidential place".
    place_confidential = models.BooleanField(default=False)
    notes = models.CharField(_("notes"), max_length=1000, blank=True)
    children = models.ManyToManyField(
        "families.Child", blank=True, related_name="+", through="EventChild"
    )
    attendees = models.ManyToManyField(
        "families.Membership", blank=True, related_name="+", through="EventAttendee"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["starts_at"]
        # Pages ask for the events that overlap a window (ends after its start, starts before
        # its end): led by the end, the index reads the window and what follows it, never the
        # family's past.
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["family", "ends_at", "starts_at"])
        ]

    def __str__(self) -> str:
        return self.title


class EventChild(FamilyLink):
    """A child an event is for."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey("families.Child", on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "schedule_event_children"
        unique_together = (("event", "child"),)


class EventAttendee(FamilyLink):
    """A member who goes to an event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(
        "families.Membership", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        db_table = "schedule_event_attendees"
        unique_together = (("event", "membership"),)


class FeedToken(FamilyOwned):
    """A person's private calendar subscription link for one family. Only its SHA-256 is kept;
    the link is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
