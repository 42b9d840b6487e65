"""Pickup passes: a parent authorises a named person to collect named children at a place
during a window; gate or school staff check the pass on a phone, without an account."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from coparent.core.models import FamilyLink, FamilyOwned


class Gate(FamilyOwned):
    """A school or gate registered by the family: staff open its own link to see today's
    expected pickups at that place, and nothing else about the family."""

    name = models.CharField(max_length=120)
    token_hash = models.CharField(max_length=64, unique=True)
    # The link's token is derived from this and SECRET_KEY (tokens.gate_token), so parents can
    # see the link again; empty for links made before that, which can only be replaced.
    link_key = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        "families.Membership", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class PickupPass(FamilyOwned):
    person_name = models.CharField(max_length=100)
    person_relationship = models.CharField(max_length=60, blank=True)
    # A caregiver in the family who picks up: they see the pass on their own page to show it.
    holder = models.ForeignKey(
        "families.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    photo = models.BinaryField(null=True, blank=True)
    children = models.ManyToManyField("families.Child", related_name="+", through="PickupPassChild")
    place = models.CharField(max_length=120)
    # Entered by a parent who keeps their places confidential (coparent/safety): the gate's
    # staff read it; the other parent reads "a confidential place".
    place_confidential = models.BooleanField(default=False)
    gate = models.ForeignKey(
        Gate, null=True, blank=True, on_delete=models.PROTECT, related_name="passes"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    issued_by = models.ForeignKey("families.Membership", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    needs_cosign = models.BooleanField(default=False)
    cosigned_by = models.ForeignKey(
        "families.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cosigned_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        "families.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    code_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-starts_at"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["gate", "starts_at"]),
            # The passes page, newest first, a page at a time.
            models.Index(fields=["family", "-starts_at"]),
        ]

    def __str__(self) -> str:
        return f"pass for {self.person_name}"

    @property
    def awaiting_cosign(self) -> bool:
        return self.needs_cosign and self.cosigned_at is None


class PickupPassChild(FamilyLink):
    """A child a pass lets its holder pick up."""

    pickuppass = models.ForeignKey(PickupPass, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey("families.Child", on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "passes_pickuppass_children"
        unique_together = (("pickuppass", "child"),)


class PassCheck(FamilyOwned):
    """One verification of a pass, for the parents to read: when, where from, what it said."""

    pickup_pass = models.ForeignKey(PickupPass, on_delete=models.CASCADE, related_name="checks")
    gate = models.ForeignKey(
        Gate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    valid = models.BooleanField()
    reason = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-at"]

    def __str__(self) -> str:
        return f"check of {self.pickup_pass_id} at {self.at:%Y-%m-%d %H:%M}"
