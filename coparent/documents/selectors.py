"""Reads of documents, always for one member: what their role may see, nothing else."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet

from coparent.core.tenancy import get_for_family
from coparent.documents.models import Document, DocumentVersion
from coparent.documents.services import visibilities_for
from coparent.families.models import Membership

EXPIRING_WITHIN_DAYS = 30


def _visible(membership: Membership) -> QuerySet[Document]:
    return Document.objects.filter(
        family_id=membership.family_id, visibility__in=visibilities_for(membership.role)
    )


def document_list(membership: Membership, *, query: str = "", category: str = "") -> list[Document]:
    """The documents this member may see, searched by title and notes, each with its children
    and versions (newest first) loaded in two more queries, however many there are."""
    documents = _visible(membership)
    for word in query.split():
        documents = documents.filter(Q(title__icontains=word) | Q(notes__icontains=word))
    if category:
        documents = documents.filter(category=category)
    return list(
        documents.select_related("created_by").prefetch_related(
            "children",
            Prefetch(
                "versions",
                queryset=DocumentVersion.objects.select_related("uploaded_by").order_by("-number"),
            ),
        )
    )


def document_get(membership: Membership, document_id: object) -> Document:
    """One document the member may see, or 404 (the same as a missing one)."""
    return get_for_family(
        _visible(membership)
        .select_related("created_by")
        .prefetch_related(
            "children",
            Prefetch(
                "versions",
                queryset=DocumentVersion.objects.select_related("uploaded_by").order_by("-number"),
            ),
        ),
        membership.family,
        public_id=document_id,
    )


def version_get(membership: Membership, document: Document, version_id: object) -> DocumentVersion:
    return get_for_family(
        DocumentVersion.objects.filter(document=document), membership.family, public_id=version_id
    )


def expiring(membership: Membership, today: dt.date) -> QuerySet[Document]:
    """Documents this member sees that have expired or expire within a month."""
    return _visible(membership).filter(
        expires_on__isnull=False,
        expires_on__lte=today + dt.timedelta(days=EXPIRING_WITHIN_DAYS),
    )
