"""Multipart operations (attachments, journal photos, receipts, documents) read their fields by
hand, so they get their own boundary test: a text part where the schema asks for a file, and a
field that is neither of the two spellings it documents, are refused in the error shape, and
nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from coparent.records.models import LogEntry
from tests.cast import Cast
from tests.expenses.helpers import expense
from tests.messaging.helpers import open_thread, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _files(settings, tmp_path) -> None:
    settings.MESSAGING_ATTACHMENT_DIR = str(tmp_path / "files")


def operations(cast: Cast) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """{name: (path, the file field, the other fields a valid request carries)}."""
    family = f"/api/v1/families/{cast.family_a.public_id}"
    thread = open_thread(cast)
    bill = expense(cast)
    return {
        "attachment": (f"{family}/threads/{thread.public_id}/attachments", "file", {}),
        "journal": (f"{family}/journal/with-photos", "photos", {"body": "At the park"}),
        "receipts": (f"{family}/expenses/{bill.public_id}/receipts", "receipts", {}),
        "document": (
            f"{family}/documents",
            "file",
            {"title": "Report", "category": "other", "visibility": "parents"},
        ),
    }


@pytest.mark.parametrize("name", ["attachment", "journal", "receipts", "document"])
@pytest.mark.parametrize("text", ["75859718745694", "", "photo.png"])
def test_a_text_part_where_a_file_belongs_is_refused(
    cast: Cast, client_for, name: str, text: str
) -> None:
    path, field, fields = operations(cast)[name]
    before = LogEntry.objects.count()
    response = client_for(cast.alice).post(path, {**fields, field: text})
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["fields"] == {field: error["message"]}
    assert LogEntry.objects.count() == before


@pytest.mark.parametrize("name", ["attachment", "journal", "receipts", "document"])
def test_the_same_request_with_a_file_is_taken(cast: Cast, client_for, name: str) -> None:
    path, field, fields = operations(cast)[name]
    before = LogEntry.objects.count()
    upload = SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png")
    response = client_for(cast.alice).post(path, {**fields, field: upload})
    assert response.status_code == 201, response.content
    assert LogEntry.objects.count() > before
