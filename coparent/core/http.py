"""Request types for views, so type checking knows what middleware and tenancy have set."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from coparent.accounts.models import User
    from coparent.families.models import Family, Membership


class AuthenticatedRequest(HttpRequest):
    user: User


class FamilyRequest(AuthenticatedRequest):
    """A request that `tenancy.family_view` has let through: the caller belongs to `family`."""

    family: Family
    membership: Membership
