"""Journal pages. A parent's own journal (list, write, read, correct, share); a professional's
page of what was shared with them, with the proofs. Nobody else reaches an entry: the pages
answer 404, as for a missing one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from coparent.core.errors import ServiceError
from coparent.core.forms import add_service_error
from coparent.core.http import FamilyRequest
from coparent.core.tenancy import family_view
from coparent.families.models import Role
from coparent.journal import forms, selectors, services
from coparent.journal.models import JournalEntry
from coparent.messaging import files
from coparent.messaging.services import Upload


def _photos(items: list[Any]) -> list[Upload]:
    limit = files.max_bytes()
    return [Upload(getattr(f, "name", "") or "photo", f.read(limit + 1)) for f in items]


@login_required
@family_view(roles=[Role.PARENT])
@require_GET
def entry_list(request: FamilyRequest) -> HttpResponse:
    return render(
        request,
        "journal/list.html",
        {"entries": selectors.entry_list(request.membership), "form": forms.EntryForm()},
    )


def _write(request: FamilyRequest, corrects: JournalEntry | None) -> HttpResponse:
    form = forms.EntryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.entry_write(
                family=request.family,
                actor=request.user,
                body=form.cleaned_data["body"],
                photos=_photos(form.cleaned_data["photos"]),
                corrects=corrects,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Saved. Only you can read it; its fingerprint is on the family record."),
            )
            return redirect("journal:detail", request.family.public_id, entry.public_id)
    return render(request, "journal/form.html", {"form": form, "corrects": corrects})


@login_required
@family_view(roles=[Role.PARENT], write=True)
def entry_new(request: FamilyRequest) -> HttpResponse:
    return _write(request, None)


@login_required
@family_view(roles=[Role.PARENT], write=True)
def entry_correct(request: FamilyRequest, entry_id: str) -> HttpResponse:
    return _write(request, selectors.entry_get(request.membership, entry_id))


@login_required
@family_view(roles=[Role.PARENT])
@require_GET
def entry_detail(request: FamilyRequest, entry_id: str) -> HttpResponse:
    entry = selectors.entry_get(request.membership, entry_id)
    return render(request, "journal/detail.html", {"entry": entry})


@login_required
@family_view(roles=[Role.PARENT])
def share_list(request: FamilyRequest) -> HttpResponse:
    form = forms.ShareForm(
        request.POST or None,
        professionals=selectors.professionals(request.family),
        entries=JournalEntry.objects.filter(family=request.family, author=request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.share_create(
                family=request.family,
                actor=request.user,
                professional=data["professional"],
                entry=data["entry"],
                start=data["start"],
                end=data["end"],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Shared. They can now read it, with its proof."))
            return redirect("journal:shares", request.family.public_id)
    return render(
        request,
        "journal/shares.html",
        {"form": form, "shares": selectors.share_list(request.membership)},
    )


@login_required
@family_view(roles=[Role.PARENT], write=True)
def share_revoke(request: FamilyRequest, share_id: str) -> HttpResponse:
    share = selectors.share_get(request.membership, share_id)
    if request.method != "POST":
        return render(request, "journal/share_revoke.html", {"share": share})
    try:
        services.share_revoke(family=request.family, actor=request.user, share=share)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("They can no longer read what this share gave them."))
    return redirect("journal:shares", request.family.public_id)


@login_required
@family_view(roles=[Role.PROFESSIONAL])
@require_GET
def shared(request: FamilyRequest) -> HttpResponse:
    proved = selectors.prove(request.family, selectors.shared_entries(request.membership))
    return render(request, "journal/shared.html", {"proved": proved})


@login_required
@family_view(roles=[Role.PARENT, Role.PROFESSIONAL])
@require_GET
def photo(request: FamilyRequest, entry_id: str, photo_id: str) -> HttpResponse:
    found = selectors.photo_get(request.membership, entry_id, photo_id)
    try:
        data = files.read(found.stored_name)
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(data, content_type=found.media_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    response["Cache-Control"] = "no-store"
    return response
