"""Right of access: everything coparent holds about one person, gathered from every app.

Each app registers one function with `@register_personal_data("<app>")`, in its own
`personal_data.py` imported by its AppConfig.ready(). The function gets the person and returns
`Section(data, files)`: JSON-ready data about them (what they wrote, what they received, their
settings) and the files that go beside it in the zip. It must give only what this person may
see: their own entries, what was sent to them, never another member's private notes and never
another family. `tasks.data_export_build` writes `<app>.json` and `files/<app>/...` per section.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coparent.accounts.models import User


@dataclass
class File:
    """One file for the zip: its name under files/<app>/ and a way to read it when written
    (so a big account's files are read one at a time, not held in memory together)."""

    name: str
    read: Callable[[], bytes]


@dataclass
class Section:
    data: Any
    files: list[File] = field(default_factory=list)


Contributor = Callable[["User"], Section]
_CONTRIBUTORS: dict[str, Contributor] = {}


def register_personal_data(name: str) -> Callable[[Contributor], Contributor]:
    def decorator(function: Contributor) -> Contributor:
        _CONTRIBUTORS[name] = function
        return function

    return decorator


def contributors() -> Iterator[tuple[str, Contributor]]:
    yield from sorted(_CONTRIBUTORS.items())


def jsonable(value: Any) -> Any:
    """Dates and times in ISO 8601 (instants in UTC), ids as strings, amounts as Decimal strings."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


@register_personal_data("account")
def _account(user: User) -> Section:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from coparent.accounts.models import ApiToken, SignInEvent, UserSession

    return Section(
        {
            "id": user.public_id,
            "email": user.email,
            "name": user.display_name,
            "time_zone": user.timezone,
            "email_confirmed": user.email_verified,
            "alert_on_new_sign_in": user.notify_new_sign_in,
            "contact_email": user.contact_email,
            "contact_email_confirmed": user.contact_email_confirmed,
            "joined": user.date_joined,
            "last_sign_in": user.last_login,
            "two_factor": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "sessions": [
                {
                    "started": s.created_at,
                    "last_seen": s.last_seen_at,
                    "address": s.ip_address,
                    "browser": s.user_agent,
                }
                for s in UserSession.objects.filter(user=user)
            ],
            "sign_in_history": [
                {"at": e.at, "outcome": e.outcome, "address": e.ip_address, "browser": e.user_agent}
                for e in SignInEvent.objects.filter(user=user).order_by("-at")
            ],
            # Names and dates only: the secrets were never stored.
            "api_tokens": [
                {
                    "name": t.name,
                    "access": t.scope,
                    "created": t.created_at,
                    "last_used": t.last_used_at,
                    "revoked": t.revoked_at,
                }
                for t in ApiToken.objects.filter(user=user)
            ],
        }
    )
