"""Builders for protective-order tests, through the real services."""

from __future__ import annotations

from coparent.families.models import Membership, ProfessionalKind, Role
from coparent.safety import services
from coparent.safety.models import ProtectiveOrder
from tests.cast import Cast, join, make_user


def moderator(cast: Cast, email: str = "moderator@example.test") -> Membership:
    """A second professional, so the cast's mediator stays an ordinary read-only member."""
    return join(
        cast.family_a,
        cast.alice,
        make_user(email, "Mod Erator"),
        Role.PROFESSIONAL,
        professional_kind=ProfessionalKind.OTHER,
        access_days=60,
    )


def protect_alice(cast: Cast, *, with_moderator: bool = True) -> ProtectiveOrder:
    return services.protection_start(
        family=cast.family_a,
        actor=cast.alice,
        reference="Order 2026-PO-0042",
        moderator=moderator(cast) if with_moderator else None,
    )
