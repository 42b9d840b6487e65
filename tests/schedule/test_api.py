"""The schedule API: versions, timelines, previews, exchanges, events, swaps, the report and feed
links; read-only members get 403 on writes and bad input a clear error that changes nothing."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from coparent.schedule import services
from coparent.schedule.models import Event, ScheduleVersion, SwapRequest, SwapStatus, VersionStatus
from tests.cast import Cast
from tests.schedule.helpers import agreed, soon, swap, two_two_three


def base(cast: Cast) -> str:
    return f"/api/v1/families/{cast.family_a.public_id}"


def post(client: Client, path: str, body: dict | None = None):
    return client.post(path, body or {}, content_type="application/json")


def test_propose_then_accept_through_the_api(cast: Cast, client_for) -> None:
    alice, bob = client_for(cast.alice), client_for(cast.bob)
    response = post(alice, f"{base(cast)}/schedule/versions", {"spec": two_two_three()})
    assert response.status_code == 201, response.content
    version_id = response.json()["id"]
    assert response.json()["status"] == "proposed"
    assert post(alice, f"{base(cast)}/schedule/versions/{version_id}/accept").status_code == 400
    accepted = post(bob, f"{base(cast)}/schedule/versions/{version_id}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    again = post(bob, f"{base(cast)}/schedule/versions/{version_id}/accept")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    plans = alice.get(f"{base(cast)}/schedule/plans").json()
    assert plans[0]["parents"] == {"A": "Alice Parent", "B": "Bob Parent"}
    assert plans[0]["current"]["versions"][0]["spec"]["rotation"]["template"] == "2-2-3"
    one = client_for(cast.gran).get(f"{base(cast)}/schedule/plans/{plans[0]['id']}").json()
    assert one["current"] == plans[0]["current"] and one["children"] == ["Kit"]
    versions = alice.get(f"{base(cast)}/schedule/versions").json()
    assert [v["status"] for v in versions] == ["accepted"]


def test_a_bad_spec_gets_the_engines_message_and_nothing_is_saved(cast: Cast, client_for) -> None:
    spec = two_two_three(timezone="Mars/Olympus")
    response = post(client_for(cast.alice), f"{base(cast)}/schedule/versions", {"spec": spec})
    assert response.status_code == 400
    error = response.json()["error"]
    assert "Mars/Olympus" in error["message"] and "spec" in error["fields"]
    assert not ScheduleVersion.objects.exists()
    missing = post(client_for(cast.alice), f"{base(cast)}/schedule/versions", {})
    assert missing.status_code == 400


def test_decline_and_withdraw_through_the_api(cast: Cast, client_for) -> None:
    alice, bob = client_for(cast.alice), client_for(cast.bob)
    first = post(alice, f"{base(cast)}/schedule/versions", {"spec": two_two_three()}).json()["id"]
    declined = post(bob, f"{base(cast)}/schedule/versions/{first}/decline", {"note": "Not yet"})
    assert declined.json()["status"] == "declined"
    second = post(alice, f"{base(cast)}/schedule/versions", {"spec": two_two_three()}).json()["id"]
    assert post(alice, f"{base(cast)}/schedule/versions/{second}/withdraw").json()["status"] == (
        "withdrawn"
    )


def test_timeline_preview_and_exchanges(cast: Cast, client_for) -> None:
    agreed(cast)
    gran = client_for(cast.gran)
    timeline = gran.get(
        f"{base(cast)}/schedule/timeline?date_from=2027-01-04&date_to=2027-01-18"
    ).json()
    [plan] = timeline["plans"]
    assert sum(p["overnights"] for p in plan["summary"].values()) == 14
    assert {s["source"] for s in plan["segments"]} == {"rotation"}
    exchanges = gran.get(
        f"{base(cast)}/schedule/exchanges?date_from=2027-01-04&date_to=2027-01-18"
    ).json()
    assert exchanges and {e["from_name"] for e in exchanges} == {"Alice Parent", "Bob Parent"}
    preview = post(
        client_for(cast.alice),
        f"{base(cast)}/schedule/preview",
        {"spec": two_two_three(), "date_from": "2027-01-01", "date_to": "2028-01-01"},
    )
    assert preview.status_code == 200
    assert sum(p["overnights"] for p in preview.json()["summary"].values()) == 365
    assert ScheduleVersion.objects.count() == 1
    too_long = gran.get(f"{base(cast)}/schedule/timeline?date_from=2020-01-01&date_to=2030-01-01")
    assert too_long.status_code == 400


def test_events_crud_through_the_api(cast: Cast, client_for) -> None:
    alice = client_for(cast.alice)
    body = {
        "title": "Football",
        "kind": "activity",
        "starts_at": soon(2).isoformat(),
        "child_ids": [str(cast.kit.public_id)],
    }
    created = post(alice, f"{base(cast)}/events", body)
    assert created.status_code == 201, created.content
    event_id = created.json()["id"]
    assert created.json()["child_ids"] == [str(cast.kit.public_id)]
    gran = client_for(cast.gran)
    assert gran.get(f"{base(cast)}/events/{event_id}").json()["title"] == "Football"
    assert post(gran, f"{base(cast)}/events", body).status_code == 403
    changed = alice.put(
        f"{base(cast)}/events/{event_id}",
        {**body, "title": "Football final"},
        content_type="application/json",
    )
    assert changed.json()["title"] == "Football final"
    bad = alice.put(
        f"{base(cast)}/events/{event_id}",
        {**body, "ends_at": soon(1).isoformat()},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "ends_at" in bad.json()["error"]["fields"]
    assert Event.objects.get().title == "Football final"
    assert alice.delete(f"{base(cast)}/events/{event_id}").status_code == 204
    assert not Event.objects.exists()


def test_swaps_through_the_api(cast: Cast, client_for) -> None:
    agreed(cast)
    alice, bob = client_for(cast.alice), client_for(cast.bob)
    body = {
        "start_at": soon(10).isoformat(),
        "end_at": soon(12).isoformat(),
        "respond_by": soon(7).isoformat(),
        "reason": "Trip",
    }
    created = post(alice, f"{base(cast)}/swaps", body)
    assert created.status_code == 201, created.content
    swap_id = created.json()["id"]
    counter = post(
        bob,
        f"{base(cast)}/swaps/{swap_id}/counter",
        {**body, "start_at": soon(11).isoformat()},
    )
    assert counter.status_code == 201 and counter.json()["counter_of"] == swap_id
    assert bob.get(f"{base(cast)}/swaps/{swap_id}").json()["status"] == "countered"
    accepted = post(alice, f"{base(cast)}/swaps/{counter.json()['id']}/accept", {"response": "OK"})
    assert (
        accepted.json()["status"] == "accepted" and accepted.json()["decided_by"] == "Alice Parent"
    )
    late = post(alice, f"{base(cast)}/swaps/{counter.json()['id']}/withdraw")
    assert late.status_code == 409
    bad = post(alice, f"{base(cast)}/swaps", {**body, "respond_by": soon(20).isoformat()})
    assert bad.status_code == 400 and "respond_by" in bad.json()["error"]["fields"]
    assert SwapRequest.objects.count() == 2
    listed = client_for(cast.mediator).get(f"{base(cast)}/swaps").json()
    assert {s["status"] for s in listed} == {SwapStatus.COUNTERED, SwapStatus.ACCEPTED}


def test_the_report_as_json(cast: Cast, client_for) -> None:
    agreed(cast)
    report = client_for(cast.mediator).get(
        f"{base(cast)}/schedule/report?date_from=2027-01-01&date_to=2028-01-01&rule=arizona"
    )
    assert report.status_code == 200
    [plan] = report.json()["plans"]
    assert plan["nights"] == 365 and plan["children"] == ["Kit"]
    assert {p["name"] for p in plan["parents"]} == {"Alice Parent", "Bob Parent"}
    assert plan["parents"][0]["thresholds"][-1] == {
        "threshold": "183 overnights (50%)",
        "scaled": 183.0,
        "reached": plan["parents"][0]["overnights"] >= 183,
    }
    assert client_for(cast.gran).get(f"{base(cast)}/schedule/report").status_code == 404


def test_read_only_members_get_403_on_every_schedule_write(cast: Cast, client_for) -> None:
    version = agreed(cast)
    mediator = client_for(cast.mediator)
    for path, body in [
        ("/schedule/versions", {"spec": two_two_three()}),
        (f"/schedule/versions/{version.public_id}/accept", {}),
        ("/events", {"title": "x", "starts_at": soon(1).isoformat()}),
        ("/calendar-feed", {}),
    ]:
        assert post(mediator, base(cast) + path, body).status_code == 403, path
    assert ScheduleVersion.objects.filter(status=VersionStatus.ACCEPTED).count() == 1


def test_feed_links_through_the_api(cast: Cast, client_for) -> None:
    gran = client_for(cast.gran)
    created = post(gran, f"{base(cast)}/calendar-feed")
    assert created.status_code == 201
    url = created.json()["url"]
    assert created.json()["webcal_url"] == url.replace("http://", "webcal://", 1)
    path = url.removeprefix("http://testserver")
    assert Client().get(path).status_code == 200
    assert gran.delete(f"{base(cast)}/calendar-feed").status_code == 204
    assert Client().get(path).status_code == 404


def test_window_defaults_work_without_query_parameters(cast: Cast, client_for) -> None:
    agreed(cast)
    alice = client_for(cast.alice)
    assert alice.get(f"{base(cast)}/schedule/timeline").status_code == 200
    assert alice.get(f"{base(cast)}/schedule/exchanges").status_code == 200
    assert alice.get(f"{base(cast)}/events").status_code == 200


def test_swaps_are_listed_newest_first_a_page_at_a_time(cast: Cast, client_for) -> None:
    version = agreed(cast)
    made = [swap(cast, version, days=10 + 5 * n) for n in range(5)]
    services.swap_decline(family=cast.family_a, actor=cast.bob, swap=made[0])
    # Asked at different times, not in the order the rows were made: newest by when asked.
    asked = timezone.now() - dt.timedelta(days=1)
    for hours, n in enumerate((4, 1, 3, 0, 2)):
        SwapRequest.objects.filter(pk=made[n].pk).update(
            requested_at=asked + dt.timedelta(hours=hours)
        )
    bob = client_for(cast.bob)
    listed = bob.get(f"{base(cast)}/swaps?limit=2").json()
    assert [s["id"] for s in listed] == [str(made[2].public_id), str(made[0].public_id)]
    rest = bob.get(f"{base(cast)}/swaps?limit=2&offset=2").json()
    assert [s["id"] for s in rest] == [str(made[3].public_id), str(made[1].public_id)]
    declined = bob.get(f"{base(cast)}/swaps?status=declined").json()
    assert [s["id"] for s in declined] == [str(made[0].public_id)]
    for bad in ("limit=0", "limit=501", "offset=-1", "status=lost", "limit=1e3"):
        answer = bob.get(f"{base(cast)}/swaps?{bad}")
        assert answer.status_code == 422, bad
        assert answer.json()["error"]["fields"], bad
