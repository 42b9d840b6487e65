"""Builders for document tests, through the real services."""

from __future__ import annotations

import datetime as dt

from coparent.documents import services
from coparent.documents.models import Document
from coparent.messaging.services import Upload
from tests.cast import Cast
from tests.messaging.helpers import pdf_bytes, png_bytes


def add_document(
    cast: Cast,
    *,
    title: str = "Kit's passport",
    category: str = "identity",
    visibility: str = "caregivers",
    notes: str = "Renew before the summer trip",
    expires_on: dt.date | None = None,
    pdf: bool = False,
    actor=None,
) -> Document:
    data = pdf_bytes() if pdf else png_bytes()
    return services.document_create(
        family=cast.family_a,
        actor=actor or cast.alice,
        title=title,
        category=category,
        visibility=visibility,
        notes=notes,
        expires_on=expires_on,
        children=[cast.kit],
        upload=Upload("scan.pdf" if pdf else "scan.png", data),
    )
