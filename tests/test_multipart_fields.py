"""Multipart operations (attachments, journal photos, receipts, documents) read their fields by
hand, so they get their own boundary test: a body whose shape differs from the schema the API
documents (a text part where a file belongs, a file where text belongs, a single field sent
twice, more files than allowed, text longer than documented) is refused in the error shape, and
nothing is written; the same body in the documented shape is taken."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coparent.families.services import child_add
from coparent.journal.services import MAX_BODY as MAX_ENTRY
from coparent.journal.services import MAX_PHOTOS
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


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def refused(response: Any, field: str) -> None:
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"].keys() == {field}, response.content


@pytest.mark.parametrize(
    ("name", "field", "value"),
    [
        ("journal", "body", ["At the park", "At the zoo"]),
        ("attachment", "body", ["One", "Two"]),
        ("attachment", "confirm_tone", ["true", "false"]),
        ("document", "title", ["Report", "Other report"]),
        ("document", "category", ["other", "other"]),
    ],
)
def test_a_single_text_field_sent_twice_is_refused(
    cast: Cast, client_for, name: str, field: str, value: list[str]
) -> None:
    """Reading one of the two would answer as if the request had been understood."""
    path, file_field, fields = operations(cast)[name]
    before = LogEntry.objects.count()
    response = client_for(cast.alice).post(path, {**fields, file_field: png(), field: value})
    refused(response, field)
    assert LogEntry.objects.count() == before


@pytest.mark.parametrize(("name", "field"), [("journal", "body"), ("document", "title")])
def test_text_sent_as_a_file_is_refused(cast: Cast, client_for, name: str, field: str) -> None:
    path, file_field, fields = operations(cast)[name]
    before = LogEntry.objects.count()
    as_file = SimpleUploadedFile("body.txt", b"At the park", content_type="text/plain")
    response = client_for(cast.alice).post(path, {**fields, file_field: png(), field: as_file})
    refused(response, field)
    assert LogEntry.objects.count() == before


@pytest.mark.parametrize(
    ("name", "count"), [("attachment", 2), ("document", 2), ("journal", MAX_PHOTOS + 1)]
)
def test_more_files_than_a_field_takes_are_refused(
    cast: Cast, client_for, name: str, count: int
) -> None:
    path, file_field, fields = operations(cast)[name]
    before = LogEntry.objects.count()
    uploads = [png(f"photo{i}.png") for i in range(count)]
    response = client_for(cast.alice).post(path, {**fields, file_field: uploads})
    refused(response, file_field)
    assert LogEntry.objects.count() == before


def test_the_length_limit_is_on_what_was_sent_not_what_is_kept(cast: Cast, client_for) -> None:
    """The schema documents maxLength of the field as sent: padding that the entry would trim
    does not make an over-long body fit."""
    path, _field, _fields = operations(cast)["journal"]
    before = LogEntry.objects.count()
    response = client_for(cast.alice).post(path, {"body": " " + "x" * MAX_ENTRY})
    refused(response, "body")
    assert LogEntry.objects.count() == before


def test_repeating_a_list_field_is_how_it_is_spelled(cast: Cast, client_for) -> None:
    path, _field, fields = operations(cast)["document"]
    sibling = child_add(
        family=cast.family_a, actor=cast.alice, first_name="Ash", date_of_birth=dt.date(2019, 2, 3)
    )
    children = [str(cast.kit.public_id), str(sibling.public_id)]
    response = client_for(cast.alice).post(path, {**fields, "file": png(), "children": children})
    assert response.status_code == 201, response.content
    assert sorted(response.json()["children"]) == sorted(children)


def test_any_shape_of_the_photo_entry_body_is_taken_only_as_documented(
    cast: Cast, client_for
) -> None:
    """Each field may be missing, text, a file, or several of either: the entry is written
    exactly when `body` is one text part and `photos` are at most MAX_PHOTOS files."""
    path, _field, _fields = operations(cast)["journal"]
    alice = client_for(cast.alice)
    part = st.one_of(
        st.sampled_from(["At the park", "0", "photo.png"]).map(lambda text: ("text", text)),
        st.just(("file", None)),
    )
    shape = st.fixed_dictionaries(
        {}, optional={"body": st.lists(part, max_size=3), "photos": st.lists(part, max_size=7)}
    )

    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(shape)
    def check(body: dict[str, list[tuple[str, str | None]]]) -> None:
        data = {
            name: [png() if kind == "file" else text for kind, text in parts]
            for name, parts in body.items()
        }
        kinds = {name: [kind for kind, _text in parts] for name, parts in body.items()}
        documented = kinds.get("body") == ["text"] and (
            set(kinds.get("photos", [])) <= {"file"} and len(kinds.get("photos", [])) <= MAX_PHOTOS
        )
        before = LogEntry.objects.count()
        response = alice.post(path, data)
        if documented:
            assert response.status_code == 201, (body, response.content)
            assert LogEntry.objects.count() == before + 1
        else:
            assert response.status_code == 400, (body, response.content)
            assert response.json()["error"]["code"], response.content
            assert LogEntry.objects.count() == before

    check()
