"""API operations on the caller's own notifications and notification settings."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import StrictBool

from coparent.api.base import actor
from coparent.core.inputs import JsonNumber
from coparent.core.tenancy import NOT_FAMILY_SCOPED_API
from coparent.notifications import selectors, services
from coparent.notifications.models import Channel, Kind, Notification

router = Router(tags=["notifications"])

CLOCK = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="A local time, HH:MM (24 h).")


class NotificationOut(Schema):
    id: uuid.UUID
    kind: Kind
    title: str = Field(description="Neutral: what the kind is, with no names or content.")
    detail_title: str
    detail_body: str
    link: str = Field(description="The path of the page where it is answered.")
    family_id: uuid.UUID | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    page: int
    has_next: bool
    unread: int


class PageIn(Schema):
    page: Annotated[int, Field(ge=1, le=100_000)] = 1


class ReadAllOut(Schema):
    marked: int


class SettingsOut(Schema):
    channels: dict[Kind, Channel]
    quiet_start: str | None
    quiet_end: str | None
    include_details: bool
    digest_hour: int


class SettingsIn(Schema):
    channels: dict[Kind, Channel] = Field(
        default_factory=dict, description="Kinds left out keep their channel."
    )
    quiet_start: Annotated[str, CLOCK] | None = None
    quiet_end: Annotated[str, CLOCK] | None = None
    include_details: StrictBool = False
    digest_hour: Annotated[int, Field(ge=0, le=23), JsonNumber] = 18


def _out(n: Notification) -> NotificationOut:
    return NotificationOut(
        id=n.public_id,
        kind=Kind(n.kind),
        title=n.title,
        detail_title=n.detail_title,
        detail_body=n.detail_body,
        link=n.link,
        family_id=n.family.public_id if n.family else None,
        created_at=n.created_at,
        read_at=n.read_at,
    )


def _clock(value: dt.time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


def _parse_clock(value: str | None) -> dt.time | None:
    return dt.time.fromisoformat(value) if value else None


def _settings_out(request: HttpRequest) -> SettingsOut:
    user = actor(request)
    found = services.settings_get(user)
    return SettingsOut(
        channels={Kind(k): Channel(c) for k, c in selectors.channels_for(user).items()},
        quiet_start=_clock(found.quiet_start),
        quiet_end=_clock(found.quiet_end),
        include_details=found.include_details,
        digest_hour=found.digest_hour,
    )


@router.get(
    "/notifications",
    response=NotificationPage,
    summary="Your notifications, newest first",
    openapi_extra=NOT_FAMILY_SCOPED_API,
)
def notification_list(request: HttpRequest, query: Query[PageIn]) -> NotificationPage:
    user = actor(request)
    page = selectors.notification_page(user, query.page)
    return NotificationPage(
        items=[_out(n) for n in page.items],
        page=page.number,
        has_next=page.has_next,
        unread=selectors.unread_count(user),
    )


@router.post(
    "/notifications/read-all",
    response=ReadAllOut,
    summary="Mark all your notifications as read",
    openapi_extra=NOT_FAMILY_SCOPED_API,
)
def notifications_read_all(request: HttpRequest) -> ReadAllOut:
    return ReadAllOut(marked=services.notifications_read_all(user=actor(request)))


@router.post(
    "/notifications/{notification_id}/read",
    response=NotificationOut,
    summary="Mark one of your notifications as read",
    openapi_extra=NOT_FAMILY_SCOPED_API,
)
def notification_read(request: HttpRequest, notification_id: uuid.UUID) -> NotificationOut:
    user = actor(request)
    found = (
        selectors.notifications_of(user)
        .select_related("family")
        .filter(public_id=notification_id)
        .first()
    )
    if found is None:
        raise Http404
    services.notification_read(user=user, notification=found)
    found.refresh_from_db(fields=["read_at"])
    return _out(found)


@router.get(
    "/notifications/settings",
    response=SettingsOut,
    summary="How each kind of notification reaches you",
    openapi_extra=NOT_FAMILY_SCOPED_API,
)
def settings_get(request: HttpRequest) -> SettingsOut:
    return _settings_out(request)


@router.put(
    "/notifications/settings",
    response=SettingsOut,
    summary="Choose how notifications reach you",
    openapi_extra=NOT_FAMILY_SCOPED_API,
)
def settings_update(request: HttpRequest, payload: SettingsIn) -> SettingsOut:
    services.settings_update(
        user=actor(request),
        channels={k.value: v.value for k, v in payload.channels.items()},
        quiet_start=_parse_clock(payload.quiet_start),
        quiet_end=_parse_clock(payload.quiet_end),
        include_details=payload.include_details,
        digest_hour=payload.digest_hour,
    )
    return _settings_out(request)
