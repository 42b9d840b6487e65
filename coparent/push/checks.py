"""What `check` says about the push settings: push services refuse a request whose VAPID subject
is not a contact address, and Apple's refuses a localhost one, so no iPhone would get anything."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from py_vapid import Vapid02, VapidException


@register()
def vapid_subject(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    subject = settings.PUSH_VAPID_SUBJECT
    try:
        # The same test py_vapid applies when it signs: better at start-up than at each send.
        Vapid02()._base_sign({"sub": subject, "aud": "https://push.example"})
    except VapidException:
        return [
            Error(
                f"PUSH_VAPID_SUBJECT is {subject!r}; push services need a mailto: address or "
                "an https:// address with no path.",
                hint="Set PUSH_VAPID_SUBJECT=mailto:you@example.org (the server's operator).",
                id="push.E001",
            )
        ]
    return []


@register(deploy=True)
def vapid_subject_reachable(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if "localhost" in settings.PUSH_VAPID_SUBJECT:
        return [
            Warning(
                "PUSH_VAPID_SUBJECT is a localhost address: Apple's push service refuses it, "
                "so iPhones and iPads would get no notifications.",
                hint="Set PUSH_VAPID_SUBJECT=mailto:you@example.org, or DEFAULT_FROM_EMAIL.",
                id="push.W001",
            )
        ]
    return []
