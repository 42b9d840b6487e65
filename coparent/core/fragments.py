"""A family page's content, kept in the server process's memory until the family's record grows.

What a family page shows is a function of the family's rows, the reader (membership and role)
and the reader's language, zone and address (filters, page). Every change a family makes is an
entry on its record, appended in the change's own transaction, so the record's size names the
family's state: the tenancy gate reads it with the membership before the page's own queries,
which therefore see that state or a newer one. Content rendered under a size is never older than
the size says; the next write makes a new key and the old entry is simply not asked for again.

What changes without a record entry (a person's display name, which belongs to their account)
shows within `KEPT_SECONDS`. Only reads are kept (GET and HEAD), only content without a form
token, and never across families or readers: the key holds the family's and the member's public
ids. Memory is bounded by the cache's entry count (settings.CACHES["pages"]).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import caches
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from coparent.core.http import FamilyRequest

KEPT_SECONDS = 30


def kept(request: FamilyRequest, name: str, render: Callable[[], str]) -> SafeString:
    """`render()`'s HTML for this reader, family state and address: rendered once, then read
    from memory until the family's record grows (or for `KEPT_SECONDS` at most)."""
    size = getattr(request.membership, "record_size", None)
    if size is None or request.method not in ("GET", "HEAD"):
        return mark_safe(render())  # noqa: S308 - rendered by the template engine, escaped there
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    key = ":".join(
        (
            "fragment",
            name,
            str(request.family.public_id),
            str(request.membership.public_id),
            request.membership.role,
            str(size),
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
            address,
        )
    )
    store = caches["pages"]
    html: str | None = store.get(key)
    if html is None:
        html = str(render())
        store.set(key, html, KEPT_SECONDS)
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, escaped there
