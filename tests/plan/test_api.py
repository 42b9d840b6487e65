"""The plan's API: read the provisions, propose, answer through the decisions machinery, and
time-away offers."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from coparent.decisions.models import Agreement
from coparent.records.models import LogEntry
from tests.cast import Cast
from tests.exchanges.helpers import daily_exchanges
from tests.plan.helpers import TERMS, agree, away_during_own_time


def url(cast: Cast, rest: str = "") -> str:
    return f"/api/v1/families/{cast.family_a.public_id}/plan{rest}"


def respond_by() -> str:
    return (timezone.now() + dt.timedelta(days=5)).isoformat()


def post(client, path: str, body: dict | None = None):
    return client.post(path, body or {}, content_type="application/json")


def test_propose_counter_accept_and_read_the_plan(cast: Cast, client_for) -> None:
    alice, bob = client_for(cast.alice), client_for(cast.bob)
    response = post(
        alice,
        url(cast, "/provisions/calls"),
        {"terms": TERMS["calls"], "respond_by": respond_by(), "details": "Evenings"},
    )
    assert response.status_code == 201, response.json()
    pending = response.json()["pending"]
    assert pending["terms"]["windows"][0]["start"] == "18:30"
    counter = post(
        bob,
        url(cast, f"/proposals/{pending['id']}/counter"),
        {"terms": dict(TERMS["calls"], timezone="America/New_York"), "respond_by": respond_by()},
    )
    assert counter.status_code == 201
    second = counter.json()["pending"]
    assert second["version"] == 2
    assert post(bob, url(cast, f"/proposals/{second['id']}/accept")).status_code in (403, 409)
    accepted = post(alice, url(cast, f"/proposals/{second['id']}/accept"))
    assert accepted.status_code == 200
    body = accepted.json()
    assert body["in_force"]["terms"]["timezone"] == "America/New_York"
    assert body["in_force"]["accepted_by"] == "Alice Parent"
    assert [p["status"] for p in body["history"]] == ["countered", "accepted"]
    plan = alice.get(url(cast)).json()
    assert plan[0]["kind"] == "first_refusal" and len(plan) == 7


def test_bad_terms_and_declines_without_a_reason_are_refused(cast: Cast, client_for) -> None:
    alice, bob = client_for(cast.alice), client_for(cast.bob)
    before = LogEntry.objects.count()
    for terms in ({"hours": 0}, {"hours": 8, "what": 1}, [], {"hours": "x\x00"}):
        response = post(
            alice,
            url(cast, "/provisions/first_refusal"),
            {"terms": terms, "respond_by": respond_by()},
        )
        assert response.status_code in (400, 422), response.json()
        assert "error" in response.json()
    assert (
        post(
            alice, url(cast, "/provisions/nonsense"), {"terms": {}, "respond_by": respond_by()}
        ).status_code
        == 404
    )
    assert LogEntry.objects.count() == before
    created = post(
        alice,
        url(cast, "/provisions/relocation"),
        {"terms": {"notice_days": 30}, "respond_by": respond_by()},
    ).json()
    proposal = created["pending"]["id"]
    assert post(bob, url(cast, f"/proposals/{proposal}/decline"), {"reason": " "}).status_code in (
        400,
        422,
    )
    declined = post(bob, url(cast, f"/proposals/{proposal}/decline"), {"reason": "Too short"})
    assert declined.status_code == 200 and declined.json()["in_force"] is None


def test_caregivers_read_only_shared_provisions_and_professionals_cannot_write(
    cast: Cast, client_for
) -> None:
    shared = agree(cast, "online", TERMS["online"])
    agree(cast, "relocation", TERMS["relocation"])
    Agreement.objects.filter(pk=shared.pk).update(shared_with_caregivers=True)
    plan = {p["kind"]: p for p in client_for(cast.gran).get(url(cast)).json()}
    assert plan["online"]["in_force"] is not None and plan["relocation"]["in_force"] is None
    assert plan["relocation"]["history"] == [] and plan["online"]["history"] == []
    mediator = client_for(cast.mediator)
    assert mediator.get(url(cast)).status_code == 200
    response = post(
        mediator,
        url(cast, "/provisions/relocation"),
        {"terms": {"notice_days": 30}, "respond_by": respond_by()},
    )
    assert response.status_code == 403
    gran = client_for(cast.gran)
    assert gran.get(url(cast, "/time-away")).status_code == 404


def test_time_away_offer_and_answer(cast: Cast, client_for) -> None:
    plan = daily_exchanges(cast)
    agree(cast, "first_refusal", {"hours": 4})
    alice, bob = client_for(cast.alice), client_for(cast.bob)
    away = away_during_own_time(cast, plan, hours=6)
    start = away.ends_at + dt.timedelta(days=2)
    response = post(
        alice,
        url(cast, "/time-away"),
        {
            "plan": str(plan.public_id),
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
        },
    )
    assert response.status_code == 400  # not more than the 4 hours: no offer
    taken = post(bob, url(cast, f"/time-away/{away.public_id}/accept"), {"response": "Yes"})
    assert taken.status_code == 200 and taken.json()["status"] == "accepted"
    assert taken.json()["swap"] is not None
    listed = alice.get(url(cast, "/time-away")).json()
    assert [a["id"] for a in listed] == [str(away.public_id)]
    again = post(bob, url(cast, f"/time-away/{away.public_id}/decline"))
    assert again.status_code == 409
