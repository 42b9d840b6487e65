"""The notifications page, the header's unread count, the settings page and the API: one's own
notifications only, a flat number of queries whatever the history, CSRF on every write."""

from __future__ import annotations

import json

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coparent.notifications.models import (
    Channel,
    ChannelPreference,
    Kind,
    Notification,
    NotificationSettings,
)
from coparent.notifications.services import Detail, notify
from tests.cast import Cast
from tests.notifications.helpers import told

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(client_for):
    """Signed-in clients, without the "new sign-in" notice signing in leaves."""

    def make(user) -> Client:
        client = client_for(user)
        Notification.objects.filter(kind=Kind.SIGN_IN).delete()
        return client

    return make


def tell(cast: Cast, n: int = 1, user=None) -> list[Notification]:
    made = []
    for i in range(n):
        made += notify(
            cast.family_a,
            [user or cast.alice],
            Kind.SWAP_REQUEST,
            link=f"/f/{cast.family_a.public_id}/swaps/",
            detail=Detail(f"Bob Parent asked for a swap number {i}", "Grandma's birthday"),
            actor=cast.bob,
        )
    return made


def queries(client: Client, path: str) -> int:
    caches["pages"].clear()  # counted as drawn afresh, not as kept (core/fragments.py)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_the_page_lists_newest_first_with_unread_marked(cast: Cast, client_for) -> None:
    tell(cast, 2)
    page = client_for(cast.alice).get("/notifications/").content.decode()
    assert page.index("swap number 1") < page.index("swap number 0")
    assert page.count('class="notification unread"') == 2
    assert "Family A" in page and "Mark all as read" in page
    assert '<span class="count-badge">2' in page
    assert "swap number" not in client_for(cast.bob).get("/notifications/").content.decode()


def test_page_and_header_queries_do_not_grow_with_history(cast: Cast, client_for) -> None:
    alice = client_for(cast.alice)
    tell(cast, 1)
    alice.get("/notifications/")  # the first request of a session also marks it seen
    few = queries(alice, "/notifications/")
    alice.get(f"/f/{cast.family_a.public_id}/")  # the first visit also remembers the family
    family_page = queries(alice, f"/f/{cast.family_a.public_id}/")
    tell(cast, 80)
    assert queries(alice, "/notifications/") == few
    assert queries(alice, "/notifications/?page=2") == few
    assert queries(alice, f"/f/{cast.family_a.public_id}/") == family_page
    assert few <= 12


def test_paging(cast: Cast, client_for) -> None:
    tell(cast, 35)
    alice = client_for(cast.alice)
    first = alice.get("/notifications/").content.decode()
    assert "swap number 34" in first and "swap number 4<" not in first and "?page=2" in first
    second = alice.get("/notifications/?page=2").content.decode()
    assert "swap number 0" in second and "?page=1" in second
    for odd in ("²", "٣", "9" * 30, "-1", "x"):
        assert alice.get("/notifications/", {"page": odd}).status_code == 200


def test_opening_marks_read_and_goes_where_it_is_answered(cast: Cast, client_for) -> None:
    (note,) = tell(cast)
    alice = client_for(cast.alice)
    response = alice.post(f"/notifications/{note.public_id}/open/")
    assert response.status_code == 302 and response["Location"] == note.link
    note.refresh_from_db()
    assert note.read_at is not None
    assert "count-badge" not in alice.get("/notifications/").content.decode()


def test_mark_all_read(cast: Cast, client_for) -> None:
    tell(cast, 3)
    tell(cast, 1, user=cast.gran)
    client_for(cast.alice).post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=cast.alice, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=cast.gran, read_at__isnull=True).count() == 1


def test_someone_elses_notification_is_404(cast: Cast, client_for) -> None:
    (note,) = tell(cast)
    for who in (cast.bob, cast.charlie):
        client = client_for(who)
        assert client.post(f"/notifications/{note.public_id}/open/").status_code == 404
        api = client.post(f"/api/v1/notifications/{note.public_id}/read")
        assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    assert client_for(cast.alice).post("/notifications/not-a-uuid/open/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_writes_need_the_csrf_token(cast: Cast) -> None:
    (note,) = tell(cast)
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.alice)
    assert client.post(f"/notifications/{note.public_id}/open/").status_code == 403
    assert client.post("/notifications/read-all/").status_code == 403
    assert client.post("/account/notifications/", {"digest_hour": "9"}).status_code == 403
    api = client.put("/api/v1/notifications/settings", data="{}", content_type="application/json")
    assert api.status_code == 403 and api.json()["error"]["code"] == "csrf_failed"
    note.refresh_from_db()
    assert note.read_at is None and not NotificationSettings.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(cast: Cast) -> None:
    response = Client().get("/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def settings_form(**changes: str) -> dict[str, str]:
    form = {f"channel_{kind.value}": Channel.APP.value for kind in Kind}
    form.update({"quiet_start": "", "quiet_end": "", "digest_hour": "18"})
    form.update(changes)
    return form


def test_the_settings_page_saves_every_choice(cast: Cast, client_for) -> None:
    alice = client_for(cast.alice)
    page = alice.get("/account/notifications/").content.decode()
    assert "Email right away" in page and "Push notification" in page
    assert "Put names and what was said in emails" in page and "America/Chicago" in page
    response = alice.post(
        "/account/notifications/",
        settings_form(
            channel_message="digest",
            quiet_start="22:00",
            quiet_end="07:00",
            include_details="on",
            digest_hour="7",
        ),
    )
    assert response.status_code == 302
    found = NotificationSettings.objects.get(user=cast.alice)
    assert (found.quiet_start.hour, found.quiet_end.hour, found.digest_hour) == (22, 7, 7)
    assert found.include_details
    assert ChannelPreference.objects.get(user=cast.alice, kind="message").channel == "digest"


def test_the_settings_page_explains_what_it_refuses(cast: Cast, client_for) -> None:
    alice = client_for(cast.alice)
    page = alice.post("/account/notifications/", settings_form(quiet_start="22:00"))
    assert page.status_code == 200
    assert "Give both the start and the end of your quiet hours" in page.content.decode()
    page = alice.post("/account/notifications/", settings_form(channel_message="pigeon"))
    assert "Select a valid choice" in page.content.decode()
    assert not NotificationSettings.objects.exists()


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    field=st.sampled_from(["quiet_start", "quiet_end", "digest_hour", "channel_message"]),
    value=st.one_of(
        # A form body is UTF-8: lone surrogates cannot be sent in one (the API tests them).
        st.sampled_from(["25:00", "x\x00y", "-1", "24", "9" * 30, "99:99", "x" * 5000]),
        st.text(st.characters(exclude_categories=["Cs"]), max_size=40).filter(
            lambda t: not any(c.isdigit() for c in t)
        ),
    ),
)
def test_hostile_settings_form_values_change_nothing(
    cast: Cast, client_for, field: str, value: str
) -> None:
    if field == "channel_message" and value in Channel.values:
        return
    form = settings_form(quiet_start="21:00", quiet_end="06:00")
    form[field] = value
    response = client_for(cast.alice).post("/account/notifications/", form)
    assert response.status_code == 200, (field, value)
    assert not NotificationSettings.objects.filter(user=cast.alice).exists()


