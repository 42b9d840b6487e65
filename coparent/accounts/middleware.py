"""Idle timeout and last-seen times for the user's list of sessions."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from coparent.accounts.models import UserSession

LAST_ACTIVITY = "last_activity"
TOUCH_EVERY_SECONDS = 300


class SessionActivityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last = request.session.get(LAST_ACTIVITY, now)
            if now - last > settings.SESSION_IDLE_SECONDS:
                logout(request)
            elif now - last > TOUCH_EVERY_SECONDS or LAST_ACTIVITY not in request.session:
                request.session[LAST_ACTIVITY] = now
                UserSession.objects.filter(session_key=request.session.session_key).update(
                    last_seen_at=timezone.now()
                )
        return self.get_response(request)
