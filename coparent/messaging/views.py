"""Messaging pages: the conversation list, a conversation (with new messages polled by htmx),
starting one, redacting, attachments, search, response times and one's message settings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coparent.core import fragments
from coparent.core.errors import ServiceError
from coparent.core.forms import add_service_error
from coparent.core.http import FamilyRequest
from coparent.core.tenancy import family_view
from coparent.families.models import Membership, Role
from coparent.families.selectors import member_list
from coparent.messaging import files, forms, selectors, services
from coparent.messaging.models import Message, Thread, ThreadParticipant
from coparent.messaging.services import ToneWarning, Upload
from coparent.safety import selectors as safety_selectors
from coparent.safety.forms import HoldForm
from coparent.safety.structured import FORMS, TOPICS

RECORD_ROLES = (Role.PARENT, Role.PROFESSIONAL)


def _micros(moment: dt.datetime) -> int:
    delta = moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return delta // dt.timedelta(microseconds=1)


def _moment(value: str | None) -> dt.datetime | None:
    if not value or not value.isdecimal() or len(value) > 18:  # isdigit() takes "²"
        return None
    try:
        return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=int(value))
    except OverflowError:
        return None


def _uploads(form: forms.MessageForm) -> list[Upload]:
    upload: UploadedFile[bytes] | None = form.cleaned_data.get("file")
    if not upload:
        return []
    limit = files.max_bytes()
    if upload.size and upload.size > limit:
        raise files.too_large("file")
    return [Upload(upload.name or "attachment", upload.read(limit + 1))]


def _decorate(
    messages: list[Message], request: FamilyRequest, thread: Thread, shield: bool
) -> list[Message]:
    """Per-reader details for the template: whose the message is, its receipts, whether the
    shield folds it away and whether the browser should report it as seen."""
    user = request.user
    can_receipt = not request.membership.read_only
    # One reverse for the page: each message's own links are this prefix and its id.
    prefix = reverse("messaging:thread", args=[request.family.public_id, thread.public_id])
    for message in messages:
        views = selectors.views_of(message)
        message.files = [a for a in selectors.attachments_of(message) if not a.redacted]  # type: ignore[attr-defined]
        message.seen_url = f"{prefix}{message.public_id}/seen/"  # type: ignore[attr-defined]
        message.redact_url = f"{prefix}{message.public_id}/redact/"  # type: ignore[attr-defined]
        mine = message.sender_id == user.pk
        message.mine = mine  # type: ignore[attr-defined]
        message.receipts = [  # type: ignore[attr-defined]
            v
            for v in views
            if v.viewer_id != message.sender_id and (not v.withheld or v.viewer_id == user.pk)
        ]
        message.folded = shield and message.hostile and not mine  # type: ignore[attr-defined]
        message.report_seen = (  # type: ignore[attr-defined]
            can_receipt and not mine and all(v.viewer_id != user.pk for v in views)
        )
    return messages


def readers_sentence(names: list[str]) -> str:
    """Who will read what one writes, by name: "Bob and Gran will read this"."""
    if not names:
        return _("Nobody else is in this conversation yet.")
    if len(names) == 1:
        return _("%(name)s will read this.") % {"name": names[0]}
    return _("%(names)s and %(last)s will read this.") % {
        "names": ", ".join(names[:-1]),
        "last": names[-1],
    }


def _thread_context(
    request: FamilyRequest,
    thread: Thread,
    shield: bool,
    form: forms.MessageForm | None = None,
    **extra: Any,
) -> dict[str, Any]:
    membership: Membership = request.membership
    before = _moment(request.GET.get("before"))
    page = _decorate(selectors.message_page(thread, before=before), request, thread, shield)
    older = None
    if page and Message.objects.filter(thread=thread, created_at__lt=page[0].created_at).exists():
        older = _micros(page[0].created_at)
    corrects = None
    corrects_id = request.GET.get("corrects") or (form.data.get("corrects") if form else None)
    if corrects_id:
        try:
            corrects = selectors.message_get(membership, thread, corrects_id)
        except Http404:  # a stale or foreign id just means "no correction"
            corrects = None
        if corrects is not None and corrects.sender_id != request.user.pk:
            corrects = None
    if form is None:
        form = forms.MessageForm(initial={"corrects": corrects.public_id if corrects else None})
    participants = selectors.participant_list(thread)
    restriction = safety_selectors.restriction_for(membership) if membership.is_parent else None
    if restriction is not None:
        extra.setdefault("hold_form", HoldForm())
        extra["held"] = safety_selectors.held_in_thread(thread.pk, request.user.pk)
        extra["restriction_topics"] = [
            (name, label, [(k, t) for k, t in TOPICS.items() if t.form == name])
            for name, label in FORMS.items()
        ]
    return {
        "restriction": restriction,
        "receipts_hidden": restriction is not None,
        "thread": thread,
        "participants": participants,
        "readers": readers_sentence(
            [m.user.display_name for m in participants if m.user_id != request.user.pk]
        ),
        "messages_page": page,
        "older": older,
        "newest": before is not None,
        "cursor": _micros(page[-1].created_at) if page and before is None else None,
        "seen": selectors.receipts_mark(page, request.user.pk) if before is None else 0,
        "form": form,
        "corrects": corrects,
        "can_write": not membership.read_only,
        "can_export": membership.role in RECORD_ROLES,
        "is_parent": membership.is_parent,
        "shield": shield,
        **extra,
    }


@login_required
@family_view()
def thread_list(request: FamilyRequest) -> HttpResponse:
    membership: Membership = request.membership
    seat = ThreadParticipant.objects.filter(thread=OuterRef("pk"), membership=membership)
    threads = selectors.thread_list(membership).annotate(
        unread=Coalesce(Subquery(seat.values("unread")[:1]), Value(0))
    )
    return render(
        request,
        "messaging/thread_list.html",
        {"threads": threads[:200], "search_form": forms.SearchForm()},
    )


def _addable(request: FamilyRequest) -> list[Membership]:
    return [m for m in member_list(request.family) if m.role in services.ADDABLE_ROLES]


@login_required
@family_view(roles=[Role.PARENT], write=True)
def thread_create(request: FamilyRequest) -> HttpResponse:
    addable = _addable(request)
    choices = [(str(m.public_id), f"{m.user.display_name} ({m.role_label})") for m in addable]
    form = forms.ThreadForm(request.POST or None, request.FILES or None, others=choices)
    warning = None
    if request.method == "POST" and form.is_valid():
        chosen = {str(x) for x in form.cleaned_data["others"]}
        try:
            thread = services.thread_create(
                family=request.family,
                actor=request.user,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                others=[m for m in addable if str(m.public_id) in chosen],
                confirm_tone=form.cleaned_data["confirm_tone"],
                uploads=_uploads(form),
            )
        except ToneWarning as error:
            warning = error
        except ServiceError as error:
            add_service_error(form, error)
        else:
            return redirect(
                "messaging:thread", family_id=request.family.public_id, thread_id=thread.public_id
            )
    parent_members = [m for m in member_list(request.family) if m.role == Role.PARENT]
    parents = [m.user.display_name for m in parent_members]
    other_parents = [m.user.display_name for m in parent_members if m.user_id != request.user.pk]
    picked = set(request.POST.getlist("others"))
    added = [m.user.display_name for m in addable if str(m.public_id) in picked]
    return render(
        request,
        "messaging/thread_form.html",
        {
            "form": form,
            "warning": warning,
            "parents": parents,
            "readers": readers_sentence(other_parents + added),
            "had_file": bool(request.FILES),
        },
    )


@login_required
@family_view()
def thread_detail(request: FamilyRequest, thread_id: str) -> HttpResponse:
    membership: Membership = request.membership
    thread = selectors.thread_get(membership, thread_id)
    # The reader's shield is a preference, not a record entry: it is part of what is kept.
    shield = services.preference_get(membership).shield
    if request.method != "POST":
        return fragments.render_kept(
            request,
            thread.subject,
            "messaging/thread.html",
            lambda: _thread_context(request, thread, shield),
            vary=["shield" if shield else "open"],
        )
    form = forms.MessageForm(request.POST, request.FILES)
    warning = None
    if form.is_valid():
        corrects = None
        if form.cleaned_data["corrects"]:
            corrects = selectors.message_get(membership, thread, form.cleaned_data["corrects"])
        try:
            services.message_send(
                family=request.family,
                actor=request.user,
                thread=thread,
                body=form.cleaned_data["body"],
                corrects=corrects,
                confirm_tone=form.cleaned_data["confirm_tone"],
                uploads=_uploads(form),
            )
        except ToneWarning as error:
            warning = error
        except ServiceError as error:
            add_service_error(form, error)
        else:
            return redirect(
                "messaging:thread", family_id=request.family.public_id, thread_id=thread.public_id
            )
    context = _thread_context(
        request, thread, shield, form, warning=warning, had_file=bool(request.FILES)
    )
    return fragments.render_kept(
        request,
        thread.subject,
        "messaging/thread.html",
        lambda: context,
        keep=False,
        status=200 if warning else 400,
    )


@login_required
@family_view()
@require_GET
def thread_poll(request: FamilyRequest, thread_id: str) -> HttpResponse:
    """What is new since `after`: new messages, then a fresh poller; the reader's own messages'
    read receipts are swapped in out of band. With nothing new since `after` and no receipt
    newer than `seen` (the page's mark), 204 and no body, decided in the thread's own query:
    htmx keeps the poller as it is."""
    membership: Membership = request.membership
    after = _moment(request.GET.get("after"))
    seen = request.GET.get("seen", "")
    if after is None:
        thread = selectors.thread_get(membership, thread_id)
    else:
        thread = selectors.thread_poll_get(membership, thread_id, after=after)
        mark = thread.receipts_mark or 0  # type: ignore[attr-defined]
        if not thread.newer and seen == str(mark):  # type: ignore[attr-defined]
            return HttpResponse(status=204)
    shield = services.preference_get(membership).shield
    latest = _decorate(selectors.message_page(thread), request, thread, shield)
    fresh: list[Message] = []
    if after is not None:
        fresh = [m for m in latest if m.created_at > after]
        if len(latest) == selectors.PAGE and len(fresh) == len(latest):
            # More than a page arrived: bring the oldest of them first, as the page would.
            fresh = _decorate(selectors.message_page(thread, after=after), request, thread, shield)
    recent = [m for m in latest if m.mine and m not in fresh]  # type: ignore[attr-defined]
    cursor = _micros(fresh[-1].created_at) if fresh else request.GET.get("after", "")
    restriction = safety_selectors.restriction_for(membership) if membership.is_parent else None
    return render(
        request,
        "messaging/_poll.html",
        {
            "thread": thread,
            "fresh": fresh,
            "receipts": [] if restriction is not None else recent,
            "restriction": restriction,
            "receipts_hidden": restriction is not None,
            "cursor": cursor,
            "seen": selectors.receipts_mark(latest, request.user.pk),
            "shield": shield,
            "can_write": not membership.read_only,
            "is_parent": membership.is_parent,
        },
    )


@login_required
@family_view()
@require_POST
def message_seen(request: FamilyRequest, thread_id: str, message_id: str) -> HttpResponse:
    membership: Membership = request.membership
    thread = selectors.thread_get(membership, thread_id)
    message = selectors.message_get(membership, thread, message_id)
    services.message_view(family=request.family, actor=request.user, messages=[message])
    return HttpResponse(status=204)


@login_required
@family_view(roles=[Role.PARENT], write=True)
def message_redact(request: FamilyRequest, thread_id: str, message_id: str) -> HttpResponse:
    membership: Membership = request.membership
    thread = selectors.thread_get(membership, thread_id)
    message = selectors.message_get(membership, thread, message_id)
    own = message.sender_id == request.user.pk
    form = forms.RedactForm(request.POST or None, own=own)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_redact(
                family=request.family,
                actor=request.user,
                message=message,
                reason=form.cleaned_data["reason"],
                court_order=form.cleaned_data["court_order"],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            flash.success(request, _("The message is redacted. The record notes that it was."))
            return redirect(
                "messaging:thread", family_id=request.family.public_id, thread_id=thread.public_id
            )
    return render(
        request,
        "messaging/redact.html",
        {
            "thread": thread,
            "message": message,
            "form": form,
            "own": own,
        },
    )


@login_required
@family_view()
@require_GET
def attachment_download(request: FamilyRequest, attachment_id: str) -> HttpResponse:
    attachment = selectors.attachment_get(request.membership, attachment_id)
    if attachment.redacted:
        return render(request, "404.html", status=404)
    return attachment_response(
        attachment.stored_name, attachment.original_name, attachment.media_type
    )


def attachment_response(stored_name: str, filename: str, media_type: str) -> HttpResponse:
    """Always a download, never shown inline: no uploaded file can run as a page here."""
    try:
        data = files.read(stored_name)
    except FileNotFoundError:
        raise Http404 from None  # redacted, or lost from storage: not a server error
    response = HttpResponse(data, content_type=media_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@family_view()
@require_GET
def search(request: FamilyRequest) -> HttpResponse:
    form = forms.SearchForm(request.GET or None)
    results: list[Message] = []
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        results = selectors.message_search(request.membership, query)
        for message in results:
            message.link_before = _micros(message.created_at) + 1  # type: ignore[attr-defined]
    return render(
        request,
        "messaging/search.html",
        {"search_form": form, "results": results, "query": query},
    )


@login_required
@family_view()
@require_GET
def response_times(request: FamilyRequest) -> HttpResponse:
    return render(
        request,
        "messaging/response_times.html",
        {"times": selectors.response_times(request.membership), "now": timezone.now()},
    )


@login_required
@family_view()
def preferences(request: FamilyRequest) -> HttpResponse:
    current = services.preference_get(request.membership)
    form = forms.PreferenceForm(
        request.POST or None,
        initial={"shield": current.shield},
    )
    if request.method == "POST" and form.is_valid():
        services.preference_update(family=request.family, actor=request.user, **form.cleaned_data)
        flash.success(request, _("Saved."))
        return redirect("messaging:settings", family_id=request.family.public_id)
    return render(request, "messaging/settings.html", {"form": form})
