"""Messaging services: who sees what, corrections instead of edits, read receipts, attachments,
the tone check and the shield, notifications and response times."""

from __future__ import annotations

import datetime as dt
import io
import os
import uuid

import pikepdf
import pytest
from django.db import transaction
from django.http import Http404
from django.tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image

from coparent.core.errors import ServiceError
from coparent.families import services as families
from coparent.families.models import Membership
from coparent.messaging import files, selectors, services
from coparent.messaging.models import Attachment, Message, MessageView, Thread
from coparent.messaging.services import ToneWarning, Upload
from coparent.notifications import services as notification_services
from coparent.notifications.models import Kind, Notification
from coparent.records.models import LogEntry
from tests.cast import Cast
from tests.messaging.helpers import (
    PDF,
    jpeg_with_gps,
    member,
    open_thread,
    pdf_with_payload,
    png_bytes,
    send,
)
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db


def test_a_thread_is_between_the_parents_by_default(cast: Cast) -> None:
    thread = open_thread(cast)
    people = {m.user for m in selectors.participant_list(thread)}
    assert people == {cast.alice, cast.bob}
    assert thread in selectors.thread_list(member(cast, cast.bob))
    assert thread not in selectors.thread_list(member(cast, cast.gran))
    assert thread not in selectors.thread_list(member(cast, cast.mediator))


def test_a_member_not_in_a_thread_gets_404_like_an_outsider(cast: Cast) -> None:
    thread = open_thread(cast)
    with pytest.raises(Http404):
        selectors.thread_get(member(cast, cast.gran), thread.public_id)
    with pytest.raises(ServiceError):
        send(cast, thread, cast.gran, "Let me in")
    assert Message.objects.filter(thread=thread).count() == 1


def test_others_join_only_when_a_parent_adds_them(cast: Cast) -> None:
    thread = open_thread(cast, others=[cast.gran])
    assert selectors.thread_get(member(cast, cast.gran), thread.public_id) == thread
    send(cast, thread, cast.gran, "Happy to help on Tuesday.")
    with pytest.raises(ServiceError, match="Only a parent"):
        services.thread_create(family=cast.family_a, actor=cast.gran, subject="Mine", body="Hello")


def test_an_outsider_cannot_be_added(cast: Cast) -> None:
    outsider = Membership.objects.get(family=cast.family_b, user=cast.charlie)
    with pytest.raises(ServiceError, match="not in this family"):
        services.thread_create(
            family=cast.family_a, actor=cast.alice, subject="X", body="Hi", others=[outsider]
        )
    assert not Thread.objects.exists()


def test_a_professional_reads_but_never_sends(cast: Cast) -> None:
    thread = open_thread(cast, others=[cast.mediator])
    assert selectors.thread_get(member(cast, cast.mediator), thread.public_id) == thread
    with pytest.raises(ServiceError, match="read-only"):
        send(cast, thread, cast.mediator, "I am the mediator")
    assert (
        services.message_view(
            family=cast.family_a, actor=cast.mediator, messages=list(thread.messages.all())
        )
        == []
    )


def test_messages_cannot_be_edited_or_deleted_only_corrected(cast: Cast) -> None:
    thread = open_thread(cast, body="Pickup at 3.")
    original = thread.messages.get()
    correction = send(cast, thread, cast.alice, "Sorry: pickup at 4.", corrects=original)
    original.refresh_from_db()
    assert original.body == "Pickup at 3."
    assert correction.corrects == original
    entry = LogEntry.objects.filter(kind="message.sent").last()
    assert f'"corrects":"{original.public_id}"' in bytes(entry.leaf).decode()
    with pytest.raises(ServiceError, match="your own"):
        send(cast, thread, cast.bob, "I correct Alice", corrects=original)
    # The database itself refuses to change the log; the services offer no edit or delete.
    assert not hasattr(services, "message_edit") and not hasattr(services, "message_delete")


