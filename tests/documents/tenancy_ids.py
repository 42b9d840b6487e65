"""Real family-A ids for the document routes, for the tenancy walk (tests/test_tenancy.py)."""

from __future__ import annotations

import tempfile

from django.test import override_settings

from tests.cast import Cast
from tests.documents.helpers import add_document


def ids(cast: Cast) -> dict[str, str]:
    with (
        tempfile.TemporaryDirectory() as folder,
        override_settings(MESSAGING_ATTACHMENT_DIR=folder),
    ):
        document = add_document(cast, visibility="everyone")
    return {
        "document_id": str(document.public_id),
        "version_id": str(document.versions.get().public_id),
    }
