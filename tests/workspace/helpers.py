"""Builders for the workspace tests, through the real services."""

from __future__ import annotations

from coparent.families import services
from coparent.families.models import AccessRequest, ProfessionalKind
from tests.cast import Cast, make_user


def coordinator(email: str = "pc@example.test"):
    return make_user(email, "Pat Coordinator")


def ask(professional, email: str = "alice@example.test", days: int = 60) -> AccessRequest:
    return services.access_request_create(
        actor=professional,
        email=email,
        professional_kind=ProfessionalKind.PARENTING_COORDINATOR,
        access_days=days,
        note="Case 2026-FC-118",
    )


def granted(cast: Cast, professional, days: int = 60) -> AccessRequest:
    return services.access_request_approve(
        family=cast.family_a, actor=cast.alice, request=ask(professional, days=days)
    )
