"""Template context for every page: the family the page is in and the others to switch to."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from coparent.families.selectors import family_list_for_user


class NavLink(NamedTuple):
    url: str
    label: str
    home: bool = False


@lru_cache(maxsize=4096)
def _family_links(
    family: str, sees_money: bool, is_child: bool, language: str, prefix: str
) -> tuple[NavLink, ...]:
    """A family's pages for the header, worked out once per family, kind of member and language
    in each process: a page asks for them on every view, and reversing a dozen addresses and
    translating their names each time cost about a millisecond. A tuple: every page shares it."""

    def link(name: str, label: str) -> NavLink:
        return NavLink(reverse(name, args=[family]), label)

    links = [
        NavLink(reverse("families:detail", args=[family]), _("Home"), home=True),
        link("messaging:threads", _("Messages")),
        link("schedule:month", _("Calendar")),
        link("exchanges:list", _("Exchanges")),
    ]
    if sees_money:
        links.append(link("passes:list", _("Pickup passes")))
    links += [link("families:members", _("People")), link("childinfo:children", _("Children"))]
    if not is_child:
        links.append(link("documents:list", _("Documents")))
    links += [
        link("plan:plan", _("Parenting plan")),
        link("decisions:agreements", _("Agreements")),
    ]
    if sees_money:
        links += [
            link("expenses:ledger", _("Money")),
            link("reports:list", _("Reports")),
            link("records:record", _("Record")),
        ]
    return tuple(links)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The current family (when the page is inside one) and the others the user can switch to."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = getattr(request, "nav_memberships", None)  # a family page has read them
    if memberships is None:
        memberships = family_list_for_user(request.user)  # type: ignore[arg-type]
    family, membership = getattr(request, "family", None), getattr(request, "membership", None)
    return {
        "nav_family": family,
        "nav_membership": membership,
        "nav_links": (
            _family_links(
                str(family.public_id),
                membership.is_parent or membership.read_only,
                membership.role == "child",
                translation.get_language() or "",
                get_script_prefix(),
            )
            if family is not None and membership is not None
            else ()
        ),
        "nav_memberships": memberships,
        # The workspace link, for people with professional access (others find it on the
        # family list): worked out from the list above, no query of its own.
        "nav_professional": any(m.role == "professional" for m in memberships),
    }
