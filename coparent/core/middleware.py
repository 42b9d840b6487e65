"""Request-wide behaviour: a request id, the viewer's language and time zone, no caching of
private pages."""

from __future__ import annotations

import re
import uuid
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from coparent.core.http import from_trusted_proxy
from coparent.core.logging import current_request_id

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id (nginx's $request_id, a load balancer's trace id) is kept so its logs and ours
# line up: only from a listed proxy (anyone else could reuse the id a parent reported and mix
# their lines with hers), and only short and plain (no smuggled text in logs and pages).
_ACCEPTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestIdMiddleware:
    """Every request gets an id, put on its log lines, in the X-Request-ID response header and on
    error pages, so a parent's "it failed at 9:14" can be matched to the one log line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "") if from_trusted_proxy(request) else ""
        request_id = incoming if _ACCEPTED_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        reset = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(reset)
        response[REQUEST_ID_HEADER] = request_id
        return response


class UserTimezoneMiddleware:
    """Times are stored in UTC and shown in the zone the viewer chose in their account."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # override(), not activate(): the zone is the request's alone and does not linger on the
        # thread after it (the next request, a test, a task run on the same thread).
        name = getattr(request.user, "timezone", "") if request.user.is_authenticated else ""
        try:
            zone = zoneinfo.ZoneInfo(name) if name else None
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None
        with timezone.override(zone):
            return self.get_response(request)


def activate_user_language(request: HttpRequest, user: object) -> None:
    """Read this request in the language `user` chose in their account (when it is one we have).
    activate(), as Django's LocaleMiddleware does: every request activates its own language."""
    language = getattr(user, "language", "")
    if language and language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = language


class UserLanguageMiddleware:
    """A signed-in person reads every page in the language of their account. Anyone else gets
    the one LocaleMiddleware chose: the switcher's cookie, else the browser's Accept-Language.
    After AuthenticationMiddleware (it needs the user), before anything renders."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            activate_user_language(request, request.user)
        return self.get_response(request)


class PrivatePageMiddleware:
    """No page is kept by a shared cache or by the browser on a shared device: almost every page
    is private, and the public ones (sign-in, pass checks) must always be fresh. Static files and
    responses that set their own policy are left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/static/") or response.has_header("Cache-Control"):
            return response
        response["Cache-Control"] = "no-store"
        return response
