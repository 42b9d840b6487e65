"""The private journal: nobody but the author reads an entry (every page and API operation is
crawled as the other parent, the caregiver and the mediator), sharing with a professional and
stopping, proofs that verify with coparent.tlog alone, corrections as new entries, and fixed
query counts."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core import mail

from coparent.core.errors import ServiceError
from coparent.journal import selectors, services
from coparent.journal.models import JournalEntry, JournalShare
from coparent.messaging.services import Upload
from coparent.notifications.models import Notification
from coparent.records import keys
from coparent.records.models import LogEntry
from coparent.tlog import (
    ProofError,
    content_hash,
    decode,
    leaf_hash,
    open_note,
    parse_checkpoint,
    verifier_from_string,
    verify_inclusion,
)
from tests.cast import Cast
from tests.journal.helpers import SECRET, mediator_membership, share, write
from tests.messaging.helpers import pdf_bytes
from tests.tasks import committing, sent_mail
from tests.test_tenancy import api_operations, family_a_ids, family_routes, fill

pytestmark = pytest.mark.django_db

MARK = b"zebra-umbrella-42"


def base(cast: Cast) -> str:
    return f"/f/{cast.family_a.public_id}/journal/"


def _texts(response) -> list[bytes]:
    content = (
        response.content if hasattr(response, "content") else b"".join(response.streaming_content)
    )
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as bundle:
            return [bundle.read(name) for name in bundle.namelist()]
    return [content]


def test_nobody_but_the_author_can_read_an_unshared_entry(cast: Cast, client_for) -> None:
    ids = family_a_ids(cast)  # writes an entry with a photo and shares it with the mediator
    JournalShare.objects.update(revoked_at="2026-06-17T15:00:00Z")  # ...and then it is unshared
    write(cast, photos=True)
    pages = [
        fill(route, ids)
        for name, route in family_routes()
        if not name.startswith("journal:") or name in ("journal:shared", "journal:list")
    ] + [
        base(cast) + f"{ids['entry_id']}/",
        base(cast) + f"{ids['entry_id']}/photos/{ids['photo_id']}",
    ]
    operations = [fill(path, ids) for method, path, _body in api_operations() if method == "GET"]
    for user in (cast.bob, cast.gran, cast.mediator):
        client = client_for(user)
        for url in pages + operations:
            response = client.get(url)
            assert response.status_code < 500, (user, url, response.status_code)
            for text in _texts(response):
                assert MARK not in text, f"{user} read the journal at {url}"
        assert client.get(base(cast) + f"{ids['entry_id']}/").status_code == 404
    assert all(
        MARK.decode() not in n.detail_body + n.detail_title for n in Notification.objects.all()
    )
    assert all(MARK not in m.body.encode() for m in sent_mail())
    # The record holds the salted hash only.
    assert all(MARK not in bytes(e.leaf) for e in LogEntry.objects.all())


def test_the_author_reads_and_corrects_but_never_edits(cast: Cast, client_for) -> None:
    entry = write(cast, photos=True)
    client = client_for(cast.alice)
    assert MARK in client.get(base(cast)).content
    assert (
        client.get(
            base(cast) + f"{entry.public_id}/photos/{entry.photos.get().public_id}"
        ).status_code
        == 200
    )
    response = client.post(
        base(cast) + f"{entry.public_id}/correct/", {"body": "It was one hour, not two."}
    )
    assert response.status_code == 302
    correction = JournalEntry.objects.get(corrects=entry)
    entry.refresh_from_db()
    assert entry.body == SECRET  # the first entry is unchanged
    kinds = list(
        LogEntry.objects.filter(kind="journal.written")
        .order_by("index")
        .values_list("leaf", flat=True)
    )
    fields = [decode(bytes(leaf)).fields for leaf in kinds]
    assert fields[-1]["corrects"] == str(entry.public_id)
    assert fields[-1]["entry"] == str(correction.public_id)
    # Bob cannot correct (or open) alice's entry.
    assert (
        client_for(cast.bob)
        .post(base(cast) + f"{entry.public_id}/correct/", {"body": "mine now"})
        .status_code
        == 404
    )
    with pytest.raises(ServiceError):
        services.entry_write(family=cast.family_a, actor=cast.bob, body="x", corrects=entry)


def test_a_pdf_or_a_fake_image_is_not_a_photo(cast: Cast) -> None:
    before = LogEntry.objects.count()
    for data in (pdf_bytes(), b"not an image at all" * 10):
        with pytest.raises(ServiceError) as error:
            services.entry_write(
                family=cast.family_a, actor=cast.alice, body="x", photos=[Upload("a.png", data)]
            )
        assert error.value.field == "photos"
    assert LogEntry.objects.count() == before and JournalEntry.objects.count() == 0


def test_sharing_with_the_mediator_and_stopping(cast: Cast, client_for) -> None:
    entry = write(cast, photos=True)
    other = write(cast, "Another private line (kept-to-myself-77)")
    mediator = client_for(cast.mediator)
    assert MARK not in mediator.get(base(cast) + "shared/").content
    mail.outbox.clear()
    with committing():
        made = share(cast, entry)
    assert [m.to for m in sent_mail()] == [["mediator@example.test"]]
    page = mediator.get(base(cast) + "shared/").content
    assert MARK in page and b"kept-to-myself-77" not in page and b"Verify" in page
    api = mediator.get(f"/api/v1/families/{cast.family_a.public_id}/journal/shared").json()
    assert [p["entry"]["id"] for p in api] == [str(entry.public_id)]
    photo = f"{base(cast)}{entry.public_id}/photos/{entry.photos.get().public_id}"
    assert mediator.get(photo).status_code == 200
    assert (
        mediator.get(
            f"{base(cast)}{other.public_id}/photos/{entry.photos.get().public_id}"
        ).status_code
        == 404
    )
    # Bob and gran still see nothing.
    for user in (cast.bob, cast.gran):
        assert client_for(user).get(base(cast) + "shared/").status_code == 404
    # Stopping takes two steps and is on the record.
    alice = client_for(cast.alice)
    assert alice.get(base(cast) + f"shares/{made.public_id}/stop/").status_code == 200
    assert alice.post(base(cast) + f"shares/{made.public_id}/stop/").status_code == 302
    assert MARK not in mediator.get(base(cast) + "shared/").content
    assert mediator.get(photo).status_code == 404
    assert list(
        LogEntry.objects.filter(kind__startswith="journal.share").values_list("kind", flat=True)
    ) == ["journal.shared", "journal.share_revoked"]


def test_a_period_share_covers_the_entries_of_those_days(cast: Cast, client_for) -> None:
    write(cast)
    response = client_for(cast.alice).post(
        base(cast) + "shares/",
        {
            "professional": str(mediator_membership(cast).public_id),
            "start": "2026-06-17",
            "end": "2026-06-17",
        },
    )
    assert response.status_code == 302
    assert MARK in client_for(cast.mediator).get(base(cast) + "shared/").content
    out = client_for(cast.alice).post(
        f"/api/v1/families/{cast.family_a.public_id}/journal/shares",
        {
            "professional_id": str(mediator_membership(cast).public_id),
            "start": "2026-06-20",
            "end": "2026-06-19",
        },
        content_type="application/json",
    )
    assert out.status_code == 400 and out.json()["error"]["fields"] == {
        "end": out.json()["error"]["message"]
    }


def test_only_a_professional_can_be_shared_with(cast: Cast) -> None:
    from coparent.families.models import Membership

    entry = write(cast)
    bob = Membership.objects.get(family=cast.family_a, user=cast.bob)
    with pytest.raises(ServiceError):
        services.share_create(family=cast.family_a, actor=cast.alice, professional=bob, entry=entry)
    assert not JournalShare.objects.exists()


def test_the_proof_verifies_with_tlog_alone_and_catches_a_changed_text(cast: Cast) -> None:
    entry = write(cast, photos=True)
    for n in range(5):  # later entries grow the tree: the proof is not trivial
        write(cast, f"entry {n}", user=cast.bob if n % 2 else cast.alice)
    from coparent.families.models import Membership

    alice = Membership.objects.get(family=cast.family_a, user=cast.alice)
    [proved] = selectors.entries_for_report(
        family=cast.family_a, author=alice, entry_ids=[str(entry.public_id)]
    )
    assert selectors.proof_problem(proved) is None
    # Independently: salt + text -> the leaf's hash; leaf -> the signed root.
    leaf = decode(proved.leaf)
    assert leaf.fields["content"] == content_hash(proved.salt, SECRET.encode())
    photo = proved.photos[0]
    from coparent.messaging import files

    assert leaf.fields["photos"] == (content_hash(photo.salt, files.read(photo.photo.stored_name)),)
    checkpoint = parse_checkpoint(
        open_note(proved.checkpoint, [verifier_from_string(keys.verifier_key())])
    )
    assert checkpoint.size == proved.size
    verify_inclusion(
        leaf_hash(proved.leaf), proved.index, proved.size, proved.proof, checkpoint.root
    )
    with pytest.raises(ProofError):
        verify_inclusion(
            leaf_hash(proved.leaf + b" "), proved.index, proved.size, proved.proof, checkpoint.root
        )
    assert (
        selectors.proof_problem(proved, body=SECRET + "!")
        == "the text does not match the hash on the record"
    )
    # The report function gives only the author's own entries.
    everything = selectors.entries_for_report(family=cast.family_a, author=alice)
    assert {p.entry.author_id for p in everything} == {cast.alice.pk}
    assert len(everything) == 4


def test_the_shared_api_gives_what_a_court_needs_to_verify(cast: Cast, client_for) -> None:
    entry = write(cast)
    share(cast, entry)
    write(cast, "later")
    [item] = (
        client_for(cast.mediator)
        .get(f"/api/v1/families/{cast.family_a.public_id}/journal/shared")
        .json()
    )
    salt = bytes.fromhex(item["salt"])
    leaf = item["leaf"].encode()
    assert json.loads(leaf)["fields"]["content"] == content_hash(
        salt, item["entry"]["body"].encode()
    )
    checkpoint = parse_checkpoint(
        open_note(item["checkpoint"], [verifier_from_string(keys.verifier_key())])
    )
    verify_inclusion(
        leaf_hash(leaf),
        item["record_index"],
        item["tree_size"],
        [bytes.fromhex(h) for h in item["inclusion_proof"]],
        checkpoint.root,
    )


def test_hostile_input_is_refused_and_nothing_is_written(cast: Cast, client_for) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    client = client_for(cast.alice)
    url = f"/api/v1/families/{cast.family_a.public_id}/journal"
    before = LogEntry.objects.count()

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        st.one_of(
            st.just("\x00"),
            st.just("\ud800 lone"),
            st.just("   "),
            st.just("x" * 20_001),
            st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), min_size=1).filter(
                lambda t: any(c not in "\t\n\r" for c in t)
            ),
            st.integers(),
            st.none(),
            st.lists(st.text(), max_size=2),
        )
    )
    def check(body: object) -> None:
        response = client.generic(
            "POST", url, data=json.dumps({"body": body}), content_type="application/json"
        )
        assert 400 <= response.status_code < 500, (body, response.content)
        error = response.json()["error"]
        assert error["code"] and error["message"]
        assert LogEntry.objects.count() == before

    check()
    for payload in (
        {
            "professional_id": str(mediator_membership(cast).public_id),
            "start": "1969-12-31",
            "end": "2026-01-01",
        },
        {
            "professional_id": str(mediator_membership(cast).public_id),
            "start": "2026-01-01",
            "end": "2201-01-01",
        },
        {"professional_id": str(cast.kit.public_id), "start": "2026-01-01", "end": "2026-01-02"},
    ):
        response = client.post(url + "/shares", payload, content_type="application/json")
        assert 400 <= response.status_code < 500, (payload, response.content)
    assert LogEntry.objects.count() == before


JOURNAL_QUERIES = 7
SHARED_QUERIES = 13  # with the nav badge, now that professionals can have something to moderate


def test_query_counts_stay_fixed_as_the_journal_grows(cast: Cast, client_for) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    alice, mediator = client_for(cast.alice), client_for(cast.mediator)

    def count(client, url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    share(cast, write(cast, photos=True))
    services.share_create(
        family=cast.family_a,
        actor=cast.alice,
        professional=mediator_membership(cast),
        start=__import__("datetime").date(2026, 6, 1),
        end=__import__("datetime").date(2026, 6, 30),
    )
    count(alice, base(cast))
    count(mediator, base(cast) + "shared/")
    once = count(alice, base(cast)), count(mediator, base(cast) + "shared/")
    for n in range(4):
        write(cast, f"more {n}", photos=True)
    # The writes grew the record: the next view counts the nav badge anew.
    count(alice, base(cast)), count(mediator, base(cast) + "shared/")
    assert (count(alice, base(cast)), count(mediator, base(cast) + "shared/")) == once
    assert once == (JOURNAL_QUERIES, SHARED_QUERIES)


def test_the_api_writes_an_entry_with_photos_and_refuses_bad_ones(cast: Cast, client_for) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.messaging.helpers import jpeg_with_gps, png_bytes

    client = client_for(cast.alice)
    url = f"/api/v1/families/{cast.family_a.public_id}/journal/with-photos"
    before = LogEntry.objects.count()
    for body, photo in (
        ("ok\x00", png_bytes()),
        ("a real entry", pdf_bytes()),
        ("a real entry", b"GIF89a not really"),
        ("   ", png_bytes()),
    ):
        response = client.post(url, {"body": body, "photos": [SimpleUploadedFile("p.png", photo)]})
        assert response.status_code == 400, (body, response.content)
        assert response.json()["error"]["fields"]
    assert LogEntry.objects.count() == before
    response = client.post(
        url,
        {
            "body": "At the park",
            "photos": [
                SimpleUploadedFile("a.jpg", jpeg_with_gps()),
                SimpleUploadedFile("b.png", png_bytes()),
            ],
        },
    )
    assert response.status_code == 201, response.content
    made = response.json()
    assert len(made["photos"]) == 2
    entry_url = f"/api/v1/families/{cast.family_a.public_id}/journal/{made['id']}"
    photo_url = f"{entry_url}/photos/{made['photos'][0]['id']}"
    got = client.get(photo_url)
    assert got.status_code == 200 and b"PhoneMaker" not in got.content  # metadata is gone
    for user in (cast.bob, cast.gran, cast.mediator):
        assert client_for(user).get(photo_url).status_code == 404
