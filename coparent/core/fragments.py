"""A family page's drawn content, kept until the family's record grows (the "pages" cache: Redis
when there is one, shared by every app server; otherwise files shared by one machine's workers).

What a family page shows is a function of the family's rows, the reader (membership and role)
and the reader's language, zone and address (filters, page). Every change a family makes is an
entry on its record, appended in the change's own transaction, so the record's size names the
family's state: the tenancy gate reads it with the membership before the page's own queries,
which therefore see that state or a newer one. Content rendered under a size is never older than
the size says; the next write makes a new key and the old entry is simply not asked for again.

What changes without a record entry (a person's display name, which belongs to their account)
shows within `KEPT_SECONDS`. What changes with the clock is named by the page: coarse steps as
`vary` (the local date for a calendar), exact moments while drawing (`changes_at`: a deadline
passing, a handover, a countdown's next step), after which the content is drawn again.

Only reads are kept (GET and HEAD), and never across families or readers: the key holds the
family's and the member's public ids. What belongs to one request is drawn as a stand-in that
every request replaces with its own: a form's CSRF token (one person's two browsers hold
different tokens) and the page's request id (`page_id`, which the page's own background
requests send so the access log groups them under it). Memory is bounded by the cache's entry
count (settings.CACHES["pages"]) and the 30 s each entry lives.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any

from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from coparent.core.http import FamilyRequest

KEPT_SECONDS = 30
# Drawn where a form's CSRF token and the page's request id go, replaced when served.
_TOKEN_STAND_IN = f"kept-csrf-{secrets.token_hex(16)}"
_PAGE_STAND_IN = f"kept-page-{secrets.token_hex(16)}"
# The moments named by `changes_at` while content is being drawn; None outside a draw.
_moments: ContextVar[list[dt.datetime] | None] = ContextVar("kept_moments", default=None)


def changes_at(moment: dt.datetime | None) -> None:
    """Says that the content being drawn reads differently from `moment` on: kept content is
    drawn again once the clock reaches the earliest such moment. Outside a draw, nothing."""
    moments = _moments.get()
    if moments is not None and moment is not None:
        moments.append(moment)


def countdown_step(deadline: dt.datetime, now: dt.datetime) -> dt.datetime:
    """When a countdown to `deadline` written by Django's `timeuntil` (its two largest units:
    "3 hours, 20 minutes", "2 days, 4 hours", "2 weeks, 1 day") next reads differently: just
    after what is left crosses a whole step of its smaller unit (a day at most)."""
    left = deadline - now
    unit = (
        dt.timedelta(minutes=1)
        if left < dt.timedelta(days=1)
        else dt.timedelta(hours=1)
        if left < dt.timedelta(days=7)
        else dt.timedelta(days=1)
    )
    return now + left % unit + dt.timedelta(microseconds=1)


def kept(
    request: FamilyRequest, name: str, draw: Callable[[], str], *, vary: Iterable[object] = ()
) -> SafeString:
    """`draw()`'s HTML for this reader, family state and address: drawn once, then read from
    memory until the family's record grows (or for `KEPT_SECONDS` at most)."""
    size = getattr(request.membership, "record_size", None)
    if size is None or request.method not in ("GET", "HEAD"):
        return mark_safe(draw())  # noqa: S308 - rendered by the template engine, escaped there
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    key = ":".join(
        (
            "kept",
            name,
            str(request.family.public_id),
            str(request.membership.public_id),
            request.membership.role,
            str(size),
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
            address,
            *(str(part) for part in vary),
        )
    )
    store = caches["pages"]
    now = timezone.now()
    stored: tuple[str, dt.datetime | None] | None = store.get(key)
    if stored is not None and (stored[1] is None or now < stored[1]):
        return mark_safe(stored[0])  # noqa: S308 - rendered by the template engine, escaped there
    moments: list[dt.datetime] = []
    reset = _moments.set(moments)
    try:
        html = str(draw())
    finally:
        _moments.reset(reset)
    until = min((moment for moment in moments if moment > now), default=None)
    store.set(key, (html, until), KEPT_SECONDS)
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, escaped there


def local_date(now: dt.datetime | None = None) -> str:
    """A `vary` part for content that reads "today" and "tomorrow" or counts days."""
    return timezone.localdate(now).isoformat()


def render_kept(
    request: FamilyRequest,
    title: str,
    template: str,
    context: Callable[[], dict[str, Any]],
    *,
    vary: Iterable[object] = (),
    keep: bool = True,
    status: int = 200,
) -> HttpResponse:
    """A family page whose content (`template`, without the site's frame) is kept: `context()`
    is built and the content drawn only when it is not. The frame around it (header, navigation,
    its counts and form tokens) is drawn for every request."""

    def draw() -> str:
        stand_ins = {"csrf_token": _TOKEN_STAND_IN, "page_id": _PAGE_STAND_IN}
        return render_to_string(template, {**context(), **stand_ins}, request)

    content = kept(request, template, draw, vary=vary) if keep else draw()
    if _TOKEN_STAND_IN in content:
        content = content.replace(_TOKEN_STAND_IN, get_token(request))
    if _PAGE_STAND_IN in content:
        content = content.replace(_PAGE_STAND_IN, str(getattr(request, "request_id", "")))
    page = {"title": title, "content": mark_safe(content)}  # noqa: S308 - drawn by the engine
    return render(request, "kept_page.html", page, status=status)
