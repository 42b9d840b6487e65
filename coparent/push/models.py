"""A browser's push subscription. It belongs to a person, not to a family: one subscription
carries the notifications of every family the person is in."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from coparent.core.models import PublicIdMixin

ENDPOINT_MAX_LENGTH = 1024


class PushSubscription(PublicIdMixin):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    # The push service's capability URL for this browser: whoever knows it can send to it.
    endpoint = models.CharField(max_length=ENDPOINT_MAX_LENGTH)
    p256dh = models.CharField(max_length=100)  # the browser's ECDH public key (base64url)
    auth = models.CharField(max_length=40)  # the browser's 16-byte auth secret (base64url)
    label = models.CharField(max_length=80)  # "Chrome on Android": how the owner recognises it
    created_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["user", "endpoint"], name="push_one_per_endpoint")
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.user_id})"
