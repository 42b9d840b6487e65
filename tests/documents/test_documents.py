"""Documents: visibility per role, versions with their hashes on the record, bad files refused
with nothing written, search, preview and download headers, expiry reminders through the
worker, the attention provider, and the pages' query counts."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.core import mail

from coparent.attention.registry import Viewer
from coparent.core.errors import ServiceError
from coparent.documents import selectors, services
from coparent.documents.attention import ExpiringDocumentProvider
from coparent.documents.models import Document, DocumentVersion, ExpiryReminder
from coparent.documents.tasks import expiry_reminders_task
from coparent.families.models import Membership
from coparent.messaging.services import Upload
from coparent.records.models import LogEntry
from coparent.tlog import content_hash, decode
from tests.cast import Cast
from tests.documents.helpers import add_document
from tests.messaging.helpers import pdf_bytes, png_bytes
from tests.tasks import committing, run_tasks, sent_mail

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 17)


def base(cast: Cast) -> str:
    return f"/f/{cast.family_a.public_id}/documents/"


def member(cast: Cast, user) -> Membership:
    return Membership.objects.get(family=cast.family_a, user=user, revoked_at__isnull=True)


def record_size(cast: Cast) -> int:
    return LogEntry.objects.filter(family=cast.family_a).count()


def test_each_role_sees_what_the_visibility_allows(cast: Cast, client_for) -> None:
    parents = add_document(cast, title="Custody order", visibility="parents", pdf=True)
    caregivers = add_document(cast, title="Allergy letter", visibility="caregivers")
    everyone = add_document(cast, title="Parenting plan", visibility="everyone", pdf=True)
    seen = {
        user: {d.title for d in selectors.document_list(member(cast, user))}
        for user in (cast.alice, cast.bob, cast.gran, cast.mediator)
    }
    assert (
        seen[cast.alice] == seen[cast.bob] == {"Custody order", "Allergy letter", "Parenting plan"}
    )
    assert seen[cast.gran] == {"Allergy letter", "Parenting plan"}
    assert seen[cast.mediator] == {"Parenting plan"}
    for user, hidden in ((cast.gran, parents), (cast.mediator, caregivers)):
        client = client_for(user)
        assert client.get(f"{base(cast)}{hidden.public_id}/").status_code == 404
        version = hidden.versions.get()
        assert (
            client.get(
                f"{base(cast)}{hidden.public_id}/versions/{version.public_id}/download"
            ).status_code
            == 404
        )
        api = f"/api/v1/families/{cast.family_a.public_id}/documents/{hidden.public_id}"
        assert client.get(api).status_code == 404
        listing = client.get(base(cast)).content.decode()
        assert hidden.title not in listing
    assert client_for(cast.mediator).get(f"{base(cast)}{everyone.public_id}/").status_code == 200
    assert client_for(cast.charlie).get(base(cast)).status_code == 404


def test_a_new_version_keeps_the_old_and_each_hash_is_on_the_record(cast: Cast) -> None:
    document = add_document(cast)
    first = document.versions.get()
    new_png = png_bytes((12, 12))
    second = services.document_version_add(
        family=cast.family_a, actor=cast.bob, document=document, upload=Upload("new.png", new_png)
    )
    assert [v.number for v in document.versions.order_by("number")] == [1, 2]
    assert DocumentVersion.objects.filter(pk=first.pk).exists()
    entries = [
        decode(bytes(e.leaf))
        for e in LogEntry.objects.filter(
            family=cast.family_a, kind="document.version_added"
        ).order_by("index")
    ]
    assert [e.fields["version"] for e in entries] == [str(first.public_id), str(second.public_id)]
    from coparent.messaging import files

    for entry, version in zip(entries, (first, second), strict=True):
        data = files.read(version.stored_name)
        assert entry.fields["sha256"] == hashlib.sha256(data).hexdigest() == version.sha256
        assert entry.fields["content"] == content_hash(bytes(version.salt), data)


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("setup.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "Only PNG or JPEG"),
        ("photo.png", b"This is plain text pretending to be a PNG.\n" * 5, "Only PNG or JPEG"),
        ("fake.pdf", b"%PDF-1.7\n<html><script>alert(1)</script></html>", "starts like a PDF"),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_written(
    cast: Cast, client_for, name: str, data: bytes, words: str
) -> None:
    before = record_size(cast)
    response = client_for(cast.alice).post(
        f"{base(cast)}new/",
        {
            "title": "Report",
            "category": "school_report",
            "visibility": "parents",
            "file": io.BytesIO(data) if False else _named(name, data),
        },
    )
    assert response.status_code == 200
    assert words in response.content.decode()
    assert Document.objects.count() == 0 and record_size(cast) == before


def _named(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_an_oversized_file_is_refused_through_the_api(cast: Cast, client_for, settings) -> None:
    settings.MESSAGING_ATTACHMENT_MAX_BYTES = 1000
    before = record_size(cast)
    response = client_for(cast.alice).post(
        f"/api/v1/families/{cast.family_a.public_id}/documents",
        {
            "title": "Big scan",
            "category": "other",
            "visibility": "parents",
            "file": _named("big.png", png_bytes((400, 400)) + b"\x00" * 2000),
        },
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"] == {"file": response.json()["error"]["message"]}
    assert "at most" in response.json()["error"]["message"]
    assert Document.objects.count() == 0 and record_size(cast) == before


def test_another_familys_child_is_refused(cast: Cast, client_for) -> None:
    response = client_for(cast.alice).post(
        f"/api/v1/families/{cast.family_a.public_id}/documents",
        {
            "title": "Report",
            "category": "school_report",
            "visibility": "parents",
            "children": [str(cast.charlies_child.public_id)],
            "file": _named("r.pdf", pdf_bytes()),
        },
    )
    assert response.status_code == 400
    assert Document.objects.count() == 0
    with pytest.raises(ServiceError):
        services.document_create(
            family=cast.family_a,
            actor=cast.alice,
            title="x",
            category="other",
            visibility="parents",
            children=[cast.charlies_child],
            upload=Upload("a.png", png_bytes()),
        )


def test_the_api_adds_lists_searches_changes_and_downloads(cast: Cast, client_for) -> None:
    client = client_for(cast.alice)
    api = f"/api/v1/families/{cast.family_a.public_id}/documents"
    created = client.post(
        api,
        {
            "title": "Kit's passport",
            "category": "identity",
            "visibility": "caregivers",
            "notes": "Number ends 4471",
            "expires_on": "2026-11-20",
            "children": [str(cast.kit.public_id)],
            "file": _named("passport.png", png_bytes()),
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["expires_on"] == "2026-11-20" and body["children"] == [str(cast.kit.public_id)]
    assert len(body["versions"]) == 1 and len(body["versions"][0]["sha256"]) == 64
    add_document(cast, title="School report", category="school_report", notes="Year 4")
    assert [d["title"] for d in client.get(api + "?q=4471").json()] == ["Kit's passport"]
    assert [d["title"] for d in client.get(api + "?q=year").json()] == ["School report"]
    assert [d["title"] for d in client.get(api + "?category=identity").json()] == ["Kit's passport"]
    changed = client.put(
        f"{api}/{body['id']}",
        {"title": "Kit's passport (old)", "category": "identity", "visibility": "parents"},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["visibility"] == "parents"
    again = client.post(f"{api}/{body['id']}/versions", {"file": _named("p2.pdf", pdf_bytes())})
    assert again.status_code == 201 and [v["number"] for v in again.json()["versions"]] == [2, 1]
    version = again.json()["versions"][0]
    download = client.get(f"{api}/{body['id']}/versions/{version['id']}/file")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert hashlib.sha256(download.content).hexdigest() == version["sha256"]
    assert client_for(cast.gran).get(f"{api}/{body['id']}").status_code == 404


def test_the_preview_is_inline_only_inside_this_site(cast: Cast, client_for) -> None:
    document = add_document(cast, pdf=True)
    version = document.versions.get()
    client = client_for(cast.alice)
    page = client.get(f"{base(cast)}{document.public_id}/").content.decode()
    assert "<iframe" in page and f"versions/{version.public_id}/view" in page
    preview = client.get(f"{base(cast)}{document.public_id}/versions/{version.public_id}/view")
    assert preview["Content-Type"] == "application/pdf"
    assert preview["Content-Disposition"].startswith("inline")
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]
    assert "script-src" not in preview["Content-Security-Policy"]
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert preview["X-Content-Type-Options"] == "nosniff"
    image = add_document(cast, title="Scan")
    page = client.get(f"{base(cast)}{image.public_id}/").content.decode()
    assert '<img class="document-preview"' in page


def test_the_pages_add_a_document_and_a_version(cast: Cast, client_for) -> None:
    client = client_for(cast.alice)
    response = client.post(
        f"{base(cast)}new/",
        {
            "title": "Parenting plan",
            "category": "parenting_plan",
            "visibility": "everyone",
            "children": [str(cast.kit.public_id)],
            "expires_on": "2027-01-31",
            "file": _named("plan.pdf", pdf_bytes()),
        },
    )
    assert response.status_code == 302
    document = Document.objects.get()
    response = client.post(
        f"{base(cast)}{document.public_id}/versions/", {"file": _named("plan2.pdf", pdf_bytes())}
    )
    assert response.status_code == 302
    assert document.versions.count() == 2
    edit = client.post(
        f"{base(cast)}{document.public_id}/edit/",
        {"title": "Plan", "category": "parenting_plan", "visibility": "parents", "notes": "signed"},
    )
    assert edit.status_code == 302
    document.refresh_from_db()
    assert (document.title, document.visibility, document.expires_on) == ("Plan", "parents", None)
    assert client_for(cast.gran).get(f"{base(cast)}new/").status_code == 404
    assert client_for(cast.mediator).get(f"{base(cast)}new/").status_code == 404


def test_page_query_counts_do_not_grow_with_history(
    cast: Cast, client_for, django_assert_num_queries
) -> None:
    client = client_for(cast.alice)
    document = add_document(cast)

    def count(url: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    detail = f"{base(cast)}{document.public_id}/"
    count(base(cast))  # the first request of a session loads what later ones reuse
    list_once, detail_once = count(base(cast)), count(detail)
    for n in range(3):
        add_document(cast, title=f"Report {n}", pdf=True)
        services.document_version_add(
            family=cast.family_a,
            actor=cast.alice,
            document=document,
            upload=Upload("v.png", png_bytes()),
        )
    # The writes grew the record: the next view counts the nav badge anew.
    count(base(cast))
    assert count(base(cast)) == list_once
    assert count(detail) == detail_once
    with django_assert_num_queries(list_once):
        client.get(base(cast) + "?q=report")
    assert list_once == LIST_QUERIES and detail_once == DETAIL_QUERIES


LIST_QUERIES = 7
DETAIL_QUERIES = 7


def test_expiry_reminders_go_out_through_the_worker_once_per_lead(cast: Cast, time_machine) -> None:
    passport = add_document(cast, title="Kit's passport", expires_on=TODAY + dt.timedelta(days=150))
    add_document(
        cast,
        title="Insurance card",
        visibility="parents",
        expires_on=TODAY + dt.timedelta(days=400),
    )
    mail.outbox.clear()
    with committing():
        expiry_reminders_task.enqueue()
    run_tasks()
    emails = sent_mail()
    to = sorted(address for m in emails for address in m.to)
    assert to == sorted(["alice@example.test", "bob@example.test", "gran@example.test"])
    assert all("Kit's passport" not in m.subject for m in emails)  # the subject stays neutral
    assert set(ExpiryReminder.objects.values_list("days_before", flat=True)) == {182}
    mail.outbox.clear()
    with committing():
        expiry_reminders_task.enqueue()
    run_tasks()
    assert sent_mail() == []  # nothing twice
    time_machine.move_to(dt.datetime(2026, 10, 20, 15, 0, tzinfo=dt.UTC))  # 31 days left... then 30
    time_machine.shift(dt.timedelta(days=1))
    with committing():
        expiry_reminders_task.enqueue()
    run_tasks()
    assert len(sent_mail()) == 3
    assert set(
        ExpiryReminder.objects.filter(document=passport).values_list("days_before", flat=True)
    ) == {182, 30}


def test_a_document_added_a_week_before_expiry_gets_only_the_last_reminder(cast: Cast) -> None:
    add_document(cast, expires_on=TODAY + dt.timedelta(days=5))
    assert services.expiry_reminders_send() == 1
    assert set(ExpiryReminder.objects.values_list("days_before", flat=True)) == {182, 30, 7}
    assert services.expiry_reminders_send() == 0


def test_expiring_documents_wait_on_the_parents_home(cast: Cast, client_for) -> None:
    add_document(
        cast, title="Kit's passport", visibility="parents", expires_on=TODAY + dt.timedelta(days=20)
    )
    add_document(cast, title="Far away", expires_on=TODAY + dt.timedelta(days=200))
    from django.utils import timezone

    viewer = Viewer.of(cast.family_a, member(cast, cast.bob), timezone.now())
    items = ExpiringDocumentProvider().items(viewer)
    assert [i.title for i in items] == ["Kit's passport expires soon"]
    assert ExpiringDocumentProvider().badge(viewer).count() == 1
    home = client_for(cast.bob).get(f"/f/{cast.family_a.public_id}/").content.decode()
    assert "Kit&#x27;s passport expires soon" in home or "Kit's passport expires soon" in home


def test_exports_verify_and_show_document_files_only_to_the_operator(cast: Cast) -> None:
    import zipfile

    from coparent.records import keys
    from coparent.records.export import export_bundle
    from coparent.tlog import verify_bundle

    document = add_document(cast, title="Custody order (sealed)", visibility="parents")
    services.document_update(
        family=cast.family_a,
        actor=cast.alice,
        document=document,
        title="Custody order",
        category="court_order",
        visibility="parents",
    )
    for reader in (None, member(cast, cast.mediator), member(cast, cast.bob)):
        out = io.BytesIO()
        export_bundle(out, family=cast.family_a, reader=reader)
        out.seek(0)
        assert verify_bundle(out, pinned_keys=[keys.verifier_key()]).ok
        with zipfile.ZipFile(out) as bundle:
            text = b"".join(bundle.read(n) for n in bundle.namelist())
        assert (b"Custody order" in text) is (reader is None)
        assert b"Custody order (sealed)" not in text  # an earlier title stays a hash


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "Report\x00"),
        ("title", "   "),
        ("title", "x" * 201),
        ("notes", "bell\x07"),
        ("expires_on", "1969-12-31"),
        ("expires_on", "2201-01-01"),
        ("expires_on", "not a date"),
        ("category", "secret_files"),
        ("visibility", "the whole world"),
        ("children", "not-a-uuid"),
    ],
)
def test_hostile_multipart_fields_are_a_clear_error_and_nothing_is_written(
    cast: Cast, client_for, field: str, value: str
) -> None:
    before = record_size(cast)
    data = {"title": "Report", "category": "other", "visibility": "parents", field: value}
    response = client_for(cast.alice).post(
        f"/api/v1/families/{cast.family_a.public_id}/documents",
        {**data, "file": _named("r.png", png_bytes())},
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] and error["message"] and field in error["fields"]
    assert Document.objects.count() == 0 and record_size(cast) == before
    page = client_for(cast.alice).post(
        f"{base(cast)}new/", {**data, "file": _named("r.png", png_bytes())}
    )
    assert page.status_code == 200 and Document.objects.count() == 0


def test_a_crawl_as_caregiver_and_mediator_finds_no_document_they_may_not_see(
    cast: Cast, client_for
) -> None:
    from tests.test_tenancy import api_operations, family_a_ids, family_routes, fill

    ids = family_a_ids(cast)
    add_document(
        cast,
        title="Sealed order qx-parents-7",
        notes="qx-parents-note",
        pdf=True,
        visibility="parents",
        expires_on=TODAY + dt.timedelta(days=10),
    )
    add_document(
        cast,
        title="Care letter qx-carers-8",
        visibility="caregivers",
        expires_on=TODAY + dt.timedelta(days=10),
    )
    services.expiry_reminders_send()
    pages = [fill(route, ids) for _name, route in family_routes()]
    operations = [fill(path, ids) for method, path, _body in api_operations() if method == "GET"]
    hidden = {cast.gran: [b"qx-parents"], cast.mediator: [b"qx-parents", b"qx-carers"]}
    for user, marks in hidden.items():
        client = client_for(user)
        for url in pages + operations + ["/notifications/"]:
            response = client.get(url)
            assert response.status_code < 500, (user, url)
            content = response.content if not response.streaming else b""
            for mark in marks:
                assert mark not in content, f"{user} saw {mark!r} at {url}"
    from coparent.notifications.models import Notification

    for user, marks in hidden.items():
        for n in Notification.objects.filter(recipient=user):
            assert all(m.decode() not in n.detail_title + n.detail_body for m in marks)
