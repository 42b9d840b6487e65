"""Tenancy in one place: who may see which family, and fetching objects only inside it.

Every family page and API operation resolves the family through `membership_for`, and every
family-owned object through `get_for_family`. Both give an outsider the same 404 as a missing
object, so a stranger cannot even learn that a family or an object exists.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from coparent.core.statements import Statement

if TYPE_CHECKING:
    from coparent.accounts.models import User
    from coparent.families.models import Family, Membership

# Models that hold no family data of their own, or are the family itself. Every other model must
# carry a `family` key; tests/test_tenancy.py fails when a new model is in neither group.
NOT_FAMILY_SCOPED = {
    "accounts.User",
    "accounts.User_groups",  # Django's permission groups and permissions of an account
    "accounts.User_user_permissions",
    "accounts.UserSession",
    "accounts.SignInEvent",
    "accounts.ApiToken",
    "accounts.DataExport",  # one person's copy of their own data, across their families
    "families.Family",
    "push.PushSubscription",  # a person's browser, for every family they are in
    "records.AppendOnlyGuard",
    # One person's own choices, the same in every family they belong to.
    "notifications.ChannelPreference",
    "notifications.NotificationSettings",
    "worker.PeriodicRun",  # one row per periodic job and period: no family data
}


def not_family_scoped[ViewT: Callable[..., Any]](view: ViewT) -> ViewT:
    """Marks a page that belongs to no family: public pages, one's own account, and pages opened
    with a secret link. tests/test_tenancy.py walks every route and requires each one either to
    take a `family_id` or to carry this mark."""
    view.not_family_scoped = True  # type: ignore[attr-defined]
    return view


# The same mark for an API operation: pass `openapi_extra=NOT_FAMILY_SCOPED_API` to its decorator.
NOT_FAMILY_SCOPED_API = {"x-not-family-scoped": True}


def public_id_or_404(value: object) -> uuid.UUID:
    """A public id from a URL, or 404 for anything that is not one."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def _active_memberships(now: dt.datetime | None = None) -> models.QuerySet[Membership]:
    from coparent.families.models import Membership

    return (
        Membership.objects.active(now)
        .select_related("family")
        # The family record's size changes with every write anyone makes in the family: what
        # the page may have kept from an earlier view (the navigation's count) is keyed on it.
        .annotate(record_size=models.F("family__log__size"))
    )


# Asked on every family page: compiled once (core/statements.py).
_MEMBERSHIPS_OF = Statement(
    lambda user, now: _active_memberships(now).filter(user_id=user).order_by("family__name", "pk"),
    user=int,
    now=dt.datetime,
)


def memberships_of(user: User) -> list[Membership]:
    """The user's active memberships with their families, by family name: the navigation's
    family switcher, which a page's own membership is then picked from (one query for both)."""
    return _MEMBERSHIPS_OF(user=user.pk, now=timezone.now())


def membership_for(
    user: User,
    family_public_id: object,
    *,
    roles: Iterable[str] | None = None,
    among: list[Membership] | None = None,
) -> Membership:
    """The user's active membership of the family, or 404 (the same for missing and forbidden).
    `among` is `memberships_of(user)` when the caller already has it.

    `roles` narrows who may use the page at all; a member whose role is not listed gets 404 too,
    so a caregiver cannot learn which parent-only pages exist.
    """
    if not user.is_authenticated:
        raise Http404
    wanted = public_id_or_404(family_public_id)
    if among is None:
        membership = _active_memberships().filter(user=user, family__public_id=wanted).first()
    else:
        membership = next(
            (m for m in among if m.user_id == user.pk and m.family.public_id == wanted), None
        )
    if membership is None or (roles is not None and membership.role not in set(roles)):
        raise Http404
    membership.user = user  # the same row, already loaded: pages read membership.user freely
    return membership


def require_write(membership: Membership) -> None:
    """Read-only members (professionals) may look but never change anything: 403, not 404,
    because they can already see the page."""
    if membership.read_only:
        raise PermissionDenied(_("Your access to this family is read-only."))


