"""Every write about push subscriptions, and sending a notification to a person's devices.

A subscription is a capability URL at a push service (Google's, Mozilla's, Apple's, Microsoft's)
plus the browser's keys. The server POSTs there, so an endpoint is taken only on an allow-listed
push service host over HTTPS: otherwise a member could make the server call any address."""

from __future__ import annotations

import base64
import binascii
import fnmatch
import json
import logging
import re
from dataclasses import dataclass
from ipaddress import ip_address
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pywebpush import WebPushException, webpush

from coparent.accounts.models import User
from coparent.core.errors import ServiceError
from coparent.core.inputs import text_problem
from coparent.push import keys
from coparent.push.labels import device_label
from coparent.push.models import ENDPOINT_MAX_LENGTH, PushSubscription

logger = logging.getLogger("coparent.push")

# What a notification says unless the caller has a reason to say more: a phone's lock screen is
# seen by whoever holds it, so no names and no content.
NEUTRAL_TITLE = "coparent"
NEUTRAL_BODY = gettext_lazy("You have a new message in coparent")

_TOPIC = re.compile(r"[A-Za-z0-9_-]{1,32}")
GONE = (404, 410)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class PushUnavailable(Exception):
    """A push service failed for now (5xx, 429, timeout, no connection): retry the whole send
    later. Devices already reached get it again; the notification's tag replaces the first."""

    def __init__(self, delivered: int, failed: int) -> None:
        super().__init__(f"{failed} push subscription(s) could not be reached; retry later")
        self.delivered = delivered
        self.failed = failed


