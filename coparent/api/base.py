"""The JSON API under /api/v1/: authentication, one error shape, and tenancy for operations.

Every error answers `{"error": {"code": ..., "message": ..., "fields": {...}}}`.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.signals import got_request_exception
from django.db.utils import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.log import log_response
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as CookieSessionAuth
from ninja.utils import check_csrf

from coparent.accounts.models import ApiToken, User
from coparent.accounts.services import api_token_authenticate
from coparent.api.openapi import DocumentedAPI
from coparent.core import overload, ratelimit
from coparent.core.errors import Conflict, ServiceError, Unavailable
from coparent.core.inputs import JsonObjectParser
from coparent.core.logging import request_id_of
from coparent.core.middleware import activate_user_language
from coparent.core.ratelimit import RateLimited
from coparent.core.tenancy import membership_for, record_professional_access, require_write
from coparent.core.validation import field_message
from coparent.families.models import Membership

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
API_PREFIX = "/api/v1/"


class TokenAuth(HttpBearer):
    """`Authorization: Bearer cpt_...` with a personal API token; read-only tokens cannot write.

    A request that names a token is judged by the token alone: a bad one is a 401 even if a
    session cookie travels with it, so a script never acts with whatever session it stumbled on.
    The token is not sent by a browser on its own, so it needs no CSRF token.
    """

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = api_token_authenticate(token)
        if found is None:
            raise AuthenticationError
        if found.scope == ApiToken.READ and request.method not in SAFE_METHODS:
            raise PermissionDenied(_("This API token is read-only."))
        request.user = found.user
        # A script's answers (errors included) are in its owner's language, as pages are.
        activate_user_language(request, found.user)
        return found


class CsrfFailed(PermissionDenied):
    pass


class SessionAuth(CookieSessionAuth):
    """The browser's session. Its cookie is sent by the browser on its own, so every write must
    also carry the page's CSRF token. The check runs once the session is known to be signed in:
    an anonymous request has no credential to forge and gets the plain 401."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)

    def _get_key(self, request: HttpRequest) -> str | None:
        # _ninja_csrf_exempt: ninja's mark for an operation declared csrf_exempt (none here yet).
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise CsrfFailed(
                _("This page is out of date or its security token is missing. Reload the page.")
            )
        return request.COOKIES.get(self.param_name)


session_auth = SessionAuth()

api = DocumentedAPI(
    title="coparent API",
    version="1",
    description=(
        "Accounts, families and invitations; schedules, calendar, swaps and reports; messages and "
        "the verifiable family record; exchanges and pickup passes; what needs you. "
        "Authenticate with the browser session or `Authorization: Bearer cpt_...`. "
        "Every error answers "
        '{"error": {"code", "message", "fields"}}.'
    ),
    urls_namespace="api",
    # The token first: when a request names one, the session is never consulted.
    auth=[TokenAuth(), session_auth],
    docs_url="/docs",
    parser=JsonObjectParser(),
)


def actor(request: HttpRequest) -> User:
    auth = getattr(request, "auth", None)
    user = auth.user if isinstance(auth, ApiToken) else auth
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def family_membership(
    request: HttpRequest, family_id: Any, *, roles: Any = None, read_only_may_post: bool = False
) -> Membership:
    """The caller's membership of the family, or 404; read-only members get 403 on writes
    (unless the operation changes nothing of the family, asking for a court report, or its
    service lets only the moderator of a protective order through)."""
    membership = membership_for(actor(request), family_id, roles=roles)
    if request.method not in SAFE_METHODS and not read_only_may_post:
        require_write(membership)
    record_professional_access(membership, request, via_api=True)
    return membership


def error_response(
    request: HttpRequest, status: int, code: str, message: str, fields: dict[str, str] | None = None
) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return api.create_response(request, {"error": body}, status=status)


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def server_error_message(request: HttpRequest) -> str:
    return _(
        "Something went wrong on our side; nothing was half-saved. If it keeps happening, "
        "tell us this reference: %(request_id)s"
    ) % {"request_id": request_id_of(request) or "-"}


def too_large_message() -> str:
    return _("The request is larger than this server accepts (%(limit)s bytes).") % {
        "limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    }


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    if isinstance(exc, Unavailable):
        status = 503
    elif isinstance(exc, Conflict):
        status = 409
    else:
        status = 403 if exc.code == "forbidden" else 400
    return error_response(
        request, status, exc.code, exc.message, {exc.field: exc.message} if exc.field else None
    )


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields = {}
    for item in exc.errors:
        location = [
            str(part)
            for part in item.get("loc", [])
            if part not in ("body", "payload", "query", "path")
        ]
        fields[".".join(location) or "body"] = field_message(item)
    return error_response(
        request, 422, "invalid", _("Some fields are missing or not valid."), fields
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", _("Not found."))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    code = "csrf_failed" if isinstance(exc, CsrfFailed) else "forbidden"
    return error_response(request, 403, code, str(exc) or _("You may not do that."))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "unauthenticated", _("Sign in, or send a valid API token."))


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    return ratelimit.refuse(
        error_response(request, 429, "rate_limited", exc.message), exc.retry_after
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, exc.status_code, "error", str(exc))


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    """As Django answers outside the API (400, logged to django.security), in the error shape,
    and 413 for an oversized body."""
    if isinstance(exc, RequestDataTooBig):
        response = error_response(request, 413, "too_large", too_large_message())
    else:
        response = error_response(request, 400, "bad_request", _("The request was refused."))
    log_response(
        str(exc),
        exception=exc,
        request=request,
        response=response,
        level="error",
        logger=logging.getLogger(f"django.security.{exc.__class__.__name__}"),
    )
    return response


def _bad_request(request: HttpRequest, exc: Any) -> HttpResponse:
    """A body that cannot be parsed (broken multipart, BadRequest): 400, as Django answers."""
    response = error_response(request, 400, "bad_request", _("The request could not be read."))
    log_response("Bad request: %s", request.path, response=response, request=request, exception=exc)
    return response


api.add_exception_handler(BadRequest, _bad_request)
api.add_exception_handler(MultiPartParserError, _bad_request)


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Any other exception: logged once as Django logs a 500 (core.logging writes the line),
    answered in the error shape with the request id, with DEBUG on or off."""
    got_request_exception.send(sender=None, request=request)
    response = error_response(request, 500, "server_error", server_error_message(request))
    log_response(
        "%s: %s",
        response.reason_phrase,
        request.path,
        response=response,
        request=request,
        exception=exc,
    )
    return response


@api.exception_handler(OperationalError)
def _overloaded(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    """A write that could not get its lock in time: 503 and Retry-After, nothing was written.
    Any other database error goes on to the handler for every other exception."""
    if not overload.is_overload(exc):
        return _server_error(request, exc)
    response = error_response(request, 503, "overloaded", overload.message())
    response["Retry-After"] = str(overload.RETRY_AFTER_SECONDS)
    return response
