"""API operations on the caller's own push subscriptions (one per browser)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from django.http import HttpRequest
from ninja import Router, Schema, Status

from coparent.api.base import actor
from coparent.core.inputs import Text
from coparent.core.tenancy import NOT_FAMILY_SCOPED_API
from coparent.push import keys, selectors, services
from coparent.push.models import ENDPOINT_MAX_LENGTH, PushSubscription

# Every operation here is about the caller's own devices, never a family.
router = Router(tags=["push"])


class KeyOut(Schema):
    application_server_key: str


class SubscriptionKeys(Schema):
    p256dh: Annotated[str, Text(100, required=True)]
    auth: Annotated[str, Text(40, required=True)]


class SubscriptionIn(Schema):
    """What a browser's `PushSubscription.toJSON()` gives (expirationTime is ignored)."""

    endpoint: Annotated[str, Text(ENDPOINT_MAX_LENGTH, required=True)]
    keys: SubscriptionKeys


class SubscriptionOut(Schema):
    id: uuid.UUID
    label: str
    created_at: dt.datetime
    last_success_at: dt.datetime | None


def _out(subscription: PushSubscription) -> SubscriptionOut:
    return SubscriptionOut(
        id=subscription.public_id,
        label=subscription.label,
        created_at=subscription.created_at,
        last_success_at=subscription.last_success_at,
    )


@router.get(
    "/push/key",
    response=KeyOut,
    summary="The server's VAPID public key, for pushManager.subscribe()",
    openapi_extra=NOT_FAMILY_SCOPED_API,
)
def push_key(request: HttpRequest) -> KeyOut:
    return KeyOut(application_server_key=keys.application_server_key())


@router.get(
    "/push/subscriptions",
    response=list[SubscriptionOut],
    summary="Your devices that get notifications",
    openapi_extra=NOT_FAMILY_SCOPED_API,
)
def push_subscription_list(request: HttpRequest) -> list[SubscriptionOut]:
    return [_out(s) for s in selectors.subscription_list(actor(request))]


@router.post(
    "/push/subscriptions",
    response={201: SubscriptionOut},
    summary="Turn on notifications for a browser",
    openapi_extra=NOT_FAMILY_SCOPED_API,
)
def push_subscription_create(
    request: HttpRequest, payload: SubscriptionIn
) -> Status[SubscriptionOut]:
    subscription = services.subscription_save(
        user=actor(request),
        endpoint=payload.endpoint,
        p256dh=payload.keys.p256dh,
        auth=payload.keys.auth,
        user_agent=request.headers.get("User-Agent", ""),
    )
    return Status(201, _out(subscription))


@router.delete(
    "/push/subscriptions/{subscription_id}",
    response={204: None},
    summary="Stop notifications on one of your devices",
    openapi_extra=NOT_FAMILY_SCOPED_API,
)
def push_subscription_delete(request: HttpRequest, subscription_id: uuid.UUID) -> Status[None]:
    user = actor(request)
    services.subscription_remove(
        user=user, subscription=selectors.subscription_get(user, subscription_id)
    )
    return Status(204, None)