def _b64url(value: str, length: int, field: str, message: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise ServiceError(message, field=field) from None
    if len(raw) != length:
        raise ServiceError(message, field=field)
    return raw


def _host_allowed(host: str, scheme: str) -> bool:
    if scheme == "http":
        # Only for the fake push service of the tests: a loopback address, when allowed.
        try:
            return settings.PUSH_ALLOW_HTTP_LOOPBACK and ip_address(host).is_loopback
        except ValueError:
            return False
    return any(fnmatch.fnmatchcase(host, pattern) for pattern in settings.PUSH_SERVICE_HOSTS)


def check_endpoint(endpoint: str) -> str:
    message = _("This browser gave a push address this server does not accept.")
    if not endpoint or len(endpoint) > ENDPOINT_MAX_LENGTH or text_problem(endpoint):
        raise ServiceError(message, field="endpoint")
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        raise ServiceError(message, field="endpoint") from None
    host = (parts.hostname or "").lower()
    if (
        parts.scheme not in ("https", "http")
        or not host
        or parts.username is not None
        or parts.password is not None
        or parts.fragment
        or any(c.isspace() for c in endpoint)
        or (parts.scheme == "https" and port not in (None, 443))
        or not _host_allowed(host, parts.scheme)
    ):
        raise ServiceError(message, field="endpoint")
    return endpoint


def _check_keys(p256dh: str, auth: str) -> None:
    message = _("This browser gave push keys that are not valid.")
    point = _b64url(p256dh, 65, "p256dh", message)
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise ServiceError(message, field="p256dh") from None
    _b64url(auth, 16, "auth", message)


@transaction.atomic
def subscription_save(
    *, user: User, endpoint: str, p256dh: str, auth: str, user_agent: str
) -> PushSubscription:
    """Turn on push for one browser of `user`. Saving the same endpoint again (the browser
    renewed its keys) updates it rather than listing the device twice."""
    check_endpoint(endpoint)
    _check_keys(p256dh, auth)
    # The user's row, so two devices subscribing at once cannot pass the limit together.
    User.objects.select_for_update(no_key=True).filter(pk=user.pk).first()
    existing = PushSubscription.objects.filter(user=user, endpoint=endpoint).first()
    if existing is not None:
        existing.p256dh, existing.auth = p256dh, auth
        existing.save(update_fields=["p256dh", "auth"])
        return existing
    if PushSubscription.objects.filter(user=user).count() >= settings.PUSH_SUBSCRIPTIONS_PER_USER:
        raise ServiceError(
            _(
                "Notifications are on for %(n)d devices already. Remove one you no longer use "
                "under Account, Notifications, then try again."
            )
            % {"n": settings.PUSH_SUBSCRIPTIONS_PER_USER},
            code="too_many",
        )
    return PushSubscription.objects.create(
        user=user,
        endpoint=endpoint,
        p256dh=p256dh,
        auth=auth,
        label=device_label(user_agent or "")[:80],
    )


def subscription_remove(*, user: User, subscription: PushSubscription) -> None:
    """Stop sending to one of the user's devices; `subscription` comes from the selectors, which
    only find the user's own."""
    PushSubscription.objects.filter(user=user, pk=subscription.pk).delete()


@dataclass(frozen=True)
class _Outcome:
    delivered: bool = False
    gone: bool = False
    transient: bool = False


def _send_one(subscription: PushSubscription, payload: str, topic: str | None) -> _Outcome:
    headers: dict[str, str | int | float] = {"Urgency": "normal"}
    if topic:
        headers["Topic"] = topic
    session = requests.Session()
    # An allow-listed push service that redirected elsewhere would lead the server off the list.
    session.max_redirects = 0
    try:
        webpush(
            {
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            data=payload,
            vapid_private_key=keys.vapid(),
            vapid_claims={"sub": settings.PUSH_VAPID_SUBJECT},
            timeout=settings.PUSH_TIMEOUT_SECONDS,
            ttl=settings.PUSH_TTL_SECONDS,
            headers=headers,
            requests_session=session,
        )
    except WebPushException as error:
        status = error.response.status_code if error.response is not None else None
        if status in GONE:
            return _Outcome(gone=True)
        if status is None or status == 429 or status >= 500:
            logger.warning(
                "push service unavailable (%s) for subscription %s", status, subscription.public_id
            )
            return _Outcome(transient=True)
        logger.error("push service refused (%s) subscription %s", status, subscription.public_id)
        return _Outcome()
    except requests.TooManyRedirects:
        logger.error("push service redirected; subscription %s", subscription.public_id)
        return _Outcome()
    except requests.RequestException as error:
        logger.warning(
            "push service unreachable (%s) for subscription %s",
            type(error).__name__,
            subscription.public_id,
        )
        return _Outcome(transient=True)
    finally:
        session.close()
    return _Outcome(delivered=True)


def send_to_user(user: User, *, title: StrOrPromise, body: StrOrPromise, url: str, tag: str) -> int:
    """Send one notification to each of the user's devices; returns how many push services took
    it. A device its push service reports gone (404, 410) is forgotten. Raises PushUnavailable
    after trying every device when any failed for now, so the caller's task is retried.

    `url` is a path on this site ("/f/.../messages/"); the service worker opens it on a tap.
    Keep `title` and `body` neutral (NEUTRAL_TITLE, NEUTRAL_BODY): lock screens are public.
    Call it outside a transaction: it waits on the network."""
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        raise ValueError("url must be a path on this site")
    # str(): the neutral texts are lazy, in the language active here (the recipient's).
    payload = json.dumps({"title": str(title), "body": str(body), "url": url, "tag": tag})
    topic = tag if _TOPIC.fullmatch(tag) else None
    delivered, gone, failed = [], [], 0
    for subscription in PushSubscription.objects.filter(user=user).order_by("pk"):
        outcome = _send_one(subscription, payload, topic)
        if outcome.delivered:
            delivered.append(subscription.pk)
        elif outcome.gone:
            gone.append(subscription.pk)
        elif outcome.transient:
            failed += 1
    if delivered:
        PushSubscription.objects.filter(pk__in=delivered).update(last_success_at=timezone.now())
    if gone:
        PushSubscription.objects.filter(pk__in=gone).delete()
    if failed:
        raise PushUnavailable(len(delivered), failed)
    return len(delivered)
