"""The decisions API: the same flow as the pages, errors in the one shape, caregivers reading
only shared agreements."""

from __future__ import annotations

import pytest

from coparent.records.models import LogEntry
from tests.cast import Cast
from tests.decisions.helpers import agreed

pytestmark = pytest.mark.django_db


def url(cast: Cast, rest: str = "") -> str:
    return f"/api/v1/families/{cast.family_a.public_id}/{rest}"


def post(client, path: str, body: dict):
    return client.post(path, body, content_type="application/json")


def test_propose_counter_accept_and_comment_over_the_api(cast: Cast, client_for) -> None:
    alice, bob = client_for(cast.alice), client_for(cast.bob)
    created = post(
        alice,
        url(cast, "decisions"),
        {
            "title": "Kit may post makeup videos",
            "category": "online",
            "children": [str(cast.kit.public_id)],
            "answer_kind": "yes_no",
            "respond_by": "2026-06-24T18:00:00Z",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    decision_url = url(cast, f"decisions/{body['id']}")
    assert body["status"] == "open" and body["current"]["version"] == 1
    assert body["children"] == [str(cast.kit.public_id)]

    refused = post(alice, decision_url + "/accept", {})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"

    countered = post(
        bob,
        decision_url + "/counter",
        {"title": "Private account, no face", "respond_by": "2026-06-20T12:00:00Z"},
    )
    assert countered.status_code == 201
    versions = countered.json()["versions"]
    assert [v["status"] for v in versions] == ["countered", "pending"]
    assert versions[1]["counter_of"] == versions[0]["id"]

    comment = post(bob, decision_url + "/comments", {"body": "Happy to talk it over"})
    assert comment.status_code == 201 and comment.json()["version"] == 2

    accepted = post(alice, decision_url + "/accept", {})
    assert accepted.status_code == 200
    agreement = accepted.json()["agreement"]
    assert agreement["basis"] == "agreed"
    assert (agreement["proposed_by"], agreement["accepted_by"]) == ("Bob Parent", "Alice Parent")
    assert agreement["accepted_at"] and agreement["proposed_at"]

    again = post(alice, decision_url + "/accept", {})
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"

    listed = alice.get(url(cast, "decisions?status=agreed")).json()
    assert [d["id"] for d in listed] == [body["id"]]
    assert alice.get(url(cast, "decisions?status=open")).json() == []
    one = alice.get(decision_url).json()
    assert [c["body"] for c in one["comments"]] == ["Happy to talk it over"]


def test_decline_needs_a_reason(cast: Cast, client_for) -> None:
    alice, bob = client_for(cast.alice), client_for(cast.bob)
    created = post(
        alice,
        url(cast, "decisions"),
        {
            "title": "Move to Leeds",
            "category": "relocation",
            "respond_by": "2026-07-01T12:00:00Z",
            "on_no_answer": "court_default",
            "default_outcome": "Nobody moves",
            "default_source": "Order of 3 March 2025",
        },
    ).json()
    decision_url = url(cast, f"decisions/{created['id']}")
    missing = post(bob, decision_url + "/decline", {"reason": ""})
    assert missing.status_code == 422 and "reason" in missing.json()["error"]["fields"]
    done = post(bob, decision_url + "/decline", {"reason": "Kit's school is here"})
    assert done.status_code == 200 and done.json()["status"] == "declined"
    assert done.json()["current"]["reason"] == "Kit's school is here"


def test_court_default_needs_its_outcome_and_source(cast: Cast, client_for) -> None:
    size = LogEntry.objects.count()
    response = post(
        client_for(cast.alice),
        url(cast, "decisions"),
        {
            "title": "Swim team",
            "category": "activities",
            "respond_by": "2026-07-01T12:00:00Z",
            "on_no_answer": "court_default",
        },
    )
    assert response.status_code == 400  # a rule of the service, not the schema
    assert "default_outcome" in response.json()["error"]["fields"]
    assert LogEntry.objects.count() == size


def test_caregivers_read_shared_agreements_only_and_no_decisions(cast: Cast, client_for) -> None:
    shared = agreed(cast, title="Screen time rule")
    agreed(cast, title="Relocation dispute", category="relocation")
    alice, gran = client_for(cast.alice), client_for(cast.gran)
    assert gran.get(url(cast, "agreements")).json() == []
    shared_url = url(cast, f"agreements/{shared.public_id}/share")
    assert post(gran, shared_url, {"caregivers": True, "children": False}).status_code == 404
    response = post(alice, shared_url, {"caregivers": True, "children": False})
    assert response.status_code == 200 and response.json()["shared_with_caregivers"] is True
    assert [a["title"] for a in gran.get(url(cast, "agreements")).json()] == ["Screen time rule"]
    assert gran.get(url(cast, "decisions")).status_code == 404
    assert gran.get(url(cast, f"decisions/{shared.decision.public_id}")).status_code == 404
    mediator = client_for(cast.mediator)
    assert len(mediator.get(url(cast, "agreements")).json()) == 2
    assert post(mediator, shared_url, {"caregivers": False, "children": False}).status_code == 403
