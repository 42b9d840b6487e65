"""Template context for every page: the family the page is in and the others to switch to."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from coparent.families.selectors import family_list_for_user


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The current family (when the page is inside one) and the others the user can switch to."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = getattr(request, "nav_memberships", None)  # a family page has read them
    if memberships is None:
        memberships = family_list_for_user(request.user)  # type: ignore[arg-type]
    return {
        "nav_family": getattr(request, "family", None),
        "nav_membership": getattr(request, "membership", None),
        "nav_memberships": memberships,
        # The workspace link, for people with professional access (others find it on the
        # family list): worked out from the list above, no query of its own.
        "nav_professional": any(m.role == "professional" for m in memberships),
    }
