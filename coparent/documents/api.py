"""API operations for documents: list and search, add (multipart), read, change the details,
upload a new version (multipart), download a version. The same visibility as the pages: a
document one may not see is 404."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status

from coparent.api.base import actor, family_membership
from coparent.api.multipart import FILE, Multipart
from coparent.core.errors import ServiceError
from coparent.core.inputs import Day, Text
from coparent.core.tenancy import get_for_family
from coparent.documents import forms, selectors, services
from coparent.documents.models import Category, Document, Visibility
from coparent.documents.services import MAX_NOTES, MAX_TITLE
from coparent.documents.views import DOCUMENT_ROLES, file_response, upload_from
from coparent.families.models import Child, Role

router = Router(tags=["documents"])


class DocumentVersionOut(Schema):
    id: uuid.UUID
    number: int
    name: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: dt.datetime


class DocumentOut(Schema):
    id: uuid.UUID
    title: str
    category: Category
    visibility: Visibility
    notes: str
    expires_on: dt.date | None
    children: list[uuid.UUID]
    created_by: str
    created_at: dt.datetime
    versions: list[DocumentVersionOut]


class DocumentIn(Schema):
    title: Annotated[str, Text(MAX_TITLE, required=True)]
    category: Category
    visibility: Visibility
    notes: Annotated[str, Text(MAX_NOTES)] = ""
    expires_on: Day | None = None
    child_ids: list[uuid.UUID] = []


class DocumentSearchQuery(Schema):
    q: Annotated[str, Text(200)] = ""
    category: Category | None = None


def _out(document: Document) -> DocumentOut:
    return DocumentOut(
        id=document.public_id,
        title=document.title,
        category=Category(document.category),
        visibility=Visibility(document.visibility),
        notes=document.notes,
        expires_on=document.expires_on,
        children=[c.public_id for c in document.children.all()],
        created_by=document.created_by.display_name,
        created_at=document.created_at,
        versions=[
            DocumentVersionOut(
                id=v.public_id,
                number=v.number,
                name=v.original_name,
                media_type=v.media_type,
                size=v.size,
                sha256=v.sha256,
                uploaded_by=v.uploaded_by.display_name,
                uploaded_at=v.created_at,
            )
            for v in document.versions.all()
        ],
    )


_MULTIPART_FIELDS: dict[str, Any] = {
    "title": {"type": "string", "maxLength": MAX_TITLE},
    "category": {"type": "string", "enum": Category.values},
    "visibility": {"type": "string", "enum": Visibility.values},
    "notes": {"type": "string", "maxLength": MAX_NOTES},
    "expires_on": {"type": "string", "format": "date"},
    "children": {
        "type": "array",
        "items": {"type": "string", "format": "uuid"},
        "description": "Child ids (repeat the field for several).",
    },
}


NEW_DOCUMENT = Multipart(
    {"file": FILE, **_MULTIPART_FIELDS}, required=["file", "title", "category", "visibility"]
)
NEW_VERSION = Multipart({"file": FILE}, required=["file"])


@router.get(
    "/families/{family_id}/documents",
    response=list[DocumentOut],
    summary="The documents you may see, searched by title and notes",
)
def document_list(
    request: HttpRequest, family_id: str, query: Query[DocumentSearchQuery]
) -> list[DocumentOut]:
    membership = family_membership(request, family_id, roles=DOCUMENT_ROLES)
    return [
        _out(d)
        for d in selectors.document_list(membership, query=query.q, category=query.category or "")
    ]


@router.post(
    "/families/{family_id}/documents",
    response={201: DocumentOut},
    summary="Add a document with its first version (parents; multipart: `file` and the details)",
    openapi_extra=NEW_DOCUMENT.openapi(),
)
def document_create(request: HttpRequest, family_id: str) -> Status[DocumentOut]:
    # Read the multipart body by hand, after tenancy: an outsider learns nothing from validation.
    membership = family_membership(request, family_id, roles=[Role.PARENT])
    parts = NEW_DOCUMENT.read(request)
    form = forms.DocumentForm(parts.text, family=membership.family)
    upload = parts.files["file"][0]
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise ServiceError(str(errors[0]), field=None if field == "__all__" else field)
    data = form.cleaned_data
    document = services.document_create(
        family=membership.family,
        actor=actor(request),
        title=data["title"],
        category=data["category"],
        visibility=data["visibility"],
        notes=data["notes"],
        expires_on=data["expires_on"],
        children=list(data["children"]),
        upload=upload_from(upload),
    )
    return Status(201, _out(selectors.document_get(membership, document.public_id)))


@router.get(
    "/families/{family_id}/documents/{document_id}",
    response=DocumentOut,
    summary="One document and its versions",
)
def document_get(request: HttpRequest, family_id: str, document_id: str) -> DocumentOut:
    membership = family_membership(request, family_id, roles=DOCUMENT_ROLES)
    return _out(selectors.document_get(membership, document_id))


@router.put(
    "/families/{family_id}/documents/{document_id}",
    response=DocumentOut,
    summary="Change a document's details (parents); the file changes only by a new version",
)
def document_update(
    request: HttpRequest, family_id: str, document_id: str, payload: DocumentIn
) -> DocumentOut:
    membership = family_membership(request, family_id, roles=[Role.PARENT])
    document = selectors.document_get(membership, document_id)
    children = [
        get_for_family(Child, membership.family, public_id=child_id)
        for child_id in payload.child_ids
    ]
    services.document_update(
        family=membership.family,
        actor=actor(request),
        document=document,
        title=payload.title,
        category=payload.category,
        visibility=payload.visibility,
        notes=payload.notes,
        expires_on=payload.expires_on,
        children=children,
    )
    return _out(selectors.document_get(membership, document_id))


@router.post(
    "/families/{family_id}/documents/{document_id}/versions",
    response={201: DocumentOut},
    summary="Upload a new version of a document (parents; multipart: `file`)",
    openapi_extra=NEW_VERSION.openapi(),
)
def version_add(request: HttpRequest, family_id: str, document_id: str) -> Status[DocumentOut]:
    membership = family_membership(request, family_id, roles=[Role.PARENT])
    document = selectors.document_get(membership, document_id)
    upload = NEW_VERSION.read(request).files["file"][0]
    services.document_version_add(
        family=membership.family,
        actor=actor(request),
        document=document,
        upload=upload_from(upload),
    )
    return Status(201, _out(selectors.document_get(membership, document_id)))


@router.get(
    "/families/{family_id}/documents/{document_id}/versions/{version_id}/file",
    summary="Download one version of a document (always as a file)",
)
def version_download(
    request: HttpRequest, family_id: str, document_id: str, version_id: str
) -> HttpResponse:
    membership = family_membership(request, family_id, roles=DOCUMENT_ROLES)
    document = selectors.document_get(membership, document_id)
    return file_response(selectors.version_get(membership, document, version_id), inline=False)
