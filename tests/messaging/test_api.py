"""The messaging API under /api/v1/: the same rules as the pages, errors in the one JSON shape."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from coparent.messaging.models import Message, MessageView, Thread
from tests.cast import Cast
from tests.messaging.helpers import jpeg_with_gps, member, open_thread

pytestmark = pytest.mark.django_db


def api(cast: Cast, rest: str) -> str:
    return f"/api/v1/families/{cast.family_a.public_id}/{rest}"


def test_threads_list_and_create(cast: Cast, client_for) -> None:
    alice = client_for(cast.alice)
    gran = member(cast, cast.gran)
    response = alice.post(
        api(cast, "threads"),
        {"subject": "Summer", "body": "Which weeks?", "participant_ids": [str(gran.public_id)]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["subject"] == "Summer"
    assert set(body["participants"]) == {"Alice Parent", "Bob Parent", "Gran Caregiver"}
    assert [t["subject"] for t in client_for(cast.gran).get(api(cast, "threads")).json()] == [
        "Summer"
    ]
    assert client_for(cast.mediator).get(api(cast, "threads")).json() == []
    refused = client_for(cast.gran).post(
        api(cast, "threads"), {"subject": "x", "body": "y"}, content_type="application/json"
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"


def test_send_with_tone_check_and_correction(cast: Cast, client_for) -> None:
    thread = open_thread(cast)
    bob = client_for(cast.bob)
    path = api(cast, f"threads/{thread.public_id}/messages")
    warned = bob.post(path, {"body": "You always do this"}, content_type="application/json")
    assert warned.status_code == 400
    error = warned.json()["error"]
    assert error["code"] == "tone" and "You always" in error["message"]
    assert error["fields"]["body"]
    sent = bob.post(
        path, {"body": "You always do this", "confirm_tone": True}, content_type="application/json"
    )
    assert sent.status_code == 201 and sent.json()["hostile"] is True
    fixed = bob.post(
        path,
        {"body": "Sorry, that was unfair.", "corrects_id": sent.json()["id"]},
        content_type="application/json",
    )
    assert fixed.json()["corrects_id"] == sent.json()["id"]
    listed = client_for(cast.alice).get(path).json()
    assert [m["body"] for m in listed] == [
        "Can you get Kit at 3?",
        "You always do this",
        "Sorry, that was unfair.",
    ]
    empty = bob.post(path, {"body": "  "}, content_type="application/json")
    assert empty.status_code == 422
    assert empty.json()["error"]["fields"] == {"body": "This cannot be empty."}


def test_marking_viewed_once(cast: Cast, client_for) -> None:
    thread = open_thread(cast)
    message = thread.messages.get()
    path = api(cast, f"threads/{thread.public_id}/messages/{message.public_id}/viewed")
    bob = client_for(cast.bob)
    assert bob.post(path).json() == {"recorded": 1}
    assert bob.post(path).json() == {"recorded": 0}
    assert MessageView.objects.count() == 1
    seen = client_for(cast.alice).get(api(cast, f"threads/{thread.public_id}/messages")).json()
    assert seen[0]["seen_by"][0]["viewer"] == "Bob Parent"


def test_attachment_upload_and_download(cast: Cast, client_for) -> None:
    thread = open_thread(cast)
    bob = client_for(cast.bob)
    response = bob.post(
        api(cast, f"threads/{thread.public_id}/attachments"),
        {"file": SimpleUploadedFile("../../etc/photo.jpeg", jpeg_with_gps()), "body": "Photo"},
    )
    assert response.status_code == 201, response.content
    attachment = response.json()["attachments"][0]
    assert attachment["media_type"] == "image/jpeg" and attachment["name"] == "photo.jpg"
    download = client_for(cast.alice).get(api(cast, f"attachments/{attachment['id']}"))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"GPS" not in download.content
    assert (
        client_for(cast.gran).get(api(cast, f"attachments/{attachment['id']}")).status_code == 404
    )
    bad = bob.post(
        api(cast, f"threads/{thread.public_id}/attachments"),
        {"file": SimpleUploadedFile("a.png", b"<html></html>")},
    )
    assert bad.status_code == 400 and bad.json()["error"]["fields"]["file"]
    missing = bob.post(api(cast, f"threads/{thread.public_id}/attachments"), {})
    assert missing.status_code == 400


@pytest.mark.parametrize("value", ["1", "on", "True", "[true]", ""])
def test_attachment_confirm_tone_is_true_or_false_and_nothing_else(
    cast: Cast, client_for, value: str
) -> None:
    """Form fields are text on the wire, so the schema names the two spellings the server reads;
    anything else is refused before a message is sent."""
    thread = open_thread(cast)
    sent = Message.objects.count()
    response = client_for(cast.bob).post(
        api(cast, f"threads/{thread.public_id}/attachments"),
        {"file": SimpleUploadedFile("photo.jpeg", jpeg_with_gps()), "confirm_tone": value},
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"]["confirm_tone"]
    assert Message.objects.count() == sent


def test_search_and_response_times(cast: Cast, client_for) -> None:
    open_thread(cast, body="Swimming lessons start Monday")
    open_thread(cast, body="Gran swimming too", others=[cast.gran])
    found = client_for(cast.gran).get(api(cast, "messages/search?q=swimming")).json()
    assert [m["body"] for m in found] == ["Gran swimming too"]
    assert client_for(cast.alice).get(api(cast, 'messages/search?q="')).json() == []
    times = client_for(cast.alice).get(api(cast, "messages/response-times")).json()
    assert {t["parent"] for t in times} == {"Alice Parent", "Bob Parent"}
    bob = next(t for t in times if t["parent"] == "Bob Parent")
    assert bob["unanswered"] == 2 and bob["median_seconds"] is None


def test_redaction_through_the_api(cast: Cast, client_for) -> None:
    thread = open_thread(cast, body="Oops, my address")
    message = thread.messages.get()
    path = api(cast, f"threads/{thread.public_id}/messages/{message.public_id}/redact")
    refused = client_for(cast.bob).post(path, {"reason": "x"}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["error"]["fields"]["court_order"]
    done = client_for(cast.alice).post(path, {"reason": "address"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["redacted"] and done.json()["body"] is None
    assert Message.objects.get(pk=message.pk).body == ""


def test_a_thread_one_is_not_in_is_404(cast: Cast, client_for) -> None:
    thread = open_thread(cast)
    gran = client_for(cast.gran)
    for method, path in (
        ("get", f"threads/{thread.public_id}/messages"),
        ("post", f"threads/{thread.public_id}/messages"),
    ):
        response = getattr(gran, method)(
            api(cast, path),
            {"body": "hi"} if method == "post" else None,
            content_type="application/json",
        )
        assert response.status_code == 404, path
    assert Thread.objects.count() == 1 and Message.objects.count() == 1


def test_thread_list_and_search_take_a_fixed_number_of_queries(
    cast, client_for, django_assert_max_num_queries
) -> None:
    from tests.messaging.helpers import open_thread, send

    client = client_for(cast.alice)
    for n in range(6):
        thread = open_thread(cast, subject=f"Topic {n}")
        send(cast, thread, cast.bob, f"pickup note {n}")
    family = cast.family_a.public_id
    with django_assert_max_num_queries(10):
        assert len(client.get(f"/api/v1/families/{family}/threads").json()) == 6
    with django_assert_max_num_queries(8):
        assert len(client.get(f"/api/v1/families/{family}/messages/search?q=pickup").json()) == 6