# ---- the API ----------------------------------------------------------------------------------


def test_api_lists_marks_read_and_reads_all(cast: Cast, client_for) -> None:
    notes = tell(cast, 3)
    alice = client_for(cast.alice)
    body = alice.get("/api/v1/notifications").json()
    assert body["unread"] == 3 and body["page"] == 1 and not body["has_next"]
    assert [i["id"] for i in body["items"]] == [str(n.public_id) for n in reversed(notes)]
    assert body["items"][0]["title"] == "You have a new request in coparent"
    assert body["items"][0]["family_id"] == str(cast.family_a.public_id)
    read = alice.post(f"/api/v1/notifications/{notes[0].public_id}/read").json()
    assert read["read_at"] is not None
    assert alice.post("/api/v1/notifications/read-all").json() == {"marked": 2}
    assert alice.get("/api/v1/notifications").json()["unread"] == 0
    assert alice.get("/api/v1/notifications?page=0").status_code == 422


def test_api_settings_round_trip(cast: Cast, client_for) -> None:
    alice = client_for(cast.alice)
    before = alice.get("/api/v1/notifications/settings").json()
    assert before["channels"]["message"] == "email" and before["include_details"] is False
    changed = alice.put(
        "/api/v1/notifications/settings",
        data=json.dumps(
            {
                "channels": {"message": "push", "sign_in": "digest"},
                "quiet_start": "22:30",
                "quiet_end": "06:45",
                "include_details": True,
                "digest_hour": 20,
            }
        ),
        content_type="application/json",
    ).json()
    assert changed["channels"]["message"] == "push" and changed["channels"]["sign_in"] == "digest"
    assert changed["channels"]["swap_request"] == "email", "left out: unchanged"
    assert (changed["quiet_start"], changed["quiet_end"]) == ("22:30", "06:45")
    assert changed["include_details"] is True and changed["digest_hour"] == 20


@settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    body=st.fixed_dictionaries(
        {},
        optional={
            "channels": st.one_of(
                st.dictionaries(st.text(max_size=12), st.text(max_size=12), max_size=3),
                st.just({"message": "pigeon"}),
                st.just({"\x00": "app"}),
                st.integers(),
            ),
            "quiet_start": st.sampled_from(["24:00", "7:00", "x\x00", "\ud800", "07:00:00", 7]),
            "digest_hour": st.sampled_from([24, -1, 2**70, "7", True, 1.5, None]),
            "include_details": st.sampled_from(["yes", 2, [], None]),
        },
    ).filter(bool)
)
def test_hostile_api_settings_are_4xx_in_the_error_shape(
    cast: Cast, client_for, body: dict
) -> None:
    channels = body.get("channels")
    if (
        isinstance(channels, dict)
        and all(k in Kind.values and v in Channel.values for k, v in channels.items())
        and set(body) == {"channels"}
    ):
        return
    response = client_for(cast.alice).put(
        "/api/v1/notifications/settings",
        data=json.dumps(body),
        content_type="application/json",
    )
    assert 400 <= response.status_code < 500, (body, response.content)
    error = response.json()["error"]
    assert error["code"] and error["message"]
    assert not NotificationSettings.objects.filter(user=cast.alice).exists()
    assert not ChannelPreference.objects.filter(user=cast.alice).exists()


def test_api_huge_body_is_refused(cast: Cast, client_for) -> None:
    response = client_for(cast.alice).put(
        "/api/v1/notifications/settings",
        data=json.dumps({"quiet_start": "x" * 5_000_000}),
        content_type="application/json",
    )
    assert response.status_code in (400, 413, 422)
    assert response.json()["error"]["code"]


def test_told_helper_sees_only_the_person(cast: Cast) -> None:
    tell(cast)
    assert len(told(cast.alice)) == 1 and told(cast.bob) == []
