"""Reads for notifications: a person only ever reads their own."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from coparent.accounts.models import User
from coparent.core.statements import Statement
from coparent.families.models import Family, Membership, Role
from coparent.notifications import kinds
from coparent.notifications.models import ChannelPreference, Kind, Notification

PAGE_SIZE = 30


@dataclass(frozen=True)
class Page:
    items: list[Notification]
    number: int
    has_next: bool


def notification_page(user: User, number: int = 1) -> Page:
    """Newest first, PAGE_SIZE at a time; one query whatever the history's length."""
    number = max(1, number)
    start = (number - 1) * PAGE_SIZE
    rows = list(
        Notification.objects.filter(recipient=user).select_related("family")[
            start : start + PAGE_SIZE + 1
        ]
    )
    return Page(items=rows[:PAGE_SIZE], number=number, has_next=len(rows) > PAGE_SIZE)


def notifications_of(user: User) -> QuerySet[Notification]:
    """The person's own notifications only: another's is a 404, like a missing one."""
    return Notification.objects.filter(recipient=user)


# The header asks on every page: compiled once (core/statements.py). Grouped by the
# recipient, the count is one row, or none when nothing is unread.
_UNREAD = Statement(
    lambda user: (
        Notification.objects.filter(recipient_id=user, read_at__isnull=True)
        .order_by()
        .values("recipient_id")
        .annotate(unread=Count("pk"))
        .values_list("unread", flat=True)
    ),
    user=int,
)


def unread_count(user: User) -> int:
    return sum(_UNREAD(user=user.pk))


def channels_for(user: User) -> dict[str, str]:
    """Every kind's channel for this person: their choice, or the kind's default."""
    chosen = dict(ChannelPreference.objects.filter(user=user).values_list("kind", "channel"))
    return {kind: chosen.get(kind, kinds.DEFAULT_CHANNELS[kind]) for kind in Kind.values}


def parents_of(family: Family) -> list[User]:
    """The family's active parents: who most events concern (notify leaves the actor out)."""
    return [
        m.user
        for m in Membership.objects.active()
        .filter(family=family, role=Role.PARENT)
        .select_related("user")
    ]
