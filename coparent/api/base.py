"""The JSON API under /api/v1/: authentication, one error shape, and tenancy for operations.

Every error answers `{"error": {"code": ..., "message": ..., "fields": {...}}}`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from coparent.accounts.models import ApiToken, User
from coparent.accounts.services import api_token_authenticate
from coparent.api.openapi import DocumentedAPI
from coparent.core.errors import Conflict, ServiceError
from coparent.core.inputs import JsonObjectParser
from coparent.core.tenancy import membership_for, record_professional_access, require_write
from coparent.families.models import Membership

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class TokenAuth(HttpBearer):
    """`Authorization: Bearer cpt_...` with a personal API token; read-only tokens cannot write."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = api_token_authenticate(token)
        if found is None:
            return None
        if found.scope == ApiToken.READ and request.method not in SAFE_METHODS:
            raise PermissionDenied(_("This API token is read-only."))
        request.user = found.user
        return found


api = DocumentedAPI(
    title="coparent API",
    version="1",
    description=(
        "Accounts, families and invitations; schedules, calendar, swaps and reports; messages and "
        "the verifiable family record; exchanges and pickup passes. Authenticate with the browser "
        "session or `Authorization: Bearer cpt_...`. Every error answers "
        '{"error": {"code", "message", "fields"}}.'
    ),
    urls_namespace="api",
    auth=[django_auth, TokenAuth()],
    docs_url="/docs",
    parser=JsonObjectParser(),
)


def actor(request: HttpRequest) -> User:
    auth = getattr(request, "auth", None)
    user = auth.user if isinstance(auth, ApiToken) else auth
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def family_membership(request: HttpRequest, family_id: Any, *, roles: Any = None) -> Membership:
    """The caller's membership of the family, or 404; read-only members get 403 on writes."""
    membership = membership_for(actor(request), family_id, roles=roles)
    if request.method not in SAFE_METHODS:
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


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    status = 409 if isinstance(exc, Conflict) else 403 if exc.code == "forbidden" else 400
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
        fields[".".join(location) or "body"] = str(item.get("msg", "invalid"))
    return error_response(
        request, 422, "invalid", _("Some fields are missing or not valid."), fields
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", _("Not found."))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, "forbidden", str(exc) or _("You may not do that."))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "unauthenticated", _("Sign in, or send a valid API token."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, exc.status_code, "error", str(exc))
