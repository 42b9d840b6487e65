"""A write that could not get its database lock in time answers 503 with Retry-After, not 500.

SQLite gives up after its busy timeout ("database is locked"); PostgreSQL after lock_timeout or
statement_timeout, refuses a connection when it has too many, or aborts one side of a deadlock or
a serialization conflict. The transaction rolled back, so
nothing was written and the person (or script) can simply try again in a moment.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db.utils import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

RETRY_AFTER_SECONDS = 5
_SQLITE_BUSY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
# lock_not_available (lock_timeout), query_canceled (statement_timeout), too_many_connections,
# cannot_connect_now (starting up or shutting down), deadlock_detected and serialization_failure
# (PostgreSQL rolled the whole transaction back: the same request succeeds when retried).
_POSTGRES_STATES = {"55P03", "57014", "53300", "57P03", "40P01", "40001"}


def is_overload(exc: BaseException | None) -> bool:
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if isinstance(cause, sqlite3.Error):
        return getattr(cause, "sqlite_errorcode", 0) & 0xFF in _SQLITE_BUSY_CODES
    return getattr(cause, "sqlstate", None) in _POSTGRES_STATES or "too many clients" in str(exc)


def message() -> str:
    return _("The service is busy and saved nothing. Please try again in a few seconds.")


def overloaded_response(request: HttpRequest) -> HttpResponse:
    """The 503 for a page, or for an API request that failed outside its operation."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"error": {"code": "overloaded", "message": message()}}, status=503)
    else:
        # No request context: the context processors read the database that is overloaded.
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _remember_overload(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    if request is not None and is_overload(sys.exc_info()[1]):
        request.overloaded = True  # type: ignore[attr-defined]


got_request_exception.connect(_remember_overload, dispatch_uid="coparent.core.overload")


class OverloadMiddleware:
    """Right after SecurityMiddleware. A view's overload error becomes the 503 page here
    (process_exception); one raised by a middleware inside this one (the session save, the
    last-seen update) has already become a 500 when it gets back here, and is turned into the
    503 as well (Django's got_request_exception signal said why)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "overloaded", False):
            return overloaded_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return overloaded_response(request) if is_overload(exception) else None
