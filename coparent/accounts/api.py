"""API operations on the caller's own account: profile, sessions and API tokens."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from coparent.accounts import services
from coparent.accounts.models import ApiToken, SignInEvent, UserSession
from coparent.api.base import actor, session_auth
from coparent.core.inputs import Text
from coparent.core.tenancy import NOT_FAMILY_SCOPED_API

# Every operation here is about the caller's own account, never a family.
router = Router(tags=["account"])


class MeOut(Schema):
    id: uuid.UUID
    email: str
    display_name: str
    timezone: str
    language: str
    email_verified: bool
    two_factor: bool


class MeIn(Schema):
    display_name: Annotated[str, Text(80, required=True)] | None = None
    timezone: Annotated[str, Text(64)] | None = None
    language: Annotated[str, Text(16)] | None = None


class SessionOut(Schema):
    id: uuid.UUID
    created_at: dt.datetime
    last_seen_at: dt.datetime
    ip_address: str | None
    user_agent: str
    current: bool


class SignInOut(Schema):
    at: dt.datetime
    outcome: Literal["signed-in", "wrong-password", "wrong-code"]
    ip_address: str | None
    user_agent: str


class TokenOut(Schema):
    id: uuid.UUID
    name: str
    scope: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenIn(Schema):
    name: Annotated[str, Text(80, required=True)]
    scope: Literal["read", "read-write"] = "read"


class TokenCreated(TokenOut):
    secret: str


def _me(request: HttpRequest) -> MeOut:
    user = actor(request)
    return MeOut(
        id=user.public_id,
        email=user.email,
        display_name=user.display_name,
        timezone=user.timezone,
        language=user.language,
        email_verified=user.email_verified,
        two_factor=services.has_two_factor(user),
    )


@router.get(
    "/me", response=MeOut, summary="The signed-in account", openapi_extra=NOT_FAMILY_SCOPED_API
)
def me(request: HttpRequest) -> MeOut:
    return _me(request)


@router.patch(
    "/me",
    response=MeOut,
    summary="Change your name, time zone or language",
    openapi_extra=NOT_FAMILY_SCOPED_API,
)
def me_update(request: HttpRequest, payload: MeIn) -> MeOut:
    user = actor(request)
    services.profile_update(
        user=user,
        display_name=payload.display_name
        if payload.display_name is not None
        else user.display_name,
        timezone_name=payload.timezone or user.timezone,
        notify_new_sign_in=user.notify_new_sign_in,
        language=payload.language or None,
    )
    return _me(request)


@router.get(
    "/sessions",
    response=list[SessionOut],
    summary="Your signed-in browsers",
    openapi_extra=NOT_FAMILY_SCOPED_API,
)
def session_list(request: HttpRequest) -> list[SessionOut]:
    current = request.session.session_key if hasattr(request, "session") else None
    return [
        SessionOut(
            id=s.public_id,
            created_at=s.created_at,
            last_seen_at=s.last_seen_at,
            ip_address=s.ip_address,
            user_agent=s.user_agent,
            current=s.session_key == current,
        )
        for s in UserSession.objects.filter(user=actor(request))
    ]


@router.get(
    "/sign-ins",
    response=list[SignInOut],
    summary="Your sign-in history: sign-ins and failed attempts, newest first (the last 100)",
    openapi_extra=NOT_FAMILY_SCOPED_API,
)
def sign_in_list(request: HttpRequest) -> list[SignInOut]:
    events = SignInEvent.objects.filter(user=actor(request)).order_by("-at")[:100]
    return [
        SignInOut(at=e.at, outcome=e.outcome, ip_address=e.ip_address, user_agent=e.user_agent)  # type: ignore[arg-type]
        for e in events
    ]


@router.delete(
    "/sessions/{session_id}",
    response={204: None},
    summary="Sign out one session",
    openapi_extra=NOT_FAMILY_SCOPED_API,
)
def session_delete(request: HttpRequest, session_id: uuid.UUID) -> Status[None]:
    services.session_end(user=actor(request), session_public_id=str(session_id))
    return Status(204, None)


def _token_out(token: ApiToken) -> TokenOut:
    return TokenOut(
        id=token.public_id,
        name=token.name,
        scope=token.scope,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
    )


@router.get(
    "/tokens",
    response=list[TokenOut],
    summary="Your API tokens",
    openapi_extra=NOT_FAMILY_SCOPED_API,
)
def token_list(request: HttpRequest) -> list[TokenOut]:
    return [_token_out(t) for t in actor(request).api_tokens.all()]


@router.post(
    "/tokens",
    response={201: TokenCreated},
    auth=session_auth,
    summary="Create an API token (shown once)",
    openapi_extra=NOT_FAMILY_SCOPED_API,
)
def token_create(request: HttpRequest, payload: TokenIn) -> Status[TokenCreated]:
    from coparent.accounts.views import has_recent_auth

    if not request.user.is_authenticated:
        raise PermissionDenied
    if not has_recent_auth(request):
        raise PermissionDenied(
            _("Confirm your password first (Account, API tokens), then try again.")
        )
    token, secret = services.api_token_create(
        user=actor(request), name=payload.name, scope=payload.scope
    )
    return Status(201, TokenCreated(**_token_out(token).model_dump(), secret=secret))


@router.delete(
    "/tokens/{token_id}",
    response={204: None},
    summary="Revoke an API token",
    openapi_extra=NOT_FAMILY_SCOPED_API,
)
def token_revoke(request: HttpRequest, token_id: uuid.UUID) -> Status[None]:
    services.api_token_revoke(user=actor(request), token_public_id=str(token_id))
    return Status(204, None)
