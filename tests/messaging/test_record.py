"""Messaging and the family record: every action appends its entry, exports disclose bodies,
subjects and files with their salts, and redactions leave a record that still verifies."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from coparent.messaging import services
from coparent.messaging.services import Upload
from coparent.records.export import export_bundle
from coparent.records.models import LogEntry
from coparent.tlog import content_hash, decode, verify_bundle
from tests.cast import Cast
from tests.messaging.helpers import jpeg_with_gps, open_thread, send

pytestmark = pytest.mark.django_db


def kinds_since(index: int) -> list[str]:
    return list(
        LogEntry.objects.filter(family_id=LogEntry.objects.last().family_id, index__gte=index)
        .order_by("index")
        .values_list("kind", flat=True)
    )


def export(cast: Cast, thread_id: str | None = None) -> tuple[bytes, list[dict]]:
    out = io.BytesIO()
    export_bundle(out, family=cast.family_a, thread_id=thread_id)
    data = out.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        lines = [json.loads(line) for line in bundle.read("entries.jsonl").splitlines()]
    return data, lines


def size(cast: Cast) -> int:
    return LogEntry.objects.filter(family=cast.family_a).count()


def test_each_action_appends_the_matching_entry(cast: Cast) -> None:
    start = size(cast)
    thread = open_thread(cast)
    first = thread.messages.get()
    services.message_view(family=cast.family_a, actor=cast.bob, messages=[first])
    reply = send(cast, thread, cast.bob, "Yes", uploads=[Upload("x.jpg", jpeg_with_gps())])
    send(cast, thread, cast.bob, "Yes, at 3", corrects=reply)
    services.message_redact(family=cast.family_a, actor=cast.bob, message=reply, reason="typo")
    assert kinds_since(start) == [
        "thread.created",
        "message.sent",
        "message.viewed",
        "message.sent",
        "attachment.added",
        "message.sent",
        "redaction",
    ]


def test_leaves_hold_only_salted_hashes(cast: Cast) -> None:
    thread = open_thread(cast, subject="Therapy for Kit", body="Tuesday at the clinic")
    message = thread.messages.get()
    leaves = [bytes(e.leaf) for e in LogEntry.objects.filter(family=cast.family_a)]
    assert not any(b"Therapy" in leaf or b"clinic" in leaf for leaf in leaves)
    created = decode(LogEntry.objects.get(kind="thread.created").leaf)
    assert created.fields["subject"] == content_hash(bytes(thread.subject_salt), b"Therapy for Kit")
    assert set(created.fields["participants"]) == {
        str(cast.alice.public_id),
        str(cast.bob.public_id),
    }
    sent = decode(LogEntry.objects.get(kind="message.sent").leaf)
    assert sent.fields["content"] == content_hash(bytes(message.salt), message.body.encode())
    assert sent.fields["thread"] == str(thread.public_id)


def test_a_thread_export_discloses_that_thread_only_and_verifies(cast: Cast) -> None:
    thread = open_thread(cast, subject="Holidays", body="Which week in August?")
    other = open_thread(cast, subject="Money", body="The dentist bill")
    reply = send(cast, thread, cast.bob, "The second", uploads=[Upload("p.jpg", jpeg_with_gps())])
    services.message_view(family=cast.family_a, actor=cast.alice, messages=[reply])
    data, lines = export(cast, str(thread.public_id))
    result = verify_bundle(io.BytesIO(data))
    assert result.ok, result.problem
    assert result.partial
    assert [line["kind"] for line in lines] == [
        "thread.created",
        "message.sent",
        "message.sent",
        "attachment.added",
        "message.viewed",
    ]
    assert lines[0]["subject"] == "Holidays"
    assert [line.get("body") for line in lines[1:3]] == ["Which week in August?", "The second"]
    assert all(line.get("thread_subject") == "Holidays" for line in lines[1:3])
    assert "dentist" not in data.decode("latin-1")
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        assert bundle.read(lines[3]["file"]).startswith(b"\xff\xd8")
    assert str(other.public_id) not in json.dumps(lines)


def test_a_full_export_verifies(cast: Cast) -> None:
    thread = open_thread(cast)
    send(cast, thread, cast.bob, "OK")
    data, lines = export(cast)
    result = verify_bundle(io.BytesIO(data))
    assert result.ok and not result.partial, result.problem
    assert sum(1 for line in lines if "body" in line) == 2


def test_after_a_redaction_the_export_verifies_without_the_body(cast: Cast) -> None:
    thread = open_thread(cast, body="My address is 5 Elm Street")
    message = thread.messages.get()
    send(cast, thread, cast.alice, "Scan", uploads=[Upload("s.jpg", jpeg_with_gps())])
    attached = thread.messages.last()
    services.message_redact(
        family=cast.family_a, actor=cast.alice, message=message, reason="address"
    )
    services.message_redact(
        family=cast.family_a, actor=cast.alice, message=attached, reason="private scan"
    )
    for thread_id in (str(thread.public_id), None):
        data, lines = export(cast, thread_id)
        result = verify_bundle(io.BytesIO(data))
        assert result.ok, result.problem
        assert "Elm Street" not in data.decode("latin-1")
        sent = [line for line in lines if line["kind"] == "message.sent"]
        assert all("body" not in line and "salt" not in line for line in sent)
        files = [line for line in lines if line["kind"] == "attachment.added"]
        assert files and all("file" not in line for line in files)
        redactions = [line for line in lines if line["kind"] == "redaction"]
        assert len(redactions) == 2


def test_a_tampered_body_fails_verification(cast: Cast) -> None:
    thread = open_thread(cast, body="Pickup at 3")
    data, _lines = export(cast, str(thread.public_id))
    tampered = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "entries.jsonl":
                content = content.replace(b"Pickup at 3", b"Pickup at 5")
            target.writestr(item, content)
    result = verify_bundle(io.BytesIO(tampered.getvalue()))
    assert not result.ok and "body does not match" in result.problem
