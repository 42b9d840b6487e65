"""The installable app (manifest, service worker, offline page) and the Account page where a
person turns notifications on for a device or removes one."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from coparent.core.http import AuthenticatedRequest
from coparent.push import keys, selectors, services

THEME_COLOR = "#1d2b36"
BACKGROUND_COLOR = "#f7f6f2"

# What the service worker keeps on the device: the look of the app and the offline page, never a
# page with anyone's data.
SHELL_FILES = (
    "css/app.css",
    "favicon.svg",
    "icons/icon-192.png",
    "icons/icon-512.png",
    "icons/badge-96.png",
)


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    body = {
        "id": "/",
        "name": "coparent",
        "short_name": "coparent",
        "description": _("One calendar, calm messages and a record both parents can trust."),
        "lang": "en",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/icon-maskable-192.png"),
                "sizes": "192x192",
                "type": "image/png",
                "purpose": "maskable",
            },
            {
                "src": static("icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = HttpResponse(json.dumps(body), content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    # At the site's root, so its scope covers every page; no-cache, so a new version is
    # found on the next visit rather than after the browser's own 24 hours.
    response = render(
        request,
        "push/sw.js",
        {
            "shell": [static(name) for name in SHELL_FILES],
            "icon": static("icons/icon-192.png"),
            "badge": static("icons/badge-96.png"),
            "neutral_title": services.NEUTRAL_TITLE,
            "neutral_body": services.NEUTRAL_BODY,
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    # Standalone (no base.html): the service worker stores it, so it must hold no one's name.
    return render(request, "push/offline.html", {"theme_color": THEME_COLOR})


@login_required
def devices(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        subscription = selectors.subscription_get(user, request.POST.get("subscription", ""))
        services.subscription_remove(user=user, subscription=subscription)
        messages.success(request, _("That device will no longer get notifications."))
        return redirect("push:devices")
    return render(
        request,
        "push/devices.html",
        {
            "subscriptions": selectors.subscription_list(user),
            "application_server_key": keys.application_server_key(),
            "section": "devices",
        },
    )
