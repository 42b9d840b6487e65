"""Court reports a member asked for: what was chosen, how far the worker has got, and the file,
kept for seven days and served only to the member who asked."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coparent.core.models import FamilyOwned


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being written")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Could not be written")
    EXPIRED = "expired", _("Deleted after seven days")


class Report(FamilyOwned):
    requested_by = models.ForeignKey(
        "families.Membership", on_delete=models.CASCADE, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    start = models.DateTimeField()
    end = models.DateTimeField()
    zone = models.CharField(max_length=64)
    paper = models.CharField(max_length=8, default="A4")
    sections = models.JSONField(default=list)
    thread_ids = models.JSONField(null=True, blank=True)
    # The requester's own journal entries chosen for the journal section (None: all theirs in
    # the period).
    journal_entry_ids = models.JSONField(null=True, blank=True)
    bates_prefix = models.CharField(max_length=20, blank=True)
    status = models.CharField(
        max_length=8, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    error = models.CharField(max_length=300, blank=True)
    # Files under settings.REPORT_DIR, named by the report's random id.
    pdf_name = models.CharField(max_length=100, blank=True)
    csv_name = models.CharField(max_length=100, blank=True)
    pages = models.PositiveIntegerField(default=0)
    entries = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-requested_at"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["family", "requested_by", "-requested_at"]),
            models.Index(fields=["status", "expires_at"]),
        ]

    def __str__(self) -> str:
        return f"report {self.public_id}"

    @property
    def last_moment(self) -> object:
        """The end is exclusive (the next day's midnight); pages show the last day included."""
        import datetime as dt

        return self.end - dt.timedelta(microseconds=1)

    @property
    def short_id(self) -> str:
        return str(self.public_id).split("-")[0].upper()
