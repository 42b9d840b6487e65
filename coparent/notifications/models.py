"""In-app notifications, how each person wants each kind delivered, and one delivery row per
notification and channel (the row two workers race to claim, so nobody is told twice)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coparent.core.models import FamilyOwned


class Kind(models.TextChoices):
    MESSAGE = "message", _("New messages")
    SWAP_REQUEST = "swap_request", _("Swap requests from the other parent")
    SWAP_ANSWER = "swap_answer", _("Answers to your swap requests")
    SCHEDULE_PROPOSAL = "schedule_proposal", _("Schedule proposals")
    SCHEDULE_ANSWER = "schedule_answer", _("Answers to your schedule proposals")
    DEADLINE_EXPIRED = "deadline_expired", _("Requests and proposals that expired unanswered")
    DECISION_PROPOSAL = "decision_proposal", _("Decisions proposed to you")
    DECISION_ANSWER = "decision_answer", _("Answers to decisions you proposed")
    DECISION_COMMENT = "decision_comment", _("Comments on decisions")
    PASS_ISSUED = "pass_issued", _("Pickup passes issued")
    PASS_COSIGNED = "pass_cosigned", _("Your pickup passes co-signed")
    PASS_REVOKED = "pass_revoked", _("Pickup passes revoked")
    PASS_CHECKED = "pass_checked", _("Pickup passes checked at the gate")
    EXCHANGE_REMINDER = "exchange_reminder", _("Exchange reminders")
    EXCHANGE_CHECKIN = "exchange_checkin", _("Check-ins by the other side at an exchange")
    MEMBER_JOINED = "member_joined", _("Invitations accepted")
    PROFESSIONAL_ACCESS = "professional_access", _("Professional access granted or ended")
    SIGN_IN = "sign_in", _("New sign-ins to your account")
    PROTECTION = "protection", _("A protective order starting or ending in a family")
    MODERATION = "moderation", _("Messages to moderate, and the moderator's decisions")
    CHILD_MEDICAL = "child_medical", _("Changes to a child's medical information")
    DOCUMENT_ADDED = "document_added", _("Documents added or updated")
    DOCUMENT_EXPIRING = "document_expiring", _("Documents about to expire")
    JOURNAL_SHARED = "journal_shared", _("Journal entries shared with you")
    ACCESS_REQUEST = "access_request", _("Professionals asking for access to your family")
    TIME_AWAY_OFFER = (
        "time_away_offer",
        _("Time away offered to you first (right of first refusal)"),
    )
    TIME_AWAY_ANSWER = "time_away_answer", _("Answers to your offers of time away")
    EXPENSE_REQUEST = "expense_request", _("Requests for your share of an expense")
    EXPENSE_ANSWER = "expense_answer", _("Answers to your expense requests")
    EXPENSE_OVERDUE = "expense_overdue", _("Expense requests past their answer date")
    EXPENSE_RULES = "expense_rules", _("Split rules proposed or answered")
    PAYMENT = "payment", _("Payments recorded, confirmed or disputed")


class Channel(models.TextChoices):
    APP = "app", _("In the app only")
    EMAIL = "email", _("Email right away")
    DIGEST = "digest", _("Email once a day, in a summary")
    PUSH = "push", _("Push notification on this device's browser or phone")


class Notification(FamilyOwned):
    """One thing that happened that concerns one person. `title` is neutral (no names, no
    content) and is all that leaves the app unless the person asks for details."""

    # Account notices (a new sign-in) belong to no family.
    family = models.ForeignKey(  # type: ignore[assignment]
        "families.Family", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=200)
    detail_title = models.CharField(max_length=300)
    detail_body = models.TextField(blank=True)
    link = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["recipient", "-created_at"], name="notification_list"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class ChannelPreference(models.Model):
    """How one person wants one kind delivered, across all their families. Without a row the
    kind's default applies (notifications.kinds.DEFAULT_CHANNELS)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_channel_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.channel}"


class NotificationSettings(models.Model):
    """Quiet hours (local times in the person's own zone; the end may be after midnight),
    whether emails and pushes may name people and quote content, and the digest's hour."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    include_details = models.BooleanField(default=False)
    digest_hour = models.PositiveSmallIntegerField(default=18)

    def __str__(self) -> str:
        return f"notification settings of {self.user_id}"

    @property
    def has_quiet_hours(self) -> bool:
        return (
            self.quiet_start is not None
            and self.quiet_end is not None
            and self.quiet_start != self.quiet_end
        )

    def quiet_times(self) -> tuple[dt.time, dt.time] | None:
        if self.quiet_start is None or self.quiet_end is None or not self.has_quiet_hours:
            return None
        return self.quiet_start, self.quiet_end


class Delivery(FamilyOwned):
    """One notification sent (or to be sent) on one channel. `due_at` is when it may go: now,
    the end of the person's quiet hours, or their next digest. A worker claims it by writing its
    own `claim` in one UPDATE that only an unclaimed (or abandoned) row matches."""

    family = models.ForeignKey(  # type: ignore[assignment]
        "families.Family", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    due_at = models.DateTimeField()
    claim = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Why it will never go: no verified address, or a channel this server does not offer.
    skipped = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="one_delivery_per_channel"
            )
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["channel", "due_at"],
                condition=models.Q(sent_at__isnull=True, skipped=""),
                name="delivery_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} delivery of {self.notification_id}"
