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

The site's frame around the content (header, navigation, footer) is kept too, in each process's
memory: drawing it cost as much as the rest of a kept page. Unlike content, the frame is a pure
function of values already computed when a page is served (the reader's families and role, the
unread and waiting counts, the address, title, language and zone), so those values are its key
and it never goes stale; the same stand-ins carry the request's own token and id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any

from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from coparent.core.http import FamilyRequest

KEPT_SECONDS = 30
# Drawn where a form's CSRF token and the page's request id go, replaced when served.
_TOKEN_STAND_IN = f"kept-csrf-{secrets.token_hex(16)}"
_PAGE_STAND_IN = f"kept-page-{secrets.token_hex(16)}"
_CONTENT_STAND_IN = f"kept-content-{secrets.token_hex(16)}"
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
    after what is left crosses a whole step of its smaller unit (a day at most), or, once months
    can be counted, at the next midnight."""
    left = deadline - now
    unit = (
        dt.timedelta(minutes=1)
        if left < dt.timedelta(days=1)
        else dt.timedelta(hours=1)
        if left < dt.timedelta(days=7)
        else dt.timedelta(days=1)
    )
    step = now + left % unit + dt.timedelta(microseconds=1)
    if left >= dt.timedelta(days=27):
        # Months are counted on the calendar (in the deadline's zone): "1 month" can turn into
        # "4 weeks" at midnight, whatever is left, when today's date moves into the next month.
        today = now.astimezone(deadline.tzinfo)
        midnight = (today + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        step = min(step, midnight)
    return step


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
    is built and the content drawn only when it is not. The frame around it (header, navigation
    and their counts) is kept by `framed`; form tokens and the request id are this request's."""

    def draw() -> str:
        stand_ins = {"csrf_token": _TOKEN_STAND_IN, "page_id": _PAGE_STAND_IN}
        return render_to_string(template, {**context(), **stand_ins}, request)

    content = kept(request, template, draw, vary=vary) if keep else draw()
    html = framed(request, title, content)
    if _TOKEN_STAND_IN in html:
        html = html.replace(_TOKEN_STAND_IN, get_token(request))
    if _PAGE_STAND_IN in html:
        html = html.replace(_PAGE_STAND_IN, str(getattr(request, "request_id", "")))
    return HttpResponse(html, status=status)


def framed(request: HttpRequest, title: str, content: str) -> str:
    """`content` in the site's frame (`kept_page.html`), the frame read from this process's
    memory when it has drawn it for the same values. Stand-ins are left for the caller."""
    context: dict[str, Any] = {}
    for processor in engines["django"].engine.template_context_processors:  # type: ignore[attr-defined]
        context.update(processor(request))
    # Counted once here, for the key and the frame alike: the processors leave them lazy.
    for name in ("nav_unread", "nav_attention"):
        if name in context:
            value = context[name]
            context[name] = int(value() if callable(value) else value)
    key = _frame_key(request, title, context)
    own = {"title": title, "csrf_token": _TOKEN_STAND_IN, "page_id": _PAGE_STAND_IN}
    # Drawn from `context` alone (no request): the processors have run once, above.
    if key is None:  # drawn once: a flash message is shown one time only
        own["content"] = mark_safe(content)  # noqa: S308 - drawn by the template engine
        return render_to_string("kept_page.html", {**context, **own})
    store = caches["frames"]
    frame: str | None = store.get(key)
    if frame is None:
        own["content"] = _CONTENT_STAND_IN
        frame = render_to_string("kept_page.html", {**context, **own})
        store.set(key, frame)
    before, _, after = frame.partition(_CONTENT_STAND_IN)
    return before + content + after


# What the frame's templates read (base.html, kept_page.html and what they include), each a
# part of the key below, a stand-in, or constant for a signed-in reader in one process (the
# language switcher is drawn only for visitors). tests/test_fragments.py reads the templates
# and fails for anything they read that is not listed here: add it to the key, then here.
FRAME_READS = frozenset(
    {
        "LANGUAGE_CODE",  # the language, in the key
        "content",
        "csrf_token",  # a stand-in
        "page_id",  # a stand-in
        "title",
        "request.path",
        "request.request_id",  # replaced by the page_id stand-in in a kept frame
        # The visitors' language switcher only (never drawn in a kept frame, which needs a
        # signed-in reader):
        "request.get_full_path",
        "language.code",
        "language.name_local",
        "forloop.last",
        "user.is_authenticated",
        "nav_family",
        "nav_family.name",
        "nav_family.pk",
        "nav_family.public_id",
        "nav_membership.is_parent",
        "nav_membership.read_only",
        "nav_membership.access_until",
        "nav_memberships",
        "m.family.public_id",
        "m.family.pk",
        "m.family.name",
        "m.role_label",
        "nav_links",
        "link.url",
        "link.label",
        "link.home",
        "nav_professional",
        "nav_unread",
        "nav_attention",
        "quick_exit_url",
        "messages",  # the frame is not kept while a message waits
        "message",
        "message.tags",
    }
)


def _frame_key(request: HttpRequest, title: str, context: dict[str, Any]) -> str | None:
    """Every value `base.html` reads, or None when the frame must be drawn for this request
    alone (a message waits to be shown once, or the page is outside a family)."""
    family, membership = context.get("nav_family"), context.get("nav_membership")
    if family is None or membership is None or len(context.get("messages", ())):
        return None
    user = context["user"]
    parts = (
        title,
        request.path,
        get_script_prefix(),
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
        user.is_authenticated,
        family.pk,
        family.public_id,
        family.name,
        membership.public_id,
        membership.role,
        membership.is_parent,
        membership.read_only,
        membership.access_until,
        tuple(
            (m.family.pk, m.family.public_id, m.family.name, m.role, m.role_label)
            for m in context["nav_memberships"]
        ),
        context["nav_links"],
        context["nav_professional"],
        context.get("nav_unread"),
        context.get("nav_attention"),
        context.get("quick_exit_url"),
    )
    return "frame:" + hashlib.sha256(repr(parts).encode()).hexdigest()
