"""Calendar feeds: the page that makes a private link, and the feed itself."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from coparent.core.http import AuthenticatedRequest, FamilyRequest, absolute_url
from coparent.core.tenancy import family_view, not_family_scoped
from coparent.families.models import Membership, Role
from coparent.schedule import ical, selectors, services


@login_required
@family_view(roles=[Role.PARENT, Role.CAREGIVER, Role.CHILD])
def feed_settings(request: FamilyRequest) -> HttpResponse:
    link = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.feed_token_revoke(family=request.family, actor=request.user)
            messages.success(request, _("The link is stopped. Calendars using it stop updating."))
            return redirect("schedule:feed_settings", family_id=request.family.public_id)
        token = services.feed_token_regenerate(family=request.family, actor=request.user)
        link = absolute_url(f"/calendar/{token}.ics")
    return render(
        request,
        "schedule/feed.html",
        {
            "link": link,
            "webcal_link": ical.webcal_url(link) if link else None,
            "active": selectors.feed_token_active(request.family, request.user),
            "tab": "feed",
        },
    )


@not_family_scoped
def feed(request: AuthenticatedRequest, token: str) -> HttpResponse:
    """A private calendar feed. The token is the only credential: an unknown or revoked one,
    or one whose owner has left the family, is 404."""
    found = selectors.feed_token_lookup(services.feed_token_hash(token))
    if found is None:
        raise Http404
    membership = Membership.objects.active().get(family=found.family, user=found.user)
    body = ical.feed(found.family, membership, timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="coparent.ics"'
    return response
