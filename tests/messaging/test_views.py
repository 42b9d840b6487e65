"""Messaging pages: listing, starting a conversation, sending with the tone check, polling,
read receipts, downloads, redaction, search, response times and settings."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from django.core.cache import caches
from django.test import Client

from coparent.messaging import files, services
from coparent.messaging.models import Message, MessageView, MessagingPreference, Thread
from coparent.messaging.services import Upload
from coparent.tlog import verify_bundle
from tests.cast import Cast
from tests.messaging.helpers import PDF, member, open_thread, png_bytes, send

pytestmark = pytest.mark.django_db


def url(cast: Cast, rest: str = "") -> str:
    return f"/f/{cast.family_a.public_id}/messages/{rest}"


def micros(moment: dt.datetime) -> int:
    return (moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)


def test_the_list_shows_only_ones_threads_with_new_counts(cast: Cast, client_for) -> None:
    mine = open_thread(cast, subject="Parents only")
    shared = open_thread(cast, subject="With gran", others=[cast.gran])
    page = client_for(cast.bob).get(url(cast)).content.decode()
    assert "Parents only" in page and "With gran" in page and "1 new" in page
    gran = client_for(cast.gran).get(url(cast)).content.decode()
    assert "With gran" in gran and "Parents only" not in gran
    assert "New conversation" not in gran
    assert client_for(cast.gran).get(url(cast, f"{mine.public_id}/")).status_code == 404
    assert client_for(cast.gran).get(url(cast, f"{shared.public_id}/")).status_code == 200


def test_the_nav_links_to_messages(cast: Cast, client_for) -> None:
    for user in (cast.alice, cast.gran, cast.mediator):
        page = client_for(user).get(f"/f/{cast.family_a.public_id}/").content.decode()
        assert f'href="{url(cast)}"' in page


def test_a_parent_starts_a_conversation(cast: Cast, client_for) -> None:
    gran = member(cast, cast.gran)
    alice = client_for(cast.alice)
    assert "Gran Caregiver" in alice.get(url(cast, "new/")).content.decode()
    response = alice.post(
        url(cast, "new/"),
        {"subject": "Birthday", "others": [str(gran.public_id)], "body": "Party on Sunday?"},
    )
    thread = Thread.objects.get(subject="Birthday")
    assert response.status_code == 302 and response["Location"] == url(cast, f"{thread.public_id}/")
    assert client_for(cast.gran).get(response["Location"]).status_code == 200
    assert client_for(cast.gran).get(url(cast, "new/")).status_code == 404


def test_starting_a_conversation_shows_inline_errors(cast: Cast, client_for) -> None:
    response = client_for(cast.alice).post(url(cast, "new/"), {"subject": "", "body": ""})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="id_subject_error"' in page
    assert "Write a message first" in page
    assert not Thread.objects.exists()


def test_sending_hostile_words_warns_then_send_anyway_sends(cast: Cast, client_for) -> None:
    thread = open_thread(cast)
    bob = client_for(cast.bob)
    path = url(cast, f"{thread.public_id}/")
    response = bob.post(path, {"body": "You never answer, you are a terrible father."})
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="tone-warning"' in page
    assert "You never" in page and "terrible father" in page and "Send anyway" in page
    assert Message.objects.count() == 1
    response = bob.post(
        path, {"body": "You never answer, you are a terrible father.", "confirm_tone": "1"}
    )
    assert response.status_code == 302
    message = Message.objects.latest("created_at")
    assert message.hostile and message.body.startswith("You never")


def test_the_shield_folds_hostile_messages_behind_a_click(cast: Cast, client_for) -> None:
    thread = open_thread(cast)
    send(cast, thread, cast.bob, "You are pathetic.", confirm_tone=True)
    alice = client_for(cast.alice)
    path = url(cast, f"{thread.public_id}/")
    assert '<details class="shielded"' not in alice.get(path).content.decode()
    alice.post(url(cast, "settings/"), {"shield": "on"})
    assert MessagingPreference.objects.get(membership=member(cast, cast.alice)).shield
    page = alice.get(path).content.decode()
    assert '<details class="shielded">' in page and "You are pathetic." in page
    # The sender sees their own words plainly.
    assert '<details class="shielded"' not in client_for(cast.bob).get(path).content.decode()


def test_a_correction_from_the_page(cast: Cast, client_for) -> None:
    thread = open_thread(cast, body="At 3")
    original = thread.messages.get()
    alice = client_for(cast.alice)
    path = url(cast, f"{thread.public_id}/")
    page = alice.get(f"{path}?corrects={original.public_id}").content.decode()
    assert "Correct your message" in page and f'value="{original.public_id}"' in page
    alice.post(path, {"body": "At 4, sorry", "corrects": str(original.public_id)})
    assert Message.objects.get(body="At 4, sorry").corrects == original
    # Someone else's message cannot be the target of a correction.
    response = client_for(cast.bob).post(
        path, {"body": "At 5", "corrects": str(original.public_id)}
    )
    assert response.status_code == 400 and not Message.objects.filter(body="At 5").exists()


def test_viewing_records_a_receipt_once_and_the_sender_sees_it(cast: Cast, client_for) -> None:
    thread = open_thread(cast)
    message = thread.messages.get()
    bob = client_for(cast.bob)
    page = bob.get(url(cast, f"{thread.public_id}/")).content.decode()
    seen = url(cast, f"{thread.public_id}/{message.public_id}/seen/")
    assert f'hx-post="{seen}"' in page and 'hx-trigger="intersect once"' in page
    assert not MessageView.objects.exists(), "rendering alone is not seeing"
    assert bob.post(seen).status_code == 204
    assert bob.post(seen).status_code == 204
    assert MessageView.objects.filter(message=message).count() == 1
    alice_page = client_for(cast.alice).get(url(cast, f"{thread.public_id}/")).content.decode()
    assert re.search(r"Seen by Bob Parent at \d\d:\d\d", alice_page)
    assert f'hx-post="{seen}"' not in bob.get(url(cast, f"{thread.public_id}/")).content.decode()


def test_polling_returns_only_new_messages_and_receipts(cast: Cast, client_for) -> None:
    thread = open_thread(cast)
    first = thread.messages.get()
    alice = client_for(cast.alice)
    page = alice.get(url(cast, f"{thread.public_id}/")).content.decode()
    assert 'hx-trigger="every 5s"' in page
    cursor = re.search(r"poll/\?after=(\d+)", page).group(1)
    poll = url(cast, f"{thread.public_id}/poll/?after={cursor}")
    empty = alice.get(poll).content.decode()
    assert "m-" + str(first.public_id) not in empty.replace(f"receipt-{first.public_id}", "")
    assert "Not seen yet" in empty
    services.message_view(family=cast.family_a, actor=cast.bob, messages=[first])
    reply = send(cast, thread, cast.bob, "On my way")
    fresh = alice.get(poll).content.decode()
    assert "On my way" in fresh and f'id="m-{reply.public_id}"' in fresh
    assert 'hx-swap-oob="true"' in fresh and "Seen by Bob Parent" in fresh
    assert f"after={micros(reply.created_at)}" in fresh
    assert "At 3" not in fresh


POLL_QUERIES = {"quiet": 4, "news": 9}  # session, user, membership, thread (+ the page)


def test_a_poll_with_nothing_new_is_204_from_one_query_whatever_the_history(
    cast: Cast, client_for, django_assert_num_queries
) -> None:
    thread = open_thread(cast)
    first = thread.messages.get()
    alice = client_for(cast.alice)

    def poller() -> str:
        page = alice.get(url(cast, f"{thread.public_id}/")).content.decode()
        return re.search(r'hx-get="([^"]*poll/[^"]*)"', page).group(1).replace("&amp;", "&")

    poll = poller()
    assert "seen=0" in poll
    with django_assert_num_queries(POLL_QUERIES["quiet"]):
        quiet = alice.get(poll)
    assert quiet.status_code == 204 and quiet.content == b""
    # Someone saw alice's message: the receipt comes in, and the next poller knows it.
    services.message_view(family=cast.family_a, actor=cast.bob, messages=[first])
    with django_assert_num_queries(POLL_QUERIES["news"]):
        receipt = alice.get(poll).content.decode()
    assert "Seen by Bob Parent" in receipt and f"receipt-{first.public_id}" in receipt
    poll = re.search(r'hx-get="([^"]*poll/[^"]*)"', receipt).group(1).replace("&amp;", "&")
    assert alice.get(poll).status_code == 204
    # A long history changes neither answer's query count.
    for n in range(60):
        send(cast, thread, cast.bob if n % 2 else cast.alice, f"history {n}")
    poll = poller()
    with django_assert_num_queries(POLL_QUERIES["quiet"]):
        assert alice.get(poll).status_code == 204
    reply = send(cast, thread, cast.bob, "On my way")
    with django_assert_num_queries(POLL_QUERIES["news"]):
        fresh = alice.get(poll).content.decode()
    assert "On my way" in fresh and f"after={micros(reply.created_at)}" in fresh


def test_a_poll_after_more_than_a_page_brings_the_oldest_new_first(cast: Cast, client_for) -> None:
    thread = open_thread(cast, body="message 0")
    alice = client_for(cast.alice)
    page = alice.get(url(cast, f"{thread.public_id}/")).content.decode()
    poll = re.search(r'hx-get="([^"]*poll/[^"]*)"', page).group(1).replace("&amp;", "&")
    for n in range(1, 56):
        send(cast, thread, cast.bob, f"message {n}")
    fresh = alice.get(poll).content.decode()
    assert "<p>message 1</p>" in fresh and "<p>message 55</p>" not in fresh


def test_older_messages_are_paged(cast: Cast, client_for) -> None:
    thread = open_thread(cast, body="message 0")
    for n in range(1, 55):
        send(cast, thread, cast.alice if n % 2 else cast.bob, f"message {n}")
    alice = client_for(cast.alice)
    page = alice.get(url(cast, f"{thread.public_id}/")).content.decode()
    assert "message 54" in page and "<p>message 4</p>" not in page
    older = re.search(r'href="\?before=(\d+)"', page).group(1)
    earlier = alice.get(url(cast, f"{thread.public_id}/?before={older}")).content.decode()
    assert "<p>message 0</p>" in earlier and "message 54" not in earlier


def test_attachments_download_only_as_files(cast: Cast, client_for) -> None:
    thread = open_thread(cast)
    bob = client_for(cast.bob)
    response = bob.post(
        url(cast, f"{thread.public_id}/"),
        {"body": "The report", "file": _upload("report.html", PDF)},
    )
    assert response.status_code == 302
    attachment = Message.objects.latest("created_at").attachments.get()
    download = client_for(cast.alice).get(url(cast, f"files/{attachment.public_id}/"))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="report.pdf"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download.content == files.read(attachment.stored_name)
    assert download.content.startswith(b"%PDF-")
    assert client_for(cast.gran).get(url(cast, f"files/{attachment.public_id}/")).status_code == 404
    response = bob.post(
        url(cast, f"{thread.public_id}/"),
        {"body": "svg", "file": _upload("x.png", b"<svg onload='alert(1)'/>")},
    )
    assert response.status_code == 400 and "PNG or JPEG" in response.content.decode()


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/html")


def test_redacting_from_the_page(cast: Cast, client_for) -> None:
    thread = open_thread(cast, body="My address is 5 Elm Street")
    message = thread.messages.get()
    path = url(cast, f"{thread.public_id}/{message.public_id}/redact/")
    alice = client_for(cast.alice)
    assert alice.get(path).status_code == 200
    assert client_for(cast.bob).post(path, {"reason": "mine now"}).status_code == 200
    assert not Message.objects.get(pk=message.pk).redacted
    assert alice.post(path, {"reason": "sent by mistake"}).status_code == 302
    page = alice.get(url(cast, f"{thread.public_id}/")).content.decode()
    assert "Elm Street" not in page and "sent by mistake" in page


def test_the_thread_page_links_to_its_export_for_parents_and_professionals(
    cast: Cast, client_for
) -> None:
    thread = open_thread(cast, others=[cast.gran, cast.mediator])
    link = f"/f/{cast.family_a.public_id}/record/export.zip?thread={thread.public_id}"
    for user in (cast.alice, cast.mediator):
        assert link in client_for(user).get(url(cast, f"{thread.public_id}/")).content.decode()
    assert link not in client_for(cast.gran).get(url(cast, f"{thread.public_id}/")).content.decode()
    response = client_for(cast.alice).get(link)
    assert response.status_code == 200
    assert verify_bundle(io.BytesIO(response.content)).ok
    with zipfile.ZipFile(io.BytesIO(response.content)) as bundle:
        assert b"Can you get Kit at 3?" in bundle.read("entries.jsonl")


def test_a_professional_reads_but_cannot_post(cast: Cast, client_for) -> None:
    thread = open_thread(cast, others=[cast.mediator])
    mediator: Client = client_for(cast.mediator)
    page = mediator.get(url(cast, f"{thread.public_id}/")).content.decode()
    assert "Can you get Kit at 3?" in page and "<textarea" not in page and "hx-post" not in page
    assert mediator.post(url(cast, f"{thread.public_id}/"), {"body": "hi"}).status_code == 403


def test_search_page(cast: Cast, client_for) -> None:
    open_thread(cast, subject="Dentist", body="The dentist is on Friday")
    open_thread(cast, subject="Gran", body="Gran knows a dentist", others=[cast.gran])
    alice = client_for(cast.alice).get(url(cast, "search/?q=dentist")).content.decode()
    assert "2 messages found" in alice
    gran = client_for(cast.gran).get(url(cast, "search/?q=dentist")).content.decode()
    assert "1 message found" in gran and "on Friday" not in gran
    odd = client_for(cast.alice).get(url(cast, 'search/?q="dentist" OR NEAR( *'))
    assert odd.status_code == 200


def test_response_times_page(cast: Cast, client_for) -> None:
    thread = open_thread(cast)
    send(cast, thread, cast.bob, "Sure")
    page = client_for(cast.mediator).get(url(cast, "response-times/")).content.decode()
    assert "Alice Parent" in page and "Bob Parent" in page
    page = client_for(cast.alice).get(url(cast, "response-times/")).content.decode()
    assert "Median wait for a reply" in page


def test_settings_page_saves_the_shield_and_points_to_notification_choices(
    cast: Cast, client_for
) -> None:
    alice = client_for(cast.alice)
    page = alice.get(url(cast, "settings/")).content.decode()
    assert "/account/notifications/" in page, "email choices live with all notifications"
    alice.post(url(cast, "settings/"), {"shield": "on"})
    assert MessagingPreference.objects.get(membership=member(cast, cast.alice)).shield
    assert client_for(cast.mediator).post(url(cast, "settings/"), {}).status_code == 403


def test_upload_of_a_picture_from_the_new_conversation_form(cast: Cast, client_for) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(cast.alice).post(
        url(cast, "new/"),
        {
            "subject": "Photos",
            "body": "",
            "file": SimpleUploadedFile("a.png", png_bytes(), content_type="image/png"),
        },
    )
    assert response.status_code == 302
    thread = Thread.objects.get(subject="Photos")
    assert thread.messages.get().attachments.get().media_type == "image/png"


def test_a_message_with_only_a_file_is_allowed(cast: Cast) -> None:
    thread = open_thread(cast)
    message = send(cast, thread, cast.bob, "", uploads=[Upload("a.png", png_bytes())])
    assert message.body == "" and message.attachments.count() == 1


def test_send_anyway_wins_over_the_hidden_field_the_form_repeats(cast: Cast, client_for) -> None:
    """The re-rendered form carries confirm_tone=False as a hidden field; the "Send anyway"
    button, submitted after it, must win, as a browser sends them in that order."""
    thread = open_thread(cast)
    bob = client_for(cast.bob)
    path = url(cast, f"{thread.public_id}/")
    page = bob.post(path, {"body": "You idiot"}).content.decode()
    assert 'name="confirm_tone" value="1"' in page
    response = bob.post(path, {"body": "You idiot", "confirm_tone": ["False", "1"]})
    assert response.status_code == 302
    assert Message.objects.filter(body="You idiot", hostile=True).exists()
    response = bob.post(path, {"body": "You moron", "confirm_tone": "False"})
    assert response.status_code == 200 and not Message.objects.filter(body="You moron").exists()


def test_a_hostile_subject_warns_like_a_hostile_body(cast: Cast, client_for) -> None:
    alice = client_for(cast.alice)
    form = {"subject": "You ALWAYS forget, idiot", "body": "Kit needs shoes."}
    page = alice.post(url(cast, "new/"), form).content.decode()
    assert 'data-testid="tone-warning"' in page and "idiot" in page
    assert not Thread.objects.exists()
    assert alice.post(url(cast, "new/"), {**form, "confirm_tone": "1"}).status_code == 302
    assert Thread.objects.filter(subject=form["subject"]).exists()


def test_a_hostile_subject_is_refused_through_the_api_too(cast: Cast, client_for) -> None:
    response = client_for(cast.alice).post(
        f"/api/v1/families/{cast.family_a.public_id}/threads",
        data={"subject": "See you in court", "body": "About the holidays."},
        content_type="application/json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "tone" and "subject" in error["fields"]
    assert not Thread.objects.exists()


THREAD_PAGE_QUERIES = 12  # drawn afresh; includes the nav badge and the protective-order check
# Kept (core/fragments.py): the gate, the session, the thread, the reader's shield, the badge.
THREAD_PAGE_KEPT_QUERIES = 6


def test_compose_forms_say_who_will_read_by_name(
    cast: Cast, client_for, django_assert_num_queries
) -> None:
    gran = member(cast, cast.gran)
    alice = client_for(cast.alice)
    new = alice.get(url(cast, "new/")).content.decode()
    assert "Bob Parent will read this." in new
    with_gran = alice.post(
        url(cast, "new/"),
        {"subject": "Pickup", "others": [str(gran.public_id)], "body": "You never call, idiot"},
    ).content.decode()
    assert "Bob Parent and Gran Caregiver will read this." in with_gran
    thread = open_thread(cast, others=[cast.gran, cast.mediator])
    for _ in range(3):
        send(cast, thread, cast.bob, "Fine by me.")
    bob = client_for(cast.bob)
    bob.get(url(cast, f"{thread.public_id}/"))  # receipts written once, not counted below
    caches["pages"].clear()  # counted as drawn afresh, not as kept
    with django_assert_num_queries(THREAD_PAGE_QUERIES):
        page = bob.get(url(cast, f"{thread.public_id}/")).content.decode()
    assert "Alice Parent, Gran Caregiver and Medi Ator will read this." in page
    for _ in range(5):
        send(cast, thread, cast.alice, "More history.")
    bob.get(url(cast, f"{thread.public_id}/"))
    caches["pages"].clear()
    with django_assert_num_queries(THREAD_PAGE_QUERIES):
        bob.get(url(cast, f"{thread.public_id}/"))


def test_the_conversation_page_costs_the_same_queries_past_a_page_of_history(
    cast: Cast, client_for, django_assert_num_queries
) -> None:
    thread = open_thread(cast)
    bob = client_for(cast.bob)
    path = url(cast, f"{thread.public_id}/")
    bob.get(path)
    caches["pages"].clear()  # counted as drawn afresh, not as kept
    with django_assert_num_queries(THREAD_PAGE_QUERIES) as small:
        bob.get(path)
    short = len(small.captured_queries)  # read now: each request empties the query log
    for n in range(70):
        sent = send(cast, thread, cast.alice if n % 2 else cast.bob, f"history {n}")
        services.message_view(family=cast.family_a, actor=cast.alice, messages=[sent])
    services.message_send(
        family=cast.family_a,
        actor=cast.alice,
        thread=thread,
        body="With a file",
        uploads=[Upload("plan.pdf", PDF)],
    )
    # The writes grew the record: the next view counts the nav badge anew.
    bob.get(path)
    caches["pages"].clear()
    with django_assert_num_queries(short):
        page = bob.get(path).content.decode()
    assert "history 69" in page and "plan.pdf" in page and "history 5<" not in page
    with django_assert_num_queries(THREAD_PAGE_KEPT_QUERIES):
        kept = bob.get(path)
    assert "history 69" in kept.content.decode()
    # The page's background requests name this request, not the one that drew the content.
    assert f'"X-Coparent-Page": "{kept["X-Request-ID"]}"' in kept.content.decode()


def test_redacting_someone_elses_message_says_the_court_order_is_required(
    cast: Cast, client_for
) -> None:
    thread = open_thread(cast, body="My address is 5 Elm Street")
    message = thread.messages.get()
    path = url(cast, f"{thread.public_id}/{message.public_id}/redact/")
    bob = client_for(cast.bob)
    page = bob.get(path).content.decode()
    assert "Required: someone else" in page
    label = re.search(r'<label for="id_court_order">(.*?)</label>', page, re.S)
    assert label and "optional" not in label.group(1)
    refused = bob.post(path, {"reason": "harmful"}).content.decode()
    assert "Give the court order" in refused
    assert not Message.objects.get(pk=message.pk).redacted
    own = client_for(cast.alice).get(path).content.decode()
    own_label = re.search(r'<label for="id_court_order">(.*?)</label>', own, re.S)
    assert own_label and "(optional)" in own_label.group(1)
    assert bob.post(path, {"reason": "harmful", "court_order": "FD-2026-118"}).status_code == 302
    assert Message.objects.get(pk=message.pk).redacted


def test_no_label_says_optional_twice(cast: Cast, client_for) -> None:
    from coparent.schedule.forms import AnswerForm

    assert "optional" not in str(AnswerForm.base_fields["response"].label)
