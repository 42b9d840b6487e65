"""Leaving, with your data: the right-of-access zip, deleting an account ("a former member"
everywhere names show), and deleting a family its last member left, after 30 days, unless held."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from coparent.accounts import deletion, exports
from coparent.accounts import services as account_services
from coparent.accounts.models import ApiToken, DataExport, User, UserSession
from coparent.core.errors import ServiceError
from coparent.families import services as family_services
from coparent.families.models import Family, Membership, Role
from coparent.messaging import services as messaging
from coparent.messaging.models import Attachment, Message
from coparent.notifications.models import ChannelPreference, Notification
from coparent.records.export import export_bundle
from coparent.records.models import AppendOnlyGuard, LogEntry, LogNode
from coparent.schedule import services as schedule_services
from coparent.schedule.models import EventAttendee, EventChild
from tests.cast import PASSWORD, Cast, join, make_user
from tests.messaging.helpers import open_thread, png_bytes, send
from tests.tasks import committing, run_tasks


def zip_of(client: Client, export: DataExport) -> zipfile.ZipFile:
    response = client.get(f"/account/data/{export.public_id}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def conversation(cast: Cast):
    thread = open_thread(cast, subject="Summer plans", body="Alice asks about July")
    send(cast, thread, cast.bob, "Bob answers about July")
    messaging.message_send(
        family=cast.family_a,
        actor=cast.bob,
        thread=thread,
        body="The timetable",
        uploads=[messaging.Upload("timetable.png", png_bytes())],
    )
    # Charlie's family: none of it is Alice's.
    family_b_thread(cast)
    return thread


def family_b_thread(cast: Cast, **extra):
    nana = make_user("nana@example.test", "Nana Caregiver")
    membership = join(cast.family_b, cast.charlie, nana, Role.CAREGIVER)
    messaging.thread_create(
        family=cast.family_b,
        actor=cast.charlie,
        subject="Quinn only",
        body="Charlie's secret",
        others=[membership],
        **extra,
    )
    return nana


def test_a_member_downloads_everything_about_them_and_nothing_of_others(
    cast: Cast, client_for, django_assert_num_queries
) -> None:
    conversation(cast)
    alice = client_for(cast.alice)
    with committing():
        assert alice.post("/account/data/").status_code == 302
    export = DataExport.objects.get(user=cast.alice)
    assert export.status == DataExport.QUEUED
    page = alice.get("/account/data/").content.decode()
    assert "<progress" in page and 'hx-trigger="every 3s"' in page
    run_tasks()
    export.refresh_from_db()
    assert export.status == DataExport.READY and export.progress == 100
    assert export.expires_at == export.finished_at + dt.timedelta(days=7)
    archive = zip_of(alice, export)
    names = set(archive.namelist())
    assert {
        "README.txt",
        "account.json",
        "families.json",
        "messaging.json",
        "records.json",
    } <= names
    account = json.loads(archive.read("account.json"))
    assert account["email"] == "alice@example.test" and account["name"] == "Alice Parent"
    chat = json.loads(archive.read("messaging.json"))
    bodies = [m["body"] for c in chat["conversations"] for m in c["messages"]]
    assert "Alice asks about July" in bodies and "Bob answers about July" in bodies
    files = [n for n in names if n.startswith("files/messaging/")]
    assert len(files) == 1 and archive.read(files[0])[:4] == b"\x89PNG"
    families = json.loads(archive.read("families.json"))
    assert [m["family"] for m in families["memberships"]] == ["Family A"]
    everything = b"".join(archive.read(n) for n in names)
    for other in (b"Charlie", b"Quinn", b"Family B", b"bob@example.test", b"Case"):
        assert other not in everything, other
    entries = json.loads(archive.read("records.json"))["entries_you_made"]
    assert entries and {e["family"] for e in entries} == {"Family A"}
    # The page's cost does not grow with the number of copies.
    with django_assert_num_queries(5):
        alice.get("/account/data/")
    for _ in range(3):
        DataExport.objects.create(user=cast.alice, status=DataExport.FAILED)
    with django_assert_num_queries(5):
        alice.get("/account/data/")


def test_only_its_owner_downloads_a_copy_and_it_is_deleted_after_seven_days(
    cast: Cast, client_for, time_machine
) -> None:
    with committing():
        export = exports.data_export_request(user=cast.alice)
    run_tasks()
    export.refresh_from_db()
    path = exports.export_dir() / export.stored_name
    assert path.is_file()
    for other in (cast.bob, cast.charlie):
        assert client_for(other).get(f"/account/data/{export.public_id}/").status_code == 404
    assert Client().get(f"/account/data/{export.public_id}/").status_code == 302  # sign in
    with pytest.raises(ServiceError), committing():
        DataExport.objects.create(user=cast.alice)
        exports.data_export_request(user=cast.alice)
    time_machine.shift(dt.timedelta(days=7, minutes=1))
    assert client_for(cast.alice).get(f"/account/data/{export.public_id}/").status_code == 404
    assert exports.data_exports_prune() == 2
    assert not path.exists()
    assert not DataExport.objects.filter(user=cast.alice).exists()


def delete_alice(client: Client, **extra: str):
    with committing():
        return client.post("/account/delete/", {"password": PASSWORD, **extra})


def test_the_page_says_what_stays_before_the_person_confirms(cast: Cast, client_for) -> None:
    page = client_for(cast.alice).get("/account/delete/").content.decode()
    assert "a former member" in page
    assert "stay" in page and "Family A" in page
    assert "30 days" in page


def test_deleting_an_account_erases_the_person_but_keeps_what_others_need(
    cast: Cast, client_for
) -> None:
    thread = conversation(cast)
    alice = client_for(cast.alice)
    account_services.api_token_create(user=cast.alice, name="script", scope="read")
    ChannelPreference.objects.create(user=cast.alice, kind="message", channel="app")
    alice.get("/account/sessions/")
    assert UserSession.objects.filter(user=cast.alice).exists()
    keys = list(UserSession.objects.filter(user=cast.alice).values_list("session_key", flat=True))
    wrong = alice.post("/account/delete/", {"password": "not my password"})
    assert wrong.status_code == 200 and "not right" in wrong.content.decode()
    assert User.objects.get(pk=cast.alice.pk).email == "alice@example.test"
    response = delete_alice(alice)
    assert response.status_code == 302
    user = User.objects.get(pk=cast.alice.pk)
    assert user.display_name == "A former member"
    assert "alice" not in user.email and not user.has_usable_password()
    assert not user.is_active and user.erased_at is not None
    assert not UserSession.objects.filter(user=user).exists()
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not ApiToken.objects.filter(user=user).exists()
    assert not ChannelPreference.objects.filter(user=user).exists()
    assert not Notification.objects.filter(recipient=user).exists()
    assert not Membership.objects.active().filter(user=user).exists()
    # Signed out, and cannot sign in again.
    assert alice.get("/account/").status_code == 302
    login = Client().post("/accounts/login/", {"email": "alice@example.test", "password": PASSWORD})
    assert "_auth_user_id" not in login.wsgi_request.session
    # Her messages stay for Bob, written by "a former member", in the conversation and exports.
    assert Message.objects.filter(sender=user).count() == 1
    page = client_for(cast.bob).get(f"/f/{cast.family_a.public_id}/messages/{thread.public_id}/")
    text = page.content.decode()
    assert "Alice asks about July" in text and "A former member" in text
    assert "Alice Parent" not in text
    out = io.BytesIO()
    export_bundle(out, family=cast.family_a)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as bundle:
        content = b"".join(bundle.read(n) for n in bundle.namelist())
    assert b"A former member" in content and b"Alice Parent" not in content
    record = client_for(cast.bob).get(f"/f/{cast.family_a.public_id}/record/").content.decode()
    assert "A former member left the family and deleted their account" in record
    # Bob and the family go on.
    assert Family.objects.get(pk=cast.family_a.pk).emptied_at is None


def test_two_factor_is_asked_before_deleting(cast: Cast, client_for) -> None:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = account_services.totp_setup_start(user=cast.alice)
    account_services.totp_setup_confirm(user=cast.alice, code=f"{totp(device.bin_key):06d}")
    with pytest.raises(ServiceError, match="code"):
        deletion.account_delete(user=cast.alice, password=PASSWORD, code="000000")
    assert User.objects.get(pk=cast.alice.pk).is_active
    device = TOTPDevice.objects.get(user=cast.alice)
    page = client_for(cast.alice).get("/account/delete/").content.decode()
    assert 'name="code"' in page


def test_a_family_left_by_its_last_member_is_deleted_after_30_days_by_the_worker(
    cast: Cast, client_for, time_machine, settings, tmp_path
) -> None:
    nana = family_b_thread(cast, uploads=[messaging.Upload("photo.png", png_bytes())])
    stored = Attachment.objects.get(family=cast.family_b).stored_name
    # Many-to-many rows go with the family too: an event's child and attendee.
    charlie = Membership.objects.get(family=cast.family_b, user=cast.charlie)
    event = schedule_services.event_create(
        family=cast.family_b,
        actor=cast.charlie,
        title="Dentist",
        kind="medical",
        starts_at=timezone.now() + dt.timedelta(days=3),
        ends_at=timezone.now() + dt.timedelta(days=3, hours=1),
        children=[cast.charlies_child],
        attendees=[charlie],
    )
    assert EventChild.objects.filter(event=event).exists()
    from coparent.messaging import files

    assert files.storage().exists(stored)
    deletion.account_delete(user=cast.charlie, password=PASSWORD)
    assert Family.objects.get(pk=cast.family_b.pk).emptied_at is None  # Nana is still there
    deletion.account_delete(user=nana, password=PASSWORD)
    family = Family.objects.get(pk=cast.family_b.pk)
    assert family.emptied_at is not None
    assert LogEntry.objects.filter(family=family, kind="family.emptied").exists()
    time_machine.shift(dt.timedelta(days=29))
    assert family_services.families_purge() == 0
    time_machine.shift(dt.timedelta(days=2))
    assert "families.purge" in settings.COPARENT_PERIODIC_TASKS
    from coparent.families.tasks import families_purge_task

    with committing():
        families_purge_task.enqueue()
        run_tasks()
    assert not Family.objects.filter(pk=cast.family_b.pk).exists()
    assert not LogEntry.objects.filter(family_id=cast.family_b.pk).exists()
    assert not LogNode.objects.filter(family_id=cast.family_b.pk).exists()
    assert not EventChild.objects.filter(family_id=cast.family_b.pk).exists()
    assert not EventAttendee.objects.filter(family_id=cast.family_b.pk).exists()
    assert not files.storage().exists(stored)
    # The guard is back: Family A's record still refuses deletes.
    assert AppendOnlyGuard.objects.exists()
    with pytest.raises(Exception, match="append-only"), committing():
        from django.db import transaction

        with transaction.atomic():
            LogEntry.objects.filter(family=cast.family_a).delete()
    assert LogEntry.objects.filter(family=cast.family_a).exists()


def test_a_hold_keeps_the_family(cast: Cast, time_machine) -> None:
    family_services.family_policy_update(
        family=cast.family_b, actor=cast.charlie, access_approval="one", deletion_hold=True
    )
    deletion.account_delete(user=cast.charlie, password=PASSWORD)
    time_machine.shift(dt.timedelta(days=45))
    assert family_services.families_purge() == 0
    assert Family.objects.filter(pk=cast.family_b.pk).exists()


def test_a_family_with_a_parent_left_is_not_emptied(cast: Cast, time_machine) -> None:
    deletion.account_delete(user=cast.alice, password=PASSWORD)
    deletion.account_delete(user=cast.gran, password=PASSWORD)
    time_machine.shift(dt.timedelta(days=45))
    assert family_services.families_purge() == 0
    assert Family.objects.get(pk=cast.family_a.pk).emptied_at is None


@pytest.mark.django_db(transaction=True)
def test_the_family_deletion_commits_with_every_foreign_key_satisfied(time_machine) -> None:
    """Foreign keys are checked at commit (deferred): a real commit, not a test's rollback."""
    from tests.cast import build_cast

    cast = build_cast()
    nana = family_b_thread(cast, uploads=[messaging.Upload("photo.png", png_bytes())])
    deletion.account_delete(user=cast.charlie, password=PASSWORD)
    deletion.account_delete(user=nana, password=PASSWORD)
    time_machine.shift(dt.timedelta(days=31))
    assert family_services.families_purge() == 1
    assert not Family.objects.filter(pk=cast.family_b.pk).exists()
    assert Family.objects.filter(pk=cast.family_a.pk).exists()
    assert AppendOnlyGuard.objects.count() == 1
