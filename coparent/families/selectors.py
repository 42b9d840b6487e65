"""Reads for families. Each takes the family explicitly, so no query can leave it."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from coparent.accounts.models import User
from coparent.core.tenancy import memberships_of
from coparent.families.models import (
    AccessLogEntry,
    AccessRequest,
    Child,
    Family,
    Invitation,
    Membership,
    Role,
)


def family_list_for_user(user: User) -> list[Membership]:
    return memberships_of(user)


def member_list(family: Family) -> QuerySet[Membership]:
    return Membership.objects.active().filter(family=family).select_related("user", "child")


def former_member_list(family: Family) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(family=family)
        .exclude(pk__in=Membership.objects.active().filter(family=family).values("pk"))
        .select_related("user")
    )


def child_list(family: Family) -> QuerySet[Child]:
    return Child.objects.filter(family=family)


def invitation_list(family: Family) -> QuerySet[Invitation]:
    return Invitation.objects.filter(family=family).select_related("invited_by", "accepted_by")


def invitation_pending_list(family: Family) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        family=family,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("invited_by")


def access_log_list(family: Family, limit: int = 200) -> QuerySet[AccessLogEntry]:
    return AccessLogEntry.objects.filter(family=family).select_related("user")[:limit]


def professional_list(family: Family) -> list[Membership]:
    """Every professional who has had access (current and ended), for the access log's filter."""
    return list(
        Membership.objects.filter(family=family, role=Role.PROFESSIONAL)
        .select_related("user")
        .order_by("-created_at")
    )


def professional_access_list(user: User) -> list[Membership]:
    """A professional's current accesses, the soonest to end first."""
    return list(
        Membership.objects.active()
        .filter(user=user, role=Role.PROFESSIONAL)
        .select_related("family")
        .order_by("access_until", "family__name")
    )


def access_request_list(user: User) -> QuerySet[AccessRequest]:
    return AccessRequest.objects.filter(requester=user).select_related("family")
