"""Document pages: the list (with search), adding a document, one document with its preview and
versions, editing what it says about itself, and its files (inline for the preview, or as a
download)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from coparent.core.errors import ServiceError
from coparent.core.forms import add_service_error
from coparent.core.http import FamilyRequest
from coparent.core.tenancy import family_view
from coparent.documents import forms, selectors, services
from coparent.documents.models import DocumentVersion
from coparent.families.models import Role
from coparent.messaging import files
from coparent.messaging.services import Upload

DOCUMENT_ROLES = (Role.PARENT, Role.CAREGIVER, Role.PROFESSIONAL)
# The preview frame may be shown only inside this site's own pages, and runs nothing.
PREVIEW_CSP = "default-src 'none'; object-src 'self'; img-src 'self'; frame-ancestors 'self'"


def upload_from(file: Any) -> Upload:
    """The uploaded bytes, one past the limit at most: the cleaner refuses what is too large."""
    return Upload(getattr(file, "name", "") or "document", file.read(files.max_bytes() + 1))


@login_required
@family_view(roles=DOCUMENT_ROLES)
@require_GET
def document_list(request: FamilyRequest) -> HttpResponse:
    form = forms.SearchForm(request.GET or None)
    query = category = ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        category = form.cleaned_data["category"]
    documents = selectors.document_list(request.membership, query=query, category=category)
    return render(
        request,
        "documents/list.html",
        {"documents": documents, "search_form": form, "query": query or category},
    )


@login_required
@family_view(roles=[Role.PARENT], write=True)
def document_new(request: FamilyRequest) -> HttpResponse:
    form = forms.DocumentUploadForm(
        request.POST or None, request.FILES or None, family=request.family
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.document_create(
                family=request.family,
                actor=request.user,
                title=data["title"],
                category=data["category"],
                visibility=data["visibility"],
                notes=data["notes"],
                expires_on=data["expires_on"],
                children=list(data["children"]),
                upload=upload_from(data["file"]),
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The document is saved, its fingerprint on the record."))
            return redirect("documents:detail", request.family.public_id, document.public_id)
    return render(request, "documents/form.html", {"form": form, "document": None})


@login_required
@family_view(roles=DOCUMENT_ROLES)
@require_GET
def document_detail(request: FamilyRequest, document_id: str) -> HttpResponse:
    document = selectors.document_get(request.membership, document_id)
    versions = list(document.versions.all())
    return render(
        request,
        "documents/detail.html",
        {
            "document": document,
            "versions": versions,
            "current": versions[0] if versions else None,
            "version_form": forms.VersionForm(),
        },
    )


@login_required
@family_view(roles=[Role.PARENT], write=True)
def document_edit(request: FamilyRequest, document_id: str) -> HttpResponse:
    document = selectors.document_get(request.membership, document_id)
    initial = {
        "title": document.title,
        "category": document.category,
        "visibility": document.visibility,
        "notes": document.notes,
        "expires_on": document.expires_on,
        "children": [c.public_id for c in document.children.all()],
    }
    form = forms.DocumentForm(request.POST or None, initial=initial, family=request.family)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.document_update(
                family=request.family,
                actor=request.user,
                document=document,
                title=data["title"],
                category=data["category"],
                visibility=data["visibility"],
                notes=data["notes"],
                expires_on=data["expires_on"],
                children=list(data["children"]),
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The document's details are saved."))
            return redirect("documents:detail", request.family.public_id, document.public_id)
    return render(request, "documents/form.html", {"form": form, "document": document})


@require_POST
@login_required
@family_view(roles=[Role.PARENT], write=True)
def version_new(request: FamilyRequest, document_id: str) -> HttpResponse:
    document = selectors.document_get(request.membership, document_id)
    form = forms.VersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_version_add(
                family=request.family,
                actor=request.user,
                document=document,
                upload=upload_from(form.cleaned_data["file"]),
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The new version is saved; the earlier ones are kept."))
    else:
        messages.error(request, _("Choose a file to upload."))
    return redirect("documents:detail", request.family.public_id, document.public_id)


def file_response(version: DocumentVersion, *, inline: bool) -> HttpResponse:
    try:
        data = files.read(version.stored_name)
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(data, content_type=version.media_type)
    response["Content-Disposition"] = (
        content_disposition_header(not inline, version.original_name) or ""
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = PREVIEW_CSP if inline else "sandbox; default-src 'none'"
    response["Cache-Control"] = "no-store"
    return response


@xframe_options_sameorigin
@login_required
@family_view(roles=DOCUMENT_ROLES)
@require_GET
def version_preview(request: FamilyRequest, document_id: str, version_id: str) -> HttpResponse:
    """The file shown inside the document's page (an image, or a PDF in a frame)."""
    document = selectors.document_get(request.membership, document_id)
    return file_response(
        selectors.version_get(request.membership, document, version_id), inline=True
    )


@login_required
@family_view(roles=DOCUMENT_ROLES)
@require_GET
def version_download(request: FamilyRequest, document_id: str, version_id: str) -> HttpResponse:
    document = selectors.document_get(request.membership, document_id)
    return file_response(
        selectors.version_get(request.membership, document, version_id), inline=False
    )
