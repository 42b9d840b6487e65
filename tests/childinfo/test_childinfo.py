"""Children's information: who sees what (per role, per field), versions and history, the
record, the other parent told of medical changes, the calendar, hostile input, query counts."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from django.urls import get_resolver
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from coparent.childinfo import kinds, services
from coparent.childinfo.models import InfoItem, InfoVersion
from coparent.core.errors import ServiceError
from coparent.families.models import Membership
from coparent.notifications.models import Kind, Notification
from coparent.records.disclosure import disclose
from coparent.records.models import LogEntry
from coparent.schedule.models import Event
from coparent.tlog import content_hash, decode
from tests.cast import Cast
from tests.childinfo.helpers import (
    ALLERGEN,
    EMERGENCY_PHONE,
    MEMBER_NUMBER,
    PARENTS_NOTE,
    POLICY_NUMBER,
    SCHOOL,
    VACCINE,
    child_account,
    write_info,
)

pytestmark = pytest.mark.django_db

PARENTS_ONLY = (POLICY_NUMBER, MEMBER_NUMBER, PARENTS_NOTE, VACCINE)


def page(cast: Cast) -> str:
    return f"/f/{cast.family_a.public_id}/children/{cast.kit.public_id}/info/"


def api(cast: Cast, child=None) -> str:
    child = child or cast.kit
    return f"/api/v1/families/{cast.family_a.public_id}/children/{child.public_id}/info"


def member(cast: Cast, user) -> Membership:
    return Membership.objects.get(family=cast.family_a, user=user, revoked_at__isnull=True)


def record_size(cast: Cast) -> int:
    return LogEntry.objects.filter(family=cast.family_a).count()


# Who sees what ----------------------------------------------------------------------------------


def test_parents_see_everything_including_policy_numbers(cast: Cast, client_for) -> None:
    write_info(cast)
    for user in (cast.alice, cast.bob):
        text = client_for(user).get(page(cast)).content.decode()
        for secret in (*PARENTS_ONLY, ALLERGEN, SCHOOL):
            assert secret in text, secret


def test_the_caregiver_sees_allergies_and_contacts_but_no_policy_numbers(
    cast: Cast, client_for
) -> None:
    write_info(cast)
    response = client_for(cast.gran).get(page(cast))
    text = response.content.decode()
    assert response.status_code == 200
    assert ALLERGEN in text and EMERGENCY_PHONE in text and SCHOOL in text
    assert "Acme Health" in text  # the insurer is for everyone; its numbers are not
    for secret in PARENTS_ONLY:
        assert secret not in text, secret
    # Allergies come first on the page, before anything else.
    assert text.index(ALLERGEN) < text.index(EMERGENCY_PHONE) < text.index(SCHOOL)


def test_the_mediator_sees_only_what_is_for_everyone(cast: Cast, client_for) -> None:
    write_info(cast)
    text = client_for(cast.mediator).get(page(cast)).content.decode()
    assert SCHOOL in text and "Acme Health" in text
    for secret in (*PARENTS_ONLY, ALLERGEN, EMERGENCY_PHONE):
        assert secret not in text, secret


def test_a_childs_account_sees_only_what_a_parent_allowed(cast: Cast, client_for) -> None:
    write_info(cast)
    kid = child_account(cast)
    client = client_for(kid.user)
    text = client.get(page(cast)).content.decode()
    assert SCHOOL in text
    for secret in (*PARENTS_ONLY, ALLERGEN, EMERGENCY_PHONE, "Acme Health"):
        assert secret not in text, secret
    items = client.get(api(cast)).json()["items"]
    assert [i["title"] for i in items] == [SCHOOL]


def test_a_childs_account_cannot_open_a_siblings_page(cast: Cast, client_for) -> None:
    from coparent.families import services as family_services

    sibling = family_services.child_add(
        family=cast.family_a,
        actor=cast.alice,
        first_name="Sky",
        date_of_birth=__import__("datetime").date(2018, 3, 3),
    )
    kid = child_account(cast)
    client = client_for(kid.user)
    assert (
        client.get(page(cast).replace(str(cast.kit.public_id), str(sibling.public_id))).status_code
        == 404
    )
    assert client.get(api(cast, sibling)).status_code == 404


def test_an_outsider_gets_404_everywhere(cast: Cast, client_for) -> None:
    items = write_info(cast)
    charlie = client_for(cast.charlie)
    assert charlie.get(page(cast)).status_code == 404
    assert charlie.get(api(cast)).status_code == 404
    assert charlie.get(f"{api(cast)}/{items['allergy'].public_id}").status_code == 404


def test_another_familys_child_is_404_for_a_parent(cast: Cast, client_for) -> None:
    alice = client_for(cast.alice)
    other = (
        f"/api/v1/families/{cast.family_a.public_id}/children/{cast.charlies_child.public_id}/info"
    )
    before = record_size(cast)
    assert alice.get(other).status_code == 404
    body = {"kind": "allergy", "values": {"allergen": "Dust"}}
    response = alice.post(other, json.dumps(body), content_type="application/json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    page_url = f"/f/{cast.family_a.public_id}/children/{cast.charlies_child.public_id}/info/"
    assert alice.get(page_url).status_code == 404
    assert record_size(cast) == before


def test_a_hidden_item_is_404_for_who_may_not_see_it(cast: Cast, client_for) -> None:
    items = write_info(cast)
    note = f"{api(cast)}/{items['note'].public_id}"
    assert client_for(cast.gran).get(note).status_code == 404
    assert client_for(cast.mediator).get(note).status_code == 404
    assert client_for(cast.alice).get(note).json()["values"]["text"] == PARENTS_NOTE


def childinfo_urls(cast: Cast, items: dict[str, InfoItem]) -> list[str]:
    ids = {
        "family_id": str(cast.family_a.public_id),
        "child_id": str(cast.kit.public_id),
        "info_kind": "insurance",
    }
    urls = []
    resolver = get_resolver()
    for pattern in resolver.url_patterns:
        if getattr(pattern, "namespace", None) != "childinfo":
            continue
        for p in pattern.url_patterns:
            route = str(p.pattern)
            for item in items.values():
                filled = re.sub(
                    r"<(?:\w+:)?(\w+)>",
                    lambda m, item=item: {**ids, "item_id": str(item.public_id)}[m.group(1)],
                    route,
                )
                urls.append("/" + filled)
    api_base = api(cast)
    urls += [api_base] + [f"{api_base}/{i.public_id}" for i in items.values()]
    urls += [f"{api_base}/{i.public_id}/versions" for i in items.values()]
    return sorted(set(urls))


@pytest.mark.parametrize("who", ["gran", "mediator"])
def test_a_crawl_of_every_page_and_answer_finds_nothing_they_must_not_see(
    cast: Cast, client_for, who: str
) -> None:
    items = write_info(cast)
    # Older versions may have said more: change the insurance number, hide the allergy again.
    services.item_update(
        family=cast.family_a,
        actor=cast.alice,
        item=items["insurance"],
        values={"insurer": "Acme Health", "policy_number": POLICY_NUMBER + "-2"},
    )
    forbidden = [*PARENTS_ONLY]
    if who == "mediator":
        forbidden += [ALLERGEN, EMERGENCY_PHONE]
    user = getattr(cast, who)
    client = client_for(user)
    pages = 0
    for url in childinfo_urls(cast, items):
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
        text = response.content.decode()
        for secret in forbidden:
            assert secret not in text, (url, secret)
        pages += response.status_code == 200
    assert pages >= 3
    # The record's export for a professional: the content of versions they may not read is
    # withheld (the mediator has the record; caregivers do not).
    entries = list(LogEntry.objects.filter(family=cast.family_a, kind__startswith="childinfo."))
    shown = disclose(entries, member(cast, user))
    for found in shown.values():
        text = (found.content or b"").decode()
        for secret in forbidden:
            assert secret not in text


# Versions, history, the record -----------------------------------------------------------------


def test_a_change_is_a_new_version_and_the_old_one_is_kept(cast: Cast, client_for) -> None:
    items = write_info(cast)
    allergy = items["allergy"]
    updated = services.item_update(
        family=cast.family_a,
        actor=cast.bob,
        item=allergy,
        values={"allergen": "Tree nuts", "severity": "moderate"},
    )
    assert updated.version == 2
    versions = list(InfoVersion.objects.filter(item=allergy).order_by("number"))
    assert [(v.number, v.action) for v in versions] == [(1, "added"), (2, "changed")]
    assert versions[0].values["allergen"] == ALLERGEN
    history = client_for(cast.alice).get(
        f"/f/{cast.family_a.public_id}/children/{cast.kit.public_id}/info/history/"
    )
    text = history.content.decode()
    assert ALLERGEN in text and "Tree nuts" in text and "Bob Parent" in text
    # The caregiver sees the current version only, and no history page.
    gran = client_for(cast.gran)
    assert "Tree nuts" in gran.get(page(cast)).content.decode()
    assert ALLERGEN not in gran.get(page(cast)).content.decode()
    assert (
        gran.get(
            f"/f/{cast.family_a.public_id}/children/{cast.kit.public_id}/info/history/"
        ).status_code
        == 404
    )


def test_an_unchanged_save_writes_no_version(cast: Cast) -> None:
    items = write_info(cast)
    before = record_size(cast)
    services.item_update(
        family=cast.family_a,
        actor=cast.alice,
        item=items["school"],
        values={"name": SCHOOL, "grade": "4"},
    )
    assert record_size(cast) == before
    assert InfoVersion.objects.filter(item=items["school"]).count() == 1


def test_every_change_is_on_the_record_with_a_hash_of_the_version(cast: Cast) -> None:
    items = write_info(cast)
    services.item_remove(family=cast.family_a, actor=cast.alice, item=items["note"])
    entries = list(LogEntry.objects.filter(family=cast.family_a, kind__startswith="childinfo."))
    assert [e.kind for e in entries].count("childinfo.added") == 6
    removed = [e for e in entries if e.kind == "childinfo.removed"]
    assert len(removed) == 1
    fields = decode(bytes(removed[0].leaf)).fields
    assert fields["item"] == str(items["note"].public_id)
    assert fields["info_kind"] == "note" and fields["version"] == 2
    version = InfoVersion.objects.get(item=items["note"], number=2)
    assert fields["content"] == content_hash(bytes(version.salt), services.version_content(version))
    # The parents' export shows the content; it matches the hash.
    shown = disclose([removed[0]], member(cast, cast.alice))
    assert shown[removed[0].index].content == services.version_content(version)
    # The removed item is gone from the page, its versions stay.
    assert InfoItem.objects.get(pk=items["note"].pk).removed_at is not None
    assert InfoVersion.objects.filter(item=items["note"]).count() == 2


def test_record_labels_read_as_sentences(cast: Cast) -> None:
    from coparent.records.labels import LABELS, entry_label

    write_info(cast)
    entry = LogEntry.objects.filter(family=cast.family_a, kind="childinfo.added").first()
    assert entry is not None
    for kind in (
        "childinfo.added",
        "childinfo.changed",
        "childinfo.removed",
        "childinfo.calendared",
    ):
        assert kind in LABELS
    text = entry_label(entry.kind, "Alice Parent", decode(bytes(entry.leaf)).fields)
    assert text == "Alice Parent added to a child's information: allergy"


# Notifications ------------------------------------------------------------------------------------


def test_the_other_parent_is_told_of_a_medical_change_only(cast: Cast) -> None:
    services.item_create(
        family=cast.family_a,
        actor=cast.alice,
        child=cast.kit,
        kind="medication",
        values={"name": "Ventolin", "dose": "2 puffs", "timing": "when wheezy"},
    )
    told = Notification.objects.filter(kind=Kind.CHILD_MEDICAL)
    assert [n.recipient for n in told] == [cast.bob]
    # Neutral: the title names nothing; the detail names the kind, not the medicine.
    assert "Ventolin" not in told[0].title + told[0].detail_title
    assert "medication" in told[0].detail_title
    services.item_create(
        family=cast.family_a,
        actor=cast.alice,
        child=cast.kit,
        kind="shoe_size",
        values={"size": "33", "system": "EU"},
    )
    assert Notification.objects.filter(kind=Kind.CHILD_MEDICAL).count() == 1


# Writes: parents only ----------------------------------------------------------------------------


def test_only_parents_write(cast: Cast, client_for) -> None:
    items = write_info(cast)
    before = record_size(cast)
    for user in (cast.gran, cast.mediator):
        client = client_for(user)
        body = json.dumps({"kind": "allergy", "values": {"allergen": "Dust"}})
        assert client.post(api(cast), body, content_type="application/json").status_code in (
            403,
            404,
        )
        url = f"{api(cast)}/{items['school'].public_id}"
        assert client.delete(url).status_code in (403, 404)
        assert client.post(page(cast) + "new/allergy/", {"allergen": "Dust"}).status_code in (
            403,
            404,
        )
        with pytest.raises(ServiceError):
            services.item_create(
                family=cast.family_a,
                actor=user,
                child=cast.kit,
                kind="allergy",
                values={"allergen": "Dust"},
            )
    assert record_size(cast) == before


def test_the_api_round_trip(cast: Cast, client_for) -> None:
    alice = client_for(cast.alice)
    body = {
        "kind": "insurance",
        "values": {"insurer": "Acme", "policy_number": "P-1"},
        "visibility": "caregivers",
    }
    created = alice.post(api(cast), json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    item = created.json()
    assert item["values"] == {"insurer": "Acme", "policy_number": "P-1"}
    assert client_for(cast.gran).get(f"{api(cast)}/{item['id']}").json()["values"] == {
        "insurer": "Acme"
    }
    changed = alice.put(
        f"{api(cast)}/{item['id']}",
        json.dumps({"values": {"insurer": "Acme", "policy_number": "P-2"}}),
        content_type="application/json",
    )
    assert changed.json()["version"] == 2 and changed.json()["visibility"] == "caregivers"
    versions = alice.get(f"{api(cast)}/{item['id']}/versions").json()
    assert [v["values"].get("policy_number") for v in versions] == ["P-2", "P-1"]
    assert alice.delete(f"{api(cast)}/{item['id']}").status_code == 204
    assert alice.get(f"{api(cast)}/{item['id']}").status_code == 404
    assert alice.get(api(cast)).json()["items"] == []


# Hostile input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        {"vaccine": "MMR", "given_on": "9999-12-31"},
        {"vaccine": "MMR", "given_on": "0001-01-01"},
        {"vaccine": "MMR", "given_on": "1969-12-31"},
        {"vaccine": "MMR", "given_on": "2026-02-30"},
        {"vaccine": "MMR", "given_on": "20260101"},
        {"vaccine": "x\x00y", "given_on": "2026-01-01"},
        {"vaccine": "x\ud800y", "given_on": "2026-01-01"},
        {"vaccine": "", "given_on": "2026-01-01"},
        {"vaccine": "MMR", "given_on": "2026-01-01", "secret_field": "x"},
        {"vaccine": "M" * 201, "given_on": "2026-01-01"},
    ],
)
def test_bad_values_are_a_clear_error_and_change_nothing(
    cast: Cast, client_for, values: dict
) -> None:
    alice = client_for(cast.alice)
    before = record_size(cast)
    body = json.dumps({"kind": "vaccination", "values": values})
    response = alice.post(api(cast), body, content_type="application/json")
    assert 400 <= response.status_code < 500, response.content
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert record_size(cast) == before
    assert not InfoItem.objects.exists()


@hypothesis_settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
@given(
    kind=st.sampled_from(kinds.KIND_NAMES),
    values=st.dictionaries(
        st.sampled_from(["name", "allergen", "given_on", "starts_at", "days", "phone", "x"]),
        st.one_of(st.text(max_size=30), st.sampled_from(["9999-12-31", "mon,xyz", "25:00"])),
        max_size=4,
    ),
)
def test_any_values_are_stored_checked_or_refused_whole(
    cast: Cast, kind: str, values: dict
) -> None:
    """Property: a write either stores exactly the checked values (one version, one record
    entry) or refuses and changes nothing."""
    before_entries, before_items = record_size(cast), InfoItem.objects.count()
    try:
        item = services.item_create(
            family=cast.family_a, actor=cast.alice, child=cast.kit, kind=kind, values=values
        )
    except ServiceError:
        assert record_size(cast) == before_entries
        assert InfoItem.objects.count() == before_items
        return
    assert item.values == kinds.clean_values(kinds.KINDS[kind], values)
    assert record_size(cast) == before_entries + 1
    for spec in kinds.KINDS[kind].fields:
        if spec.name in item.values and spec.type == "date":
            assert "1970" <= item.values[spec.name] <= "2200-12-31"


def test_the_form_shows_errors_next_to_fields(cast: Cast, client_for) -> None:
    alice = client_for(cast.alice)
    before = record_size(cast)
    url = page(cast) + "new/vaccination/"
    for field, value, message in (
        ("given_on", "9999-12-31", "between 1970 and 2200"),
        ("given_on", "0001-01-01", "between 1970 and 2200"),
        ("vaccine", "x\x00y", "control characters"),
        ("notes", "bell\x07", "control characters"),
    ):
        data = {"vaccine": "MMR", "given_on": "2025-01-01", "visibility": "parents", field: value}
        response = alice.post(url, data)
        assert response.status_code == 200, field
        assert message in response.content.decode(), field
    assert record_size(cast) == before
    assert alice.get(page(cast) + "new/not-a-kind/").status_code == 404


def test_the_form_adds_and_edits(cast: Cast, client_for) -> None:
    alice = client_for(cast.alice)
    response = alice.post(
        page(cast) + "new/activity/",
        {
            "name": "Swimming",
            "days": ["tue", "thu"],
            "starts_at": "16:00",
            "ends_at": "17:00",
            "visibility": "caregivers",
        },
    )
    assert response.status_code == 302
    item = InfoItem.objects.get(kind="activity")
    assert item.values == {
        "name": "Swimming",
        "days": "tue,thu",
        "starts_at": "16:00",
        "ends_at": "17:00",
    }
    edit = page(cast) + f"{item.public_id}/edit/"
    assert "Swimming" in alice.get(edit).content.decode()
    response = alice.post(
        edit,
        {"name": "Swimming club", "days": ["tue"], "starts_at": "16:00", "visibility": "family"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.version, item.visibility, item.values["name"]) == (2, "family", "Swimming club")
    assert alice.post(page(cast) + f"{item.public_id}/remove/").status_code == 302
    item.refresh_from_db()
    assert item.removed_at is not None


# The calendar ------------------------------------------------------------------------------------


def test_an_activity_goes_on_the_calendar_once(cast: Cast, client_for) -> None:
    item = services.item_create(
        family=cast.family_a,
        actor=cast.alice,
        child=cast.kit,
        kind="activity",
        values={
            "name": "Judo",
            "days": "mon,wed",
            "starts_at": "17:00",
            "ends_at": "18:00",
            "place": "Sports hall",
        },
    )
    alice = client_for(cast.alice)
    url = page(cast) + f"{item.public_id}/calendar/"
    assert alice.get(url).status_code == 200
    assert alice.post(url).status_code == 302
    events = list(Event.objects.filter(family=cast.family_a, title="Judo"))
    assert len(events) == 24  # two a week for twelve weeks
    assert {
        e.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("America/Chicago")).hour
        for e in events
    } == {17}
    assert all(list(e.children.all()) == [cast.kit] for e in events[:3])
    assert alice.post(url).status_code == 302  # nothing more to add: no duplicates
    assert Event.objects.filter(family=cast.family_a, title="Judo").count() == 24
    assert LogEntry.objects.filter(family=cast.family_a, kind="childinfo.calendared").count() == 1


def test_sessions_follow_the_days_and_the_last_session() -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    found = services.sessions(
        {"days": "sun", "starts_at": "09:30", "ends_at": "10:30"},
        start=dt.date(2026, 3, 1),
        end=dt.date(2026, 3, 31),
        zone=ZoneInfo("Europe/London"),
    )
    assert [s.day for s, _e in found] == [1, 8, 15, 22, 29]
    # Across the change to summer time the local time stays 09:30.
    assert {s.hour for s, _e in found} == {9} and found[-1][0].utcoffset() == dt.timedelta(hours=1)


# Query counts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "gran"])
def test_the_child_page_query_count_does_not_grow(
    cast: Cast, client_for, django_assert_num_queries, who: str
) -> None:
    write_info(cast)
    client = client_for(getattr(cast, who))
    client.get(page(cast))  # warm the session
    counts = []
    for _round in range(2):
        with django_assert_num_queries(NUM_QUERIES[who]) as captured:
            assert client.get(page(cast)).status_code == 200
        counts.append(len(captured))
        write_info(cast)
        # The writes grew the record: the next view counts the nav badge anew.
        client.get(page(cast))
    assert counts[0] == counts[1]


NUM_QUERIES = {"alice": 6, "gran": 6}


def test_the_history_page_query_count_does_not_grow(
    cast: Cast, client_for, django_assert_num_queries
) -> None:
    write_info(cast)
    alice = client_for(cast.alice)
    url = f"/f/{cast.family_a.public_id}/children/{cast.kit.public_id}/info/history/"
    alice.get(url)
    with django_assert_num_queries(6):
        alice.get(url)
    write_info(cast)
    # The writes grew the record: the next view counts the nav badge anew.
    alice.get(url)
    with django_assert_num_queries(6):
        assert alice.get(url).status_code == 200


def test_the_children_list(cast: Cast, client_for, django_assert_num_queries) -> None:
    alice = client_for(cast.alice)
    url = f"/f/{cast.family_a.public_id}/children/"
    alice.get(url)
    with django_assert_num_queries(5):
        text = alice.get(url).content.decode()
    assert "Kit" in text
    # One child, and someone who only reads: straight to the child's page.
    response = client_for(cast.gran).get(url)
    assert response.status_code == 302 and response["Location"] == page(cast)
    assert uuid.UUID(str(cast.kit.public_id))


# Visibility per field ----------------------------------------------------------------------------


def test_a_field_can_be_kept_to_fewer_people_than_its_item(cast: Cast, client_for) -> None:
    services.item_create(
        family=cast.family_a,
        actor=cast.alice,
        child=cast.kit,
        kind="doctor",
        values={"name": "Dr. Vale", "phone": "+1 555 0170", "address": "Hidden-Lane-Otter"},
        visibility="family",
        field_visibility={"address": "parents", "phone": "caregivers"},
    )
    gran = client_for(cast.gran).get(page(cast)).content.decode()
    mediator = client_for(cast.mediator).get(page(cast)).content.decode()
    assert "Dr. Vale" in gran and "+1 555 0170" in gran and "Hidden-Lane-Otter" not in gran
    assert "Dr. Vale" in mediator
    assert "+1 555 0170" not in mediator and "Hidden-Lane-Otter" not in mediator
    assert "Hidden-Lane-Otter" in client_for(cast.alice).get(page(cast)).content.decode()


def test_a_hidden_first_field_does_not_leak_through_the_title(cast: Cast, client_for) -> None:
    item = services.item_create(
        family=cast.family_a,
        actor=cast.alice,
        child=cast.kit,
        kind="doctor",
        values={"name": "Dr. Secret-Badger", "phone": "+1 555 0170"},
        visibility="family",
        field_visibility={"name": "parents"},
    )
    answer = client_for(cast.mediator).get(f"{api(cast)}/{item.public_id}").json()
    assert answer["title"] == "Doctor" and "name" not in answer["values"]
    assert answer["field_visibility"] == {}
    assert "Secret-Badger" not in client_for(cast.mediator).get(page(cast)).content.decode()


def test_a_parent_may_share_the_policy_number_with_caregivers(cast: Cast, client_for) -> None:
    items = write_info(cast)
    alice = client_for(cast.alice)
    edit = page(cast) + f"{items['insurance'].public_id}/edit/"
    form = alice.get(edit).content.decode()
    assert 'name="seen_policy_number"' in form
    response = alice.post(
        edit,
        {
            "insurer": "Acme Health",
            "policy_number": POLICY_NUMBER,
            "member_number": MEMBER_NUMBER,
            "visibility": "caregivers",
            "seen_policy_number": "",
            "seen_member_number": "parents",
        },
    )
    assert response.status_code == 302
    gran = client_for(cast.gran).get(page(cast)).content.decode()
    assert POLICY_NUMBER in gran and MEMBER_NUMBER not in gran
    assert POLICY_NUMBER not in client_for(cast.mediator).get(page(cast)).content.decode()
    version = InfoVersion.objects.get(item=items["insurance"], number=2)
    assert version.field_visibility == {"member_number": "parents"}


def test_field_visibility_must_name_the_kinds_fields(cast: Cast, client_for) -> None:
    alice = client_for(cast.alice)
    before = record_size(cast)
    for field_visibility in ({"nope": "parents"}, {"allergen": "everyone"}):
        body = {
            "kind": "allergy",
            "values": {"allergen": "Dust"},
            "field_visibility": field_visibility,
        }
        response = alice.post(api(cast), json.dumps(body), content_type="application/json")
        assert 400 <= response.status_code < 500
    assert record_size(cast) == before


LEVEL_OF_ROLE = {"gran": {"caregivers", "family"}, "mediator": {"family"}}


@hypothesis_settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
@given(
    kind=st.sampled_from(["doctor", "insurance", "emergency_contact", "school"]),
    visibility=st.sampled_from(kinds.VISIBILITIES),
    narrowed=st.dictionaries(
        st.sampled_from(["name", "phone", "email", "policy_number", "insurer", "address"]),
        st.sampled_from(kinds.VISIBILITIES),
        max_size=3,
    ),
)
def test_no_role_ever_reads_a_field_above_its_level(
    cast: Cast, kind: str, visibility: str, narrowed: dict
) -> None:
    """Property: whatever a parent chooses, a caregiver or professional reads a field only when
    both the item and the field are for them, and a title never gives a hidden field away."""
    spec = kinds.KINDS[kind]
    values = {
        f.name: f"value-{f.name}-{uuid.uuid4().hex[:6]}"
        for f in spec.fields
        if f.type in ("text", "long")
    }
    for f in spec.fields:
        if f.type == "phone":
            values[f.name] = "+1 555 0100"
        elif f.type == "email":
            values[f.name] = "x@example.org"
    field_visibility = {k: v for k, v in narrowed.items() if k in spec.field_names}
    item = services.item_create(
        family=cast.family_a,
        actor=cast.alice,
        child=cast.kit,
        kind=kind,
        values=values,
        visibility=visibility,
        field_visibility=field_visibility,
    )
    from coparent.childinfo import selectors

    for who, levels in LEVEL_OF_ROLE.items():
        membership = member(cast, getattr(cast, who))
        visible = {i.item.pk: i for i in selectors.item_list(cast.family_a, membership, cast.kit)}
        if visibility not in levels:
            assert item.pk not in visible
            continue
        found = visible[item.pk]
        for f in spec.fields:
            level = kinds.narrower(visibility, field_visibility.get(f.name, visibility))
            assert (f.name in found.values) == (level in levels and f.name in values)
        if spec.fields[0].name not in found.values:
            assert found.title == str(spec.label)
    services.item_remove(family=cast.family_a, actor=cast.alice, item=item)
