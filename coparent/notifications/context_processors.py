"""The unread count beside "Notifications" in the header: one COUNT on an index."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from coparent.notifications.selectors import unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: a page that never renders the header (a download, a redirect) pays nothing.
    return {"nav_unread": lambda: unread_count(user)}
