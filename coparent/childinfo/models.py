"""A child's information, one row per item (a doctor, an allergy, a contact...), each with its
kind's fields, a visibility, and every version kept."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coparent.childinfo import kinds
from coparent.core.models import FamilyOwned


class Visibility(models.TextChoices):
    PARENTS = kinds.PARENTS, _("Parents only")
    CAREGIVERS = kinds.CAREGIVERS, _("Parents and caregivers")
    FAMILY = kinds.FAMILY, _("Everyone in the family, professionals included")


KIND_CHOICES = [(spec.key, spec.label) for spec in kinds.KINDS.values()]


class InfoItem(FamilyOwned):
    """The current state of one item. Removing one keeps the row (removed_at) for its history."""

    child = models.ForeignKey("families.Child", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=KIND_CHOICES)
    # The kind's fields as checked by kinds.clean_values: names to strings, empty ones left out.
    values = models.JSONField(default=dict)
    visibility = models.CharField(max_length=12, choices=Visibility.choices)
    # Fields seen by fewer people than the item: {field name: visibility} (kinds.field_level).
    field_visibility = models.JSONField(default=dict)
    child_may_see = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    # Activities: sessions up to this day are on the family calendar already.
    calendar_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["family", "child", "removed_at"], name="childinfo_current")
        ]

    def __str__(self) -> str:
        return f"{self.kind} of child {self.child_id}"

    @property
    def spec(self) -> kinds.KindSpec:
        return kinds.KINDS[self.kind]


class Action(models.TextChoices):
    ADDED = "added", _("added")
    CHANGED = "changed", _("changed")
    REMOVED = "removed", _("removed")


class InfoVersion(FamilyOwned):
    """One version of an item, never changed: what it said, who could see it, who wrote it."""

    item = models.ForeignKey(InfoItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    action = models.CharField(max_length=8, choices=Action.choices)
    values = models.JSONField(default=dict)
    visibility = models.CharField(max_length=12, choices=Visibility.choices)
    field_visibility = models.JSONField(default=dict)
    child_may_see = models.BooleanField(default=False)
    # The record holds SHA-256(salt || content) of this version; the salt lets an export show it.
    salt = models.BinaryField(max_length=32)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-changed_at", "-number"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["item", "number"], name="one_version_number_per_item")
        ]

    def __str__(self) -> str:
        return f"version {self.number} of item {self.item_id}"
