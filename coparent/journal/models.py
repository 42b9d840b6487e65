"""Each parent's private journal. An entry (text and photos) is seen by its author alone until
the author shares it with a professional member of the family; the family record holds only
SHA-256(salt || text) and each photo's salted hash, and the salts stay here, with the author,
until a share discloses them. Entries are never edited: a correction is a new entry."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from coparent.core.models import FamilyOwned


class JournalEntry(FamilyOwned):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    salt = models.BinaryField()
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The entry's index in the family record: where its inclusion proof starts.
    record_index = models.PositiveBigIntegerField()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["family", "author", "-created_at"])
        ]

    def __str__(self) -> str:
        return f"journal entry {self.public_id}"


class JournalPhoto(FamilyOwned):
    """A photo re-encoded without its metadata (messaging.files), stored under a random name."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="photos")
    stored_name = models.CharField(max_length=200)
    media_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    salt = models.BinaryField()
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering: ClassVar[list[str]] = ["position"]

    def __str__(self) -> str:
        return f"photo {self.position} of {self.entry_id}"


class JournalShare(FamilyOwned):
    """The author lets one professional member read one entry, or every entry written in a
    period (days in the author's zone, stored as UTC instants). Revocable; both on the record."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    professional = models.ForeignKey(
        "families.Membership", on_delete=models.CASCADE, related_name="+"
    )
    entry = models.ForeignKey(
        JournalEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=(
                    models.Q(entry__isnull=False, starts_at__isnull=True, ends_at__isnull=True)
                    | models.Q(entry__isnull=True, starts_at__isnull=False, ends_at__isnull=False)
                ),
                name="journal_share_entry_or_period",
            )
        ]

    def __str__(self) -> str:
        return f"share {self.public_id}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
