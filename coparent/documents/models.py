"""The family's documents: court orders, passports, school reports... Each document keeps every
version ever uploaded (a new upload never replaces the old bytes), and says who may see it.

Files are cleaned like message attachments (messaging.files) and stored under random names in
the private attachment directory; the record holds each version's SHA-256.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coparent.core.models import FamilyLink, FamilyOwned


class Category(models.TextChoices):
    COURT_ORDER = "court_order", _("Court orders")
    PARENTING_PLAN = "parenting_plan", _("Parenting plan")
    SCHOOL_REPORT = "school_report", _("School reports")
    MEDICAL = "medical", _("Medical")
    IDENTITY = "identity", _("Passports and IDs")
    INSURANCE = "insurance", _("Insurance")
    OTHER = "other", _("Other")


class Visibility(models.TextChoices):
    PARENTS = "parents", _("Parents only")
    CAREGIVERS = "caregivers", _("Parents and caregivers")
    EVERYONE = "everyone", _("Everyone in the family, professionals included")


class Document(FamilyOwned):
    title = models.CharField(max_length=200)
    title_salt = models.BinaryField()
    category = models.CharField(max_length=32, choices=Category.choices)
    visibility = models.CharField(max_length=16, choices=Visibility.choices)
    notes = models.TextField(blank=True)
    expires_on = models.DateField(null=True, blank=True)
    children = models.ManyToManyField(
        "families.Child", blank=True, related_name="+", through="DocumentChild"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["title", "id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["family", "expires_on"]),
        ]

    def __str__(self) -> str:
        return self.title


class DocumentChild(FamilyLink):
    """A child a document is about."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey("families.Child", on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "documents_document_children"
        unique_together = (("document", "child"),)


class DocumentVersion(FamilyOwned):
    """One upload of a document. Never changed or removed: a new upload is a new version."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    stored_name = models.CharField(max_length=200)
    original_name = models.CharField(max_length=120)
    media_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    salt = models.BinaryField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-number"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["document", "number"], name="one_version_number_per_document"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


class ExpiryReminder(FamilyOwned):
    """A reminder already sent for one expiry date of a document, so the periodic job sends each
    once; a new expiry date starts afresh."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    expires_on = models.DateField()
    days_before = models.PositiveIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["document", "expires_on", "days_before"], name="one_reminder_per_lead"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_id} {self.expires_on} -{self.days_before}d"