def get_for_family[ModelT: models.Model](
    model_or_queryset: type[ModelT] | models.QuerySet[ModelT], family: Family, **lookup: Any
) -> ModelT:
    """One family-owned object by its lookup (usually public_id), or 404."""
    queryset = (
        model_or_queryset
        if isinstance(model_or_queryset, models.QuerySet)
        else model_or_queryset._default_manager.all()
    )
    if "public_id" in lookup:
        lookup["public_id"] = public_id_or_404(lookup["public_id"])
    try:
        return queryset.get(family=family, **lookup)
    except ObjectDoesNotExist:
        raise Http404 from None


def family_view(
    *, roles: Iterable[str] | None = None, write: bool = False, read_only_may_post: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view that takes `family_id`: sets request.family and request.membership,
    answers 404 to outsiders and 403 to read-only members on write pages, and records every
    access by a professional in the family's access log.

    `read_only_may_post` opens a page's POST to read-only members when it changes nothing of
    the family (asking for a court report of what they may read), or when the view's service
    lets only one professional through (the moderator under a protective order: 403 for any
    other); tests/test_tenancy.py lists every such page."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(
            request: HttpRequest, family_id: str, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            user: User = request.user  # type: ignore[assignment]
            if not user.is_authenticated:
                raise Http404
            # The header's family switcher lists these: read once for both.
            memberships = request.nav_memberships = memberships_of(user)  # type: ignore[attr-defined]
            membership = membership_for(user, family_id, roles=roles, among=memberships)
            if write or (
                request.method not in ("GET", "HEAD", "OPTIONS") and not read_only_may_post
            ):
                require_write(membership)
            request.family = membership.family  # type: ignore[attr-defined]
            request.membership = membership  # type: ignore[attr-defined]
            record_professional_access(membership, request, via_api=False)
            return view(request, *args, **kwargs)

        wrapper.read_only_may_post = read_only_may_post  # type: ignore[attr-defined]
        return wrapper

    return decorator


def record_professional_access(
    membership: Membership, request: HttpRequest, *, via_api: bool
) -> None:
    from coparent.families.models import AccessLogEntry, Role

    if membership.role == Role.PROFESSIONAL:
        match = getattr(request, "resolver_match", None)
        view_name = (match.view_name if match else "")[:100]
        page = request.headers.get(PAGE_HEADER, "")
        background = (
            view_name in BACKGROUND_VIEWS
            and PAGE_ID.fullmatch(page)
            # a page of theirs that was logged: a made-up id would hide the call under nothing
            and AccessLogEntry.objects.filter(
                family=membership.family, user=membership.user, request_id=page, via_api=False
            ).exists()
        )
        AccessLogEntry.objects.create(
            family=membership.family,
            user=membership.user,
            method=request.method or "GET",
            path=request.path[:300],
            via_api=via_api,
            view_name=view_name,
            detail=access_detail(request, match.kwargs if match else {}),
            request_id=str(getattr(request, "request_id", ""))[:64],
            page_request_id=page if background else "",
        )


# The record witness (static/js/record-witness.js) checks the record on every page a member
# opens, and a conversation's page asks for new messages every few seconds; both name the
# page's request in this header, so the access log shows these calls under the page view
# rather than as visits of their own. Only these calls are grouped: a header on any other call
# changes nothing, so it cannot tuck real reading out of sight (proofs are hashes, a poll brings
# the open conversation's new messages; reading entries through the API stays its own line).
PAGE_HEADER = "X-Coparent-Page"
BACKGROUND_VIEWS = frozenset(
    {"api:checkpoint", "api:consistency", "api:inclusion", "messaging:poll"}
)
PAGE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# The parts of an address that say what was looked at, and the form each must have to be kept.
_DETAIL_PARAMS = {
    "month": re.compile(r"\d{4}-\d{2}"),
    "date": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "from": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "to": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "start": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "end": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "at": re.compile(r"\d{1,12}"),
}


def access_detail(request: HttpRequest, kwargs: dict[str, Any]) -> str:
    """ "month=2026-12&date=..." from the query string and the address, well-formed values only,
    so the log page can say "the calendar (December 2026)" without echoing arbitrary input."""
    found = {**{k: str(v) for k, v in kwargs.items()}, **request.GET.dict()}
    parts = [
        f"{name}={found[name]}"
        for name, form in _DETAIL_PARAMS.items()
        if name in found and form.fullmatch(found[name])
    ]
    return "&".join(parts)[:100]
