"""Address confidentiality: a parent's address, and every place they enter, never reach the
other parent. The test crawls every page, API read, the calendar feed, the record export and
the emails as the other parent, looking for the strings."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core import mail
from django.utils import timezone

from coparent.core.errors import ServiceError
from coparent.exchanges import services as exchanges
from coparent.families.models import Membership
from coparent.safety import services
from coparent.schedule import services as schedule
from tests.cast import Cast
from tests.passes.test_passes import issue
from tests.reports.helpers import flat, page_texts, write
from tests.schedule.helpers import agreed
from tests.tasks import run_tasks
from tests.test_tenancy import api_operations, family_a_ids, family_routes, fill

pytestmark = pytest.mark.django_db

SECRET = "Hidden Lane"
ADDRESS = "221 Hidden Lane, Springfield"


def keep_alice_confidential(cast: Cast) -> None:
    services.contact_update(
        family=cast.family_a, actor=cast.alice, phone="555-0100", address=ADDRESS, confidential=True
    )


def test_the_address_shows_to_its_owner_and_nobody_else(cast: Cast, client_for) -> None:
    keep_alice_confidential(cast)
    people = f"/f/{cast.family_a.public_id}/people/"
    assert ADDRESS in client_for(cast.alice).get(people).content.decode()
    for user in (cast.bob, cast.gran, cast.mediator):
        page = client_for(user).get(people).content.decode()
        assert SECRET not in page and "Address kept confidential" in page
        assert "555-0100" in page, "the phone stays reachable"


def test_a_place_alice_enters_is_hers_alone(cast: Cast, client_for) -> None:
    keep_alice_confidential(cast)
    start = timezone.now() + dt.timedelta(days=2)
    event = schedule.event_create(
        family=cast.family_a,
        actor=cast.alice,
        title="Dentist",
        kind="medical",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        place=f"Flat 3, {ADDRESS}",
    )
    detail = f"/f/{cast.family_a.public_id}/events/{event.public_id}/"
    assert SECRET in client_for(cast.alice).get(detail).content.decode()
    bob_sees = client_for(cast.bob).get(detail).content.decode()
    assert SECRET not in bob_sees and "A confidential place" in bob_sees
    with pytest.raises(ServiceError):
        schedule.event_update(
            family=cast.family_a,
            actor=cast.bob,
            event=event,
            title="Dentist",
            kind="medical",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            place="",
        )
    event.refresh_from_db()
    assert SECRET in event.place


def test_exchanges_cannot_be_at_a_home(cast: Cast) -> None:
    keep_alice_confidential(cast)
    plan = agreed(cast).plan
    with pytest.raises(ServiceError, match="confidential"):
        exchanges.terms_propose(
            family=cast.family_a,
            actor=cast.bob,
            plan=plan,
            place_kind="curbside",
            place_name="Home",
            grace_minutes=15,
        )


def test_nothing_the_other_parent_can_open_holds_the_address(
    cast: Cast, client_for, settings, tmp_path
) -> None:
    settings.REPORT_DIR = str(tmp_path / "reports")
    ids = family_a_ids(cast)  # every app's objects, so every route has something to show
    keep_alice_confidential(cast)
    start = timezone.now() + dt.timedelta(days=1)
    schedule.event_create(
        family=cast.family_a,
        actor=cast.alice,
        title="Pick up the bikes",
        kind="other",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        place=ADDRESS,
    )
    issue(cast, actor=cast.alice, place=f"{ADDRESS}, side door")
    run_tasks()
    bob = client_for(cast.bob)

    leaks = []
    for name, route in family_routes():
        response = bob.get(fill(route, ids))
        if SECRET.encode() in response.content:
            leaks.append(f"page {name}")
    for method, path, _body in api_operations():
        if method != "GET":
            continue
        response = bob.get(fill(path, ids))
        if SECRET.encode() in response.content:
            leaks.append(f"api {path}")
    token = schedule.feed_token_regenerate(family=cast.family_a, actor=cast.bob)
    feed = bob.get(f"/calendar/{token}.ics")
    assert feed.status_code == 200
    if SECRET.encode() in feed.content:
        leaks.append("calendar feed")
    export = bob.get(f"/f/{cast.family_a.public_id}/record/export.zip")
    assert export.status_code == 200
    with zipfile.ZipFile(io.BytesIO(export.content)) as bundle:
        for member in bundle.namelist():
            if SECRET.encode() in bundle.read(member):
                leaks.append(f"export {member}")
    reader = Membership.objects.get(family=cast.family_a, user=cast.bob)
    pdf, csvs = tmp_path / "report.pdf", tmp_path / "tables.zip"
    write(cast, pdf, reader=reader, csv=csvs)
    if SECRET in flat(" ".join(page_texts(pdf))):
        leaks.append("court report")
    with zipfile.ZipFile(csvs) as tables:
        for member in tables.namelist():
            if SECRET.encode() in tables.read(member):
                leaks.append(f"report table {member}")
    for message in mail.outbox:
        if cast.bob.email in message.to and SECRET in message.body + message.subject:
            leaks.append(f"email {message.subject}")
    assert not leaks, leaks
