"""The family record: an append-only Merkle-tree log per family (see coparent.tlog).

LogEntry and LogNode rows are never updated or deleted: database triggers refuse it on SQLite
and PostgreSQL (migration 0002). FamilyLog is the one mutable row per family: the lock every
append takes, and the current tree size, right edge and signed checkpoint.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from coparent.core.models import FamilyOwned


class FamilyLog(models.Model):
    family = models.OneToOneField("families.Family", on_delete=models.PROTECT, related_name="log")
    # Fixed when the log starts: verifiers pin it, so a later SITE_URL must not change it.
    origin = models.CharField(max_length=300, blank=True)
    size = models.BigIntegerField(default=0)
    frontier = models.BinaryField(default=b"")
    root = models.BinaryField(default=b"")
    checkpoint = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"record of {self.family_id}: {self.size} entries"


class LogEntry(FamilyOwned):
    # No index of its own: one_entry_per_index leads with the family and serves every lookup
    # by family, and each append would otherwise write one more index entry for nothing.
    family = models.ForeignKey(
        "families.Family", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    index = models.BigIntegerField()
    kind = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    leaf = models.BinaryField()
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar[list[str]] = ["index"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["family", "index"], name="one_entry_per_index")
        ]

    def __str__(self) -> str:
        return f"#{self.index} {self.kind}"


class LogNode(models.Model):
    """The hash of a complete subtree: leaves [index * 2^level, (index + 1) * 2^level).
    Stored as appends complete them, so any proof is a handful of indexed lookups."""

    # No index of its own, as LogEntry's: one_node_per_position leads with the family.
    family = models.ForeignKey(
        "families.Family", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["family", "level", "index"], name="one_node_per_position"
            )
        ]

    def __str__(self) -> str:
        return f"node {self.level}/{self.index}"


class AppendOnlyGuard(models.Model):
    """While this table holds its one row, the triggers refuse every update and delete of log
    rows. Only a test suite tearing its database down, or an operator carrying out a lawful
    erasure on purpose, removes it."""

    note = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.note