def test_a_correction_must_be_in_the_same_thread(cast: Cast) -> None:
    first = open_thread(cast, subject="One")
    second = open_thread(cast, subject="Two")
    with pytest.raises(ServiceError):
        send(cast, second, cast.alice, "fix", corrects=first.messages.get())


def test_bad_input_changes_nothing(cast: Cast) -> None:
    before = LogEntry.objects.count()
    with pytest.raises(ServiceError, match="subject"):
        services.thread_create(family=cast.family_a, actor=cast.alice, subject="  ", body="Hi")
    with pytest.raises(ServiceError, match="Write a message"):
        services.thread_create(family=cast.family_a, actor=cast.alice, subject="Hi", body=" ")
    thread = open_thread(cast)
    after_thread = LogEntry.objects.count()
    assert after_thread == before + 2
    with pytest.raises(ServiceError):
        send(cast, thread, cast.bob, "x" * (services.MAX_BODY + 1))
    with pytest.raises(ServiceError):
        send(cast, thread, cast.bob, "Here", uploads=[Upload("evil.png", b"<svg onload=x>")])
    assert LogEntry.objects.count() == after_thread
    assert Message.objects.count() == 1


def test_receipts_are_recorded_once_per_viewer(cast: Cast) -> None:
    thread = open_thread(cast, others=[cast.gran])
    message = thread.messages.get()
    first = services.message_view(family=cast.family_a, actor=cast.bob, messages=[message])
    again = services.message_view(family=cast.family_a, actor=cast.bob, messages=[message])
    own = services.message_view(family=cast.family_a, actor=cast.alice, messages=[message])
    gran = services.message_view(family=cast.family_a, actor=cast.gran, messages=[message])
    assert len(first) == 1 and again == [] and own == [] and len(gran) == 1
    assert MessageView.objects.filter(message=message).count() == 2
    assert LogEntry.objects.filter(kind="message.viewed").count() == 2


def test_a_member_outside_the_thread_leaves_no_receipt(cast: Cast) -> None:
    thread = open_thread(cast)
    message = thread.messages.get()
    assert services.message_view(family=cast.family_a, actor=cast.gran, messages=[message]) == []
    assert not MessageView.objects.exists()


def test_attachment_types_are_checked_by_content(cast: Cast) -> None:
    thread = open_thread(cast)
    message = send(
        cast,
        thread,
        cast.bob,
        "Report and photo",
        uploads=[Upload("report.exe", PDF), Upload("photo.pdf", png_bytes())],
    )
    kinds = sorted(message.attachments.values_list("media_type", "original_name"))
    assert kinds == [("application/pdf", "report.pdf"), ("image/png", "photo.png")]
    for data in (
        b"<html><script>alert(1)</script>",
        b'<svg xmlns="http://www.w3.org/2000/svg"/>',
        b"GIF89a......",
        b"MZ\x90\x00",
    ):
        with pytest.raises(ServiceError, match="PNG or JPEG"):
            send(cast, thread, cast.bob, "bad file", uploads=[Upload("fine.png", data)])


def test_photos_lose_their_gps_location(cast: Cast) -> None:
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as check:
        assert check.getexif().get_ifd(0x8825), "the test photo must carry GPS to begin with"
    thread = open_thread(cast)
    message = send(cast, thread, cast.bob, "Kit at the park", uploads=[Upload("p.jpg", original)])
    attachment = message.attachments.get()
    stored = files.read(attachment.stored_name)
    assert stored != original
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        exif = image.getexif()
        assert not exif.get_ifd(0x8825)
        assert 0x010F not in exif
        assert "exif" not in image.info
    assert b"PhoneMaker" not in stored
    assert attachment.stored_name.count("/") == 1 and "p.jpg" not in attachment.stored_name


