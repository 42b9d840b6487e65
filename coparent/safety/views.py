"""Quick exit and the safety page: for a parent who may be watched while using coparent."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from coparent.core.tenancy import not_family_scoped
from coparent.safety.hotlines import parse


@not_family_scoped
@require_http_methods(["GET", "POST"])
def quick_exit(request: HttpRequest) -> HttpResponse:
    """The button's target when JavaScript is off, and the script's sign-out beacon.

    POST ends the session, so the Back button leads to the sign-in page rather than the family;
    GET only leaves, since a link must never change state."""
    if request.method == "POST":
        logout(request)
    response = HttpResponseRedirect(settings.COPARENT_QUICK_EXIT_URL)
    response["Referrer-Policy"] = "no-referrer"
    return response


@not_family_scoped
def safety(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "safety/safety.html",
        {"hotlines": parse(settings.COPARENT_SAFETY_HOTLINES)},
    )
