"""Pass pages after the newcomer walk: one question per either-or pair on the form, a caregiver
who holds a pass, revoking in two steps, a place's link shown again with a printable sign, and
the staff page's times all in one named zone."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from coparent.core.errors import ServiceError
from coparent.families.models import Membership
from coparent.notifications.models import Notification
from coparent.passes import selectors, services, tokens
from coparent.passes.models import Gate, PickupPass
from coparent.records.models import LogEntry
from tests.cast import Cast
from tests.passes.test_passes import issue, one_parent_always, responsible, token_of, window

pytestmark = pytest.mark.django_db


def base(cast: Cast) -> str:
    return f"/f/{cast.family_a.public_id}/passes/"


def member(cast: Cast, user) -> Membership:
    return Membership.objects.get(family=cast.family_a, user=user, revoked_at__isnull=True)


def label_of(page: str, field: str) -> str:
    found = re.search(rf'<label for="id_{field}">(.*?)</label>', page, re.S)
    assert found, field
    return found.group(1)


def form_data(cast: Cast, **extra) -> dict:
    start, end = window()
    fmt = "%Y-%m-%dT%H:%M"
    zone = cast.alice.timezone
    data = {
        "person_name": "Jamie Cousin",
        "children": [str(cast.kit.public_id)],
        "place": "Riverside School",
        "starts_at": start.astimezone(ZoneInfo(zone)).strftime(fmt),
        "ends_at": end.astimezone(ZoneInfo(zone)).strftime(fmt),
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


# The form ---------------------------------------------------------------------------------------


def test_the_form_asks_each_either_or_question_once(cast: Cast, client_for) -> None:
    services.gate_create(family=cast.family_a, actor=cast.alice, name="North gate")
    page = client_for(cast.alice).get(base(cast) + "new/").content.decode()
    # Children: the label is the legend of their boxes, not a label beside them.
    assert re.search(r"<legend>Which children</legend>", page)
    assert "<legend>Who will pick up</legend>" in page and "<legend>Where</legend>" in page
    for field in ("holder", "person_name", "gate", "place"):
        assert "optional" not in label_of(page, field), field
    assert "Gran Caregiver (Grandmother)" in page
    assert "(optional)" in label_of(page, "person_relationship")


def test_without_caregivers_or_places_the_plain_fields_are_required(cast: Cast, client_for) -> None:
    page = client_for(cast.charlie).get(f"/f/{cast.family_b.public_id}/passes/new/").content
    html = page.decode()
    assert 'id="id_holder"' not in html and 'id="id_gate"' not in html
    assert "optional" not in label_of(html, "person_name")
    assert "optional" not in label_of(html, "place")


def test_neither_answer_gets_a_clear_error_and_nothing_is_written(cast: Cast, client_for) -> None:
    one_parent_always(cast)
    services.gate_create(family=cast.family_a, actor=cast.alice, name="North gate")
    before = LogEntry.objects.count()
    client = client_for(responsible(cast))
    page = client.post(base(cast) + "new/", form_data(cast, person_name="", place="")).content
    html = page.decode()
    assert "Choose a caregiver, or type the name of the person who will pick up." in html
    assert "Choose one of your places, or type where the pickup happens." in html
    assert not PickupPass.objects.exists() and LogEntry.objects.count() == before


def test_a_pass_for_a_caregiver_names_them_and_tells_them(
    cast: Cast, client_for, django_capture_on_commit_callbacks
) -> None:
    one_parent_always(cast)
    gate, _token = services.gate_create(family=cast.family_a, actor=cast.alice, name="North gate")
    gran = member(cast, cast.gran)
    client = client_for(responsible(cast))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            base(cast) + "new/",
            form_data(
                cast, person_name="", place="", holder=str(gran.public_id), gate=str(gate.public_id)
            ),
        )
    assert response.status_code == 302, response.content.decode()
    created = PickupPass.objects.get()
    assert created.holder == gran and created.person_name == "Gran Caregiver"
    assert created.person_relationship == "Grandmother" and created.place == "North gate"
    to_gran = [m for m in mail.outbox if m.to == [cast.gran.email]]
    assert len(to_gran) == 1 and "Gran" not in to_gran[0].body  # neutral by default
    told = Notification.objects.get(recipient=cast.gran)
    assert told.link.endswith("/passes/mine/")


def test_only_a_caregiver_of_the_family_can_hold_a_pass(cast: Cast) -> None:
    one_parent_always(cast)
    for wrong in (member(cast, cast.bob), member(cast, cast.mediator)):
        with pytest.raises(ServiceError, match="caregivers"):
            issue(cast, holder=wrong)
    charlie = Membership.objects.get(family=cast.family_b, user=cast.charlie)
    with pytest.raises(ServiceError, match="caregivers"):
        issue(cast, holder=charlie)
    assert not PickupPass.objects.exists()


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    value=st.one_of(
        st.text(st.characters(blacklist_categories=("Cs",)), max_size=60),
        st.sampled_from(["x\x00y", "0" * 5000, "1", "-1", "00000000-0000-0000-0000-000000000000"]),
    )
)
def test_a_hostile_holder_value_is_a_form_error(cast: Cast, value: str) -> None:
    client = Client()
    client.force_login(cast.alice)
    if not Gate.objects.exists():
        services.gate_create(family=cast.family_a, actor=cast.alice, name="North gate")
    before = LogEntry.objects.count()
    response = client.post(base(cast) + "new/", form_data(cast, person_name="", holder=value))
    assert response.status_code == 200
    assert "error" in response.content.decode()
    assert not PickupPass.objects.exists() and LogEntry.objects.count() == before


# Revoking ---------------------------------------------------------------------------------------


def test_revoking_asks_first_then_revokes(
    cast: Cast, client_for, django_assert_num_queries
) -> None:
    one_parent_always(cast)
    p = issue(cast)
    client = client_for(responsible(cast))
    detail = client.get(f"{base(cast)}{p.public_id}/").content.decode()
    confirm_url = f"{base(cast)}{p.public_id}/revoke/"
    assert f'href="{confirm_url}"' in detail, (
        "the detail page links to the question, no one-tap form"
    )
    with django_assert_num_queries(REVOKE_PAGE_QUERIES):
        page = client.get(confirm_url).content.decode()
    assert "Revoke the pass for Jamie Cousin?" in page and "Yes, revoke the pass" in page
    assert PickupPass.objects.get().revoked_at is None, "asking changes nothing"
    assert Client().post(confirm_url).status_code == 302  # to sign-in: nothing done
    response = client.post(confirm_url)
    assert response.status_code == 302 and PickupPass.objects.get().revoked_at is not None
    assert "already revoked" in client.get(confirm_url).content.decode()


REVOKE_PAGE_QUERIES = 6  # with the two nav counts


def test_the_other_parent_cannot_revoke_an_active_pass(cast: Cast, client_for) -> None:
    one_parent_always(cast)
    p = issue(cast)
    other = cast.bob if responsible(cast) == cast.alice else cast.alice
    page = client_for(other).get(f"{base(cast)}{p.public_id}/revoke/").content.decode()
    assert "Only the parent who issued this pass" in page and "Yes, revoke" not in page
    client_for(other).post(f"{base(cast)}{p.public_id}/revoke/")
    assert PickupPass.objects.get().revoked_at is None
    assert client_for(cast.mediator).get(f"{base(cast)}{p.public_id}/revoke/").status_code == 404


# Places -----------------------------------------------------------------------------------------


def test_a_places_link_is_shown_again_with_a_sign(
    cast: Cast, client_for, django_assert_num_queries
) -> None:
    one_parent_always(cast)
    alice = client_for(cast.alice)
    response = alice.post(base(cast) + "places/", {"name": "North gate"})
    gate = Gate.objects.get()
    page_url = f"{base(cast)}places/{gate.public_id}/"
    assert response.status_code == 302 and response["Location"] == page_url
    with django_assert_num_queries(GATE_PAGE_QUERIES):
        first = alice.get(page_url).content.decode()
    link = re.search(r'data-testid="gate-link">([^<]+)<', first).group(1)
    assert "/gate/" in link and 'data-testid="gate-sign"' in first and "<svg" in first
    assert "Copy link" in first and "For staff only" in first
    again = client_for(cast.bob).get(page_url).content.decode()
    assert link in again, "the other parent sees the same link, later"
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert Client().get(f"/gate/{token}/").status_code == 200
    for _ in range(3):
        issue(cast, gate=gate)
    with django_assert_num_queries(GATE_PAGE_QUERIES):
        alice.get(page_url)
    professional = client_for(cast.mediator).get(page_url).content.decode()
    assert token not in professional and "Only the parents" in professional


GATE_PAGE_QUERIES = 6  # with the two nav counts


def test_the_link_cannot_be_rebuilt_from_the_database_alone(cast: Cast, settings) -> None:
    gate, token = services.gate_create(family=cast.family_a, actor=cast.alice, name="North gate")
    assert gate.link_key not in token and services.gate_token_hash(token) == gate.token_hash
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert tokens.gate_token(gate.link_key) != token


def test_a_new_link_replaces_the_old_one(cast: Cast, client_for) -> None:
    gate, old = services.gate_create(family=cast.family_a, actor=cast.alice, name="North gate")
    client = client_for(cast.bob)
    response = client.post(f"{base(cast)}places/{gate.public_id}/new-link/")
    assert response.status_code == 302
    new = selectors.gate_link_token(Gate.objects.get())
    assert new and new != old
    assert Client().get(f"/gate/{old}/").status_code == 404
    assert Client().get(f"/gate/{new}/").status_code == 200
    assert LogEntry.objects.filter(kind="gate.link_replaced").count() == 1


def test_an_old_link_that_cannot_be_shown_can_be_replaced(cast: Cast, client_for) -> None:
    gate, old = services.gate_create(family=cast.family_a, actor=cast.alice, name="North gate")
    Gate.objects.filter(pk=gate.pk).update(link_key="")  # made before links were derived
    page = client_for(cast.alice).get(f"{base(cast)}places/{gate.public_id}/").content.decode()
    assert "cannot be shown here" in page and "Make a new link" in page
    assert Client().get(f"/gate/{old}/").status_code == 200, "it still works where it was given"


def test_turning_a_link_off_asks_first(cast: Cast, client_for) -> None:
    gate, token = services.gate_create(family=cast.family_a, actor=cast.alice, name="North gate")
    client = client_for(cast.alice)
    url = f"{base(cast)}places/{gate.public_id}/turn-off/"
    assert "Yes, turn off the link" in client.get(url).content.decode()
    assert Client().get(f"/gate/{token}/").status_code == 200
    assert client.post(url).status_code == 302
    assert Client().get(f"/gate/{token}/").status_code == 404
    assert client.get(f"{base(cast)}places/{gate.public_id}/").status_code == 404


# The staff page ---------------------------------------------------------------------------------


def test_the_staff_page_shows_every_time_in_the_familys_named_zone(cast: Cast) -> None:
    one_parent_always(cast)  # the schedule's zone is America/Chicago
    p = issue(cast)
    chicago = ZoneInfo("America/Chicago")

    def clock(zone) -> set[str]:  # the clock ticks: the minute may turn during the request
        now = timezone.now()
        return {(now + dt.timedelta(minutes=m)).astimezone(zone).strftime("%H:%M") for m in (0, 1)}

    expected = clock(chicago)
    page = Client().get(f"/pass/{token_of(p)}/").content.decode()
    checked = re.search(r'data-testid="checked-at">(.*?)</p>', page, re.S).group(1)
    assert any(f"Checked at {t}" in checked for t in expected), checked
    assert "time in America/Chicago" in checked and "UTC" not in checked
    assert page.count("time in America/Chicago") == 2
    expected = clock(dt.UTC)
    forged = Client().get("/pass/not-a-token/").content.decode()
    assert any(f"Checked at {t}" in forged for t in expected) and "time in UTC" in forged


def test_the_gate_page_names_its_zone(cast: Cast) -> None:
    one_parent_always(cast)
    _gate, token = services.gate_create(family=cast.family_a, actor=cast.alice, name="North gate")
    page = Client().get(f"/gate/{token}/").content.decode()
    assert "Times are in America/Chicago." in page
    checked = Client().get(f"/gate/{token}/?code=AAAA-AAAA-AAAA").content.decode()
    assert "NOT VALID" in checked and "time in America/Chicago" in checked


# The caregiver's own page -----------------------------------------------------------------------


def test_a_caregiver_shows_their_pass_from_their_own_page(
    cast: Cast, client_for, django_assert_num_queries
) -> None:
    one_parent_always(cast)
    gran = member(cast, cast.gran)
    held = issue(cast, holder=gran, person_name="")
    other = issue(cast, person_name="Sam Uncle")
    client = client_for(cast.gran)
    home = client.get(f"/f/{cast.family_a.public_id}/").content.decode()
    assert f'href="{base(cast)}mine/"' in home
    with django_assert_num_queries(MINE_PAGE_QUERIES):
        page = client.get(base(cast) + "mine/").content.decode()
    assert tokens.make_code(held.public_id) in page and "<svg" in page
    assert tokens.make_code(other.public_id) not in page and "Sam Uncle" not in page
    for _ in range(3):
        issue(cast, holder=gran)
    with django_assert_num_queries(MINE_PAGE_QUERIES):
        page = client.get(base(cast) + "mine/").content.decode()
    assert page.count('data-testid="held-pass"') == 4
    services.pass_revoke(family=cast.family_a, actor=responsible(cast), pickup_pass=held)
    page = client.get(base(cast) + "mine/").content.decode()
    assert tokens.make_code(held.public_id) not in page, "a revoked pass is not shown to use"
    # Still no way into the parents' pass pages, and nothing of the page for the others.
    assert client.get(base(cast)).status_code == 404
    assert client_for(cast.alice).get(base(cast) + "mine/").status_code == 404
    assert client_for(cast.mediator).get(base(cast) + "mine/").status_code == 404


MINE_PAGE_QUERIES = 7  # with the two nav counts


def test_the_api_issues_a_pass_for_a_caregiver(cast: Cast, client_for) -> None:
    one_parent_always(cast)
    start, end = window()
    payload = {
        "person_name": "Gran",
        "children": [str(cast.kit.public_id)],
        "place": "North gate",
        "starts_at": start.isoformat(),
        "ends_at": end.isoformat(),
    }
    url = f"/api/v1/families/{cast.family_a.public_id}/passes"
    client = client_for(responsible(cast))
    bob = member(cast, cast.bob)
    refused = client.post(
        url, {**payload, "holder_id": str(bob.public_id)}, content_type="application/json"
    )
    assert refused.status_code == 400 and "holder" in refused.json()["error"]["fields"]
    charlie = Membership.objects.get(family=cast.family_b, user=cast.charlie)
    foreign = client.post(
        url, {**payload, "holder_id": str(charlie.public_id)}, content_type="application/json"
    )
    assert foreign.status_code == 404 and not PickupPass.objects.exists()
    gran = member(cast, cast.gran)
    created = client.post(
        url, {**payload, "holder_id": str(gran.public_id)}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert PickupPass.objects.get().holder == gran
