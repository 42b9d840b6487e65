"""Small helpers for the notification tests: choices through the real service, and what each
person was told."""

from __future__ import annotations

import datetime as dt
from typing import Any

from coparent.notifications import services
from coparent.notifications.models import Notification


def choose(user: Any, *, channels: dict[str, str] | None = None, **settings: Any) -> None:
    values: dict[str, Any] = {
        "quiet_start": None,
        "quiet_end": None,
        "include_details": False,
        "digest_hour": 18,
    }
    values.update(settings)
    services.settings_update(user=user, channels=channels or {}, **values)


def told(user: Any, kind: str | None = None) -> list[Notification]:
    found = Notification.objects.filter(recipient=user)
    if kind:
        found = found.filter(kind=kind)
    return list(found)


def kinds_of(user: Any) -> list[str]:
    return sorted(n.kind for n in told(user))


def clock(text: str) -> dt.time:
    return dt.time.fromisoformat(text)
