"""Conversations between family members: threads, their participants, messages, read receipts,
attachments and each member's messaging preferences.

Bodies, subjects and files live here with the salt they were hashed with; the family record
holds only SHA-256(salt || content). A redaction blanks the content and salt here, and the
record still verifies. Messages are never edited or deleted: a correction is a new message.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from coparent.core.models import FamilyOwned


class Thread(FamilyOwned):
    subject = models.CharField(max_length=200)
    subject_salt = models.BinaryField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-last_message_at"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["family", "-last_message_at"])
        ]

    def __str__(self) -> str:
        return self.subject


class ThreadParticipant(FamilyOwned):
    """A membership that may read a thread (and write in it, unless read-only)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="participants")
    membership = models.ForeignKey(
        "families.Membership", on_delete=models.CASCADE, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    # Messages in the thread, not sent by this member, that they have no receipt for: kept by
    # message_send and message_view in the same transaction, under the family's log lock, so
    # the navigation badge reads it instead of scanning the thread's whole history.
    unread = models.PositiveIntegerField(default=0)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["membership"], condition=models.Q(unread__gt=0), name="seat_unread"
            )
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["thread", "membership"], name="one_seat_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} in {self.thread_id}"


class Message(FamilyOwned):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(blank=True)
    salt = models.BinaryField(blank=True)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The tone check's verdict when it was sent. Shown to receivers with the shield on; never
    # part of the record, and it never changes what is stored.
    # Under a protective order (coparent/safety): the structured form that composed it, or how
    # the moderator delivered it ("approved" as written, "edited").
    form = models.CharField(max_length=16, blank=True)
    moderation = models.CharField(max_length=10, blank=True)
    hostile = models.BooleanField(default=False)
    tone_phrases = models.JSONField(default=list, blank=True)
    redacted_at = models.DateTimeField(null=True, blank=True)
    redaction_reason = models.CharField(max_length=300, blank=True)
    # When the worker told the other participants (services.message_notify): set in the same
    # transaction as their notifications, so a task run again tells nobody twice. Empty for
    # messages sent before the worker did the telling.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["thread", "created_at"]),
            models.Index(fields=["family", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"message {self.public_id}"

    @property
    def redacted(self) -> bool:
        return self.redacted_at is not None


class MessageView(FamilyOwned):
    """A read receipt: when a recipient's browser (or API client) first showed the message."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="views")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    viewed_at = models.DateTimeField(default=timezone.now)
    # Seen by a parent under a protective order (coparent/safety): shown to nobody but that
    # parent, and not written to the family record, where the other parent would read it.
    withheld = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["viewed_at"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["message", "viewer"], name="one_receipt_per_viewer")
        ]

    def __str__(self) -> str:
        return f"{self.viewer_id} saw {self.message_id}"


class Attachment(FamilyOwned):
    """A file checked by its content, re-encoded if it is an image, stored under a random name."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    stored_name = models.CharField(max_length=200, blank=True)
    original_name = models.CharField(max_length=120)
    media_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    salt = models.BinaryField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def redacted(self) -> bool:
        return not self.stored_name


class MessagingPreference(FamilyOwned):
    """One member's messaging settings in one family."""

    membership = models.OneToOneField(
        "families.Membership", on_delete=models.CASCADE, related_name="messaging_preference"
    )
    shield = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"preferences of {self.membership_id}"
