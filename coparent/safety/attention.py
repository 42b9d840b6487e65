"""For the moderator: messages waiting to be delivered, edited or rejected."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import ngettext

from coparent.attention.registry import Item, Provider, Viewer, register
from coparent.families.models import Role
from coparent.safety.models import HeldMessage, HeldStatus


@register
class ModerationProvider(Provider):
    kind = "moderation"
    roles = frozenset({Role.PROFESSIONAL})

    def badge(self, viewer: Viewer) -> QuerySet[HeldMessage]:
        return HeldMessage.objects.filter(
            family=viewer.family,
            status=HeldStatus.PENDING,
            order__moderator=viewer.membership,
            order__ended_at__isnull=True,
        )

    def items(self, viewer: Viewer) -> list[Item]:
        waiting = self.badge(viewer).order_by("created_at")
        first = waiting.first()
        if first is None:
            return []
        count = waiting.count()
        return [
            Item(
                self.kind,
                ngettext(
                    "%(n)d message waits for you to moderate",
                    "%(n)d messages wait for you to moderate",
                    count,
                )
                % {"n": count},
                "",
                reverse("safety:moderation", args=[viewer.family.public_id]),
                count=count,
            )
        ]