def test_pdfs_are_rewritten_without_scripts_attachments_or_metadata(cast: Cast) -> None:
    original = pdf_with_payload()
    for marker in (b"app.alert", b"MZ-SECRET-ATTACHMENT", b"Example-Author", b"Example-Xmp"):
        assert marker in original, "the test PDF must carry its payload to begin with"
    thread = open_thread(cast)
    message = send(cast, thread, cast.bob, "The form", uploads=[Upload("f.pdf", original)])
    stored = files.read(message.attachments.get().stored_name)
    with pikepdf.open(io.BytesIO(stored)) as pdf:
        assert len(pdf.pages) == 1
        assert "/OpenAction" not in pdf.Root and "/Metadata" not in pdf.Root
        assert "/JavaScript" not in pdf.Root.get("/Names", {})
        assert "/AA" not in pdf.pages[0].obj
        assert not pdf.attachments
        assert "/Info" not in pdf.trailer
        # Nothing of the payload is left anywhere, streams included.
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                assert b"MZ-SECRET" not in obj.read_bytes()
                assert b"Example-Xmp" not in obj.read_bytes()
    for marker in (b"app.alert", b"MZ-SECRET-ATTACHMENT", b"Example-Author", b"Example-Xmp"):
        assert marker not in stored


def test_pdf_links_keep_only_harmless_actions_even_in_chains_and_odd_annotations(
    cast: Cast,
) -> None:
    """Actions are kept by name (go to a page, open a web address, named page moves): a Launch
    chained behind a harmless link, or a remote go-to a Windows reader would follow to a file
    share, is removed; annotations that are not dictionaries do not break the rewrite."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    launch = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe"))
    remote = pikepdf.Dictionary(S=pikepdf.Name.GoToR, F=pikepdf.String("\\\\host\\share\\x.pdf"))
    link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=[0, 0, 10, 10],
        A=pikepdf.Dictionary(
            S=pikepdf.Name.URI, URI=pikepdf.String("https://example.test/"), Next=[launch, remote]
        ),
    )
    pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([None, 5, link]))
    original = io.BytesIO()
    pdf.save(original)
    assert b"calc.exe" in original.getvalue()

    thread = open_thread(cast)
    message = send(cast, thread, cast.bob, "Link", uploads=[Upload("l.pdf", original.getvalue())])
    stored = files.read(message.attachments.get().stored_name)
    assert b"calc.exe" not in stored and b"share" not in stored
    with pikepdf.open(io.BytesIO(stored)) as cleaned:
        (kept,) = cleaned.pages[0].obj.Annots
        assert kept.A.S == "/URI" and list(kept.A.Next) == []


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n<html><body><script>alert(document.cookie)</script></body></html>\n",
        b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
        b"%PDF-",
    ],
    ids=["html-behind-a-pdf-header", "no-pages", "header-only"],
)
def test_a_file_that_only_claims_to_be_a_pdf_is_refused(cast: Cast, data: bytes) -> None:
    thread = open_thread(cast)
    with pytest.raises(ServiceError, match="not one we can read"):
        send(cast, thread, cast.bob, "fake", uploads=[Upload("f.pdf", data)])
    assert not Attachment.objects.exists()


@given(tail=st.binary(max_size=3000))
@hypothesis_settings(max_examples=150, deadline=None)
def test_anything_behind_a_pdf_header_is_refused_or_comes_out_a_clean_pdf(tail: bytes) -> None:
    try:
        cleaned = files.clean_upload(b"%PDF-1.4\n" + tail)
    except ServiceError as error:
        assert error.field == "file"
    else:
        with pikepdf.open(io.BytesIO(cleaned.data)) as pdf:
            assert len(pdf.pages) >= 1


def test_attachments_have_a_size_limit(cast: Cast, settings) -> None:
    settings.MESSAGING_ATTACHMENT_MAX_BYTES = 1000
    thread = open_thread(cast)
    with pytest.raises(ServiceError, match="at most"):
        send(cast, thread, cast.bob, "big", uploads=[Upload("big.pdf", PDF + b"0" * 1000)])
    assert not Attachment.objects.exists()


def test_tone_check_flags_hostile_phrases_and_shouting(cast: Cast) -> None:
    thread = open_thread(cast)
    with pytest.raises(ToneWarning) as caught:
        send(cast, thread, cast.bob, "You never listen. You are a bad parent.")
    assert {"You never", "bad parent"} <= set(caught.value.result.phrases)
    assert "bad parent" in caught.value.message
    with pytest.raises(ToneWarning):
        send(cast, thread, cast.bob, "I'll see you in court")
    with pytest.raises(ToneWarning) as shouting:
        send(cast, thread, cast.bob, "WHERE ARE THE SHOES I SENT")
    assert shouting.value.result.shouting
    assert Message.objects.count() == 1
    calm = send(cast, thread, cast.bob, "Kit is sick today, so I will keep her home.")
    assert not calm.hostile


def test_send_anyway_stores_the_words_unchanged_and_flags_the_row(cast: Cast) -> None:
    thread = open_thread(cast)
    body = "You always forget the medicine, idiot."
    message = send(cast, thread, cast.bob, body, confirm_tone=True)
    message.refresh_from_db()
    assert message.body == body and message.hostile
    assert "idiot" in message.tone_phrases
    leaf = bytes(LogEntry.objects.filter(kind="message.sent").last().leaf)
    assert b"hostile" not in leaf and b"idiot" not in leaf


def test_the_shield_changes_nothing_stored(cast: Cast) -> None:
    thread = open_thread(cast)
    body = "You never pay on time. Pathetic."
    message = send(cast, thread, cast.bob, body, confirm_tone=True)
    leaves = list(LogEntry.objects.values_list("leaf", flat=True))
    services.preference_update(family=cast.family_a, actor=cast.alice, shield=True)
    message.refresh_from_db()
    assert message.body == body
    assert list(LogEntry.objects.values_list("leaf", flat=True)) == leaves


def test_email_has_no_content_unless_opted_in(
    cast: Cast, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    thread = open_thread(cast)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send(cast, thread, cast.alice, "The secret plan for Saturday")
    assert [m.to for m in mailoutbox] == [[cast.bob.email]]
    neutral = mailoutbox[0]
    for private in ("secret plan", "School pickup", "Alice Parent"):
        assert private not in neutral.subject + neutral.body
    assert neutral.subject == "You have a new message in coparent"

    notification_services.settings_update(
        user=cast.bob,
        channels={},
        quiet_start=None,
        quiet_end=None,
        include_details=True,
        digest_hour=18,
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send(cast, thread, cast.alice, "The second plan")
    detailed = mailoutbox[0]
    assert "Alice Parent" in detailed.subject and "School pickup" in detailed.body
    assert str(thread.public_id) in detailed.body
    # The words themselves never leave the app: a redaction could not call them back.
    assert "The second plan" not in detailed.body

    notification_services.settings_update(
        user=cast.bob,
        channels={"message": "app"},
        quiet_start=None,
        quiet_end=None,
        include_details=True,
        digest_hour=18,
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send(cast, thread, cast.alice, "Third")
    assert mailoutbox == []


def test_no_email_is_sent_when_the_transaction_fails(
    cast: Cast, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    thread = open_thread(cast)
    mailoutbox.clear()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send(cast, thread, cast.alice, "Fine by me")  # sent, then the outer write fails
        raise RuntimeError
    assert mailoutbox == []
    assert not Message.objects.filter(body="Fine by me").exists()


def test_a_failed_send_leaves_no_attachment_file(cast: Cast, settings, monkeypatch) -> None:
    from pathlib import Path

    from coparent.messaging import services as messaging

    thread = open_thread(cast)
    store = messaging._attachment_store

    def store_then_fail(*args):
        store(*args)
        raise RuntimeError("the write failed after the file was stored")

    monkeypatch.setattr(messaging, "_attachment_store", store_then_fail)
    with pytest.raises(RuntimeError):
        send(cast, thread, cast.alice, "See the picture", uploads=[Upload("p.png", png_bytes())])
    folder = Path(settings.MESSAGING_ATTACHMENT_DIR)
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))


def _at(thread: Thread, message: Message, moment: dt.datetime) -> None:
    Message.objects.filter(pk=message.pk).update(created_at=moment)


def test_response_times_per_parent(cast: Cast) -> None:
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    thread = open_thread(cast, body="Q1")
    _at(thread, thread.messages.get(), start)
    _at(thread, send(cast, thread, cast.alice, "Q1 again"), start + dt.timedelta(minutes=5))
    _at(thread, send(cast, thread, cast.bob, "A1"), start + dt.timedelta(hours=2))
    _at(thread, send(cast, thread, cast.alice, "A2"), start + dt.timedelta(hours=3))
    _at(thread, send(cast, thread, cast.bob, "A3"), start + dt.timedelta(hours=7))
    times = {t.membership.user: t for t in selectors.response_times(member(cast, cast.alice))}
    bob, alice = times[cast.bob], times[cast.alice]
    # Bob's first wait starts at the first unanswered message, not the second.
    assert [w.seconds for w in bob.answered] == [7200, 4 * 3600]
    assert bob.median_seconds == (7200 + 4 * 3600) / 2
    assert [w.seconds for w in alice.answered] == [3600]
    assert len(alice.unanswered) == 1
    assert bob.slowest[0].seconds == 4 * 3600
    # Gran sees no thread, so no waits at all.
    assert all(not t.waits for t in selectors.response_times(member(cast, cast.gran)))


@pytest.mark.parametrize(
    "query",
    ['"', "'", "AND", "OR NOT", "NEAR(", "*", "-", "body:x", "a\"b'c", "((((", "^", "  ", "ü"],
)
def test_search_survives_odd_input(cast: Cast, query: str) -> None:
    open_thread(cast, body='Quotes " and AND OR NOT * ^ ü')
    selectors.message_search(member(cast, cast.alice), query)


def test_search_finds_words_only_in_ones_own_threads(cast: Cast) -> None:
    parents = open_thread(cast, subject="Dentist", body="The dentist appointment is on Friday")
    with_gran = open_thread(
        cast, subject="Visit", body="Gran's dentist is nearby", others=[cast.gran]
    )
    send(cast, parents, cast.bob, "Fine, Friday works")
    alice = [m.thread for m in selectors.message_search(member(cast, cast.alice), "dentist")]
    gran = [m.thread for m in selectors.message_search(member(cast, cast.gran), "dentist")]
    assert set(alice) == {parents, with_gran}
    assert gran == [with_gran]
    assert selectors.message_search(member(cast, cast.gran), "appointment friday") == []
    assert len(selectors.message_search(member(cast, cast.alice), "appoint fri")) == 1
    charlie = Membership.objects.get(family=cast.family_b, user=cast.charlie)
    assert selectors.message_search(charlie, "dentist") == []


def test_search_skips_redacted_messages(cast: Cast) -> None:
    thread = open_thread(cast, body="My new address is 5 Elm Street")
    message = thread.messages.get()
    assert selectors.message_search(member(cast, cast.bob), "elm street")
    services.message_redact(
        family=cast.family_a, actor=cast.alice, message=message, reason="address sent by mistake"
    )
    assert selectors.message_search(member(cast, cast.bob), "elm street") == []
    assert selectors.message_search(member(cast, cast.alice), "elm") == []


def test_redaction_rules(cast: Cast, django_capture_on_commit_callbacks) -> None:
    thread = open_thread(cast, others=[cast.gran])
    alices = thread.messages.get()
    bobs = send(cast, thread, cast.bob, "Reply", uploads=[Upload("a.png", png_bytes())])
    with pytest.raises(ServiceError, match="Only a parent"):
        services.message_redact(family=cast.family_a, actor=cast.gran, message=alices, reason="x")
    with pytest.raises(ServiceError, match="court order"):
        services.message_redact(family=cast.family_a, actor=cast.alice, message=bobs, reason="x")
    with pytest.raises(ServiceError, match="why"):
        services.message_redact(family=cast.family_a, actor=cast.alice, message=alices, reason=" ")
    stored = bobs.attachments.get().stored_name
    assert files.storage().exists(stored)
    with django_capture_on_commit_callbacks(execute=True):
        services.message_redact(
            family=cast.family_a,
            actor=cast.alice,
            message=bobs,
            reason="Order to remove",
            court_order="FC-2026-118",
        )
    bobs.refresh_from_db()
    assert bobs.body == "" and bytes(bobs.salt) == b"" and bobs.redacted
    attachment = bobs.attachments.get()
    assert attachment.redacted and bytes(attachment.salt) == b""
    assert not files.storage().exists(stored)
    entry = LogEntry.objects.filter(kind="redaction").get()
    assert b"FC-2026-118" in bytes(entry.leaf)
    with pytest.raises(ServiceError, match="already"):
        services.message_redact(family=cast.family_a, actor=cast.bob, message=bobs, reason="again")


def test_a_failed_attachment_leaves_no_file_behind(cast: Cast, monkeypatch) -> None:
    thread = open_thread(cast)

    def broken(**kwargs):
        if kwargs["kind"] == "attachment.added":
            raise RuntimeError("disk full")
        return original(**kwargs)

    original = services.record_append
    monkeypatch.setattr(services, "record_append", broken)
    with pytest.raises(RuntimeError):
        send(cast, thread, cast.bob, "Photo", uploads=[Upload("a.png", png_bytes())])
    root = files.storage().location
    assert not any(names for _dir, _sub, names in os.walk(root))
    assert not Attachment.objects.exists()


def _told_of_messages(user) -> int:
    return Notification.objects.filter(recipient=user, kind=Kind.MESSAGE).count()


def test_the_others_are_told_by_the_worker_once_the_send_commits(cast: Cast) -> None:
    thread = open_thread(cast)
    assert _told_of_messages(cast.bob) == 1
    message = send(cast, thread, cast.alice, "Pickup moved to 4")
    assert _told_of_messages(cast.bob) == 1, "the send waits for nobody's preferences"
    (queued,) = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert queued.task_path == "coparent.messaging.tasks.message_notify_task"
    assert queued.args_kwargs == {"args": [str(message.public_id)], "kwargs": {}}
    assert run_tasks() >= 1
    assert _told_of_messages(cast.bob) == 2 and _told_of_messages(cast.alice) == 0
    run_tasks()
    assert _told_of_messages(cast.bob) == 2, "told once"


def test_a_send_that_fails_queues_nothing(cast: Cast) -> None:
    thread = open_thread(cast)
    with pytest.raises(RuntimeError), transaction.atomic():
        send(cast, thread, cast.alice, "Fine by me")
        raise RuntimeError
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


def test_someone_whose_access_ended_before_the_worker_came_is_not_told(cast: Cast) -> None:
    thread = open_thread(cast, others=[cast.gran])
    send(cast, thread, cast.alice, "Grandparents' day is on Friday")
    families.membership_revoke(
        family=cast.family_a, actor=cast.alice, membership=member(cast, cast.gran)
    )
    run_tasks()
    assert _told_of_messages(cast.gran) == 1, "only the message sent while Gran was in it"
    assert _told_of_messages(cast.bob) == 2


def test_a_message_gone_before_the_worker_came_tells_nobody(cast: Cast) -> None:
    assert services.message_notify(str(uuid.uuid4())) == 0


def test_a_task_run_again_tells_nobody_twice(cast: Cast) -> None:
    """A retry after the task's commit, or `coparent tasks retry` of a task whose worker was
    killed, runs it once more."""
    thread = open_thread(cast)
    message = send(cast, thread, cast.alice, "Pickup moved to 4")
    assert services.message_notify(str(message.public_id)) == 1
    assert services.message_notify(str(message.public_id)) == 0
    assert _told_of_messages(cast.bob) == 2
    message.refresh_from_db()
    assert message.notified_at is not None
