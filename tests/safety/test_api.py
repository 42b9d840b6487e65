"""Protective-order mode through the API, as a script would drive it (CSRF enforced)."""

from __future__ import annotations

import pytest

from coparent.messaging.models import Message
from coparent.records.models import LogEntry
from coparent.safety.models import HeldMessage
from tests.cast import Cast
from tests.messaging.helpers import open_thread
from tests.safety.helpers import moderator

pytestmark = pytest.mark.django_db


def api(cast: Cast, path: str) -> str:
    return f"/api/v1/families/{cast.family_a.public_id}/{path}"


def post(client, path: str, body: dict | None = None):
    return client.post(path, body or {}, content_type="application/json")


def test_the_whole_flow_through_the_api(cast: Cast, client_for) -> None:
    thread = open_thread(cast)
    mod = moderator(cast)
    alice, bob, modc = client_for(cast.alice), client_for(cast.bob), client_for(mod.user)

    assert alice.get(api(cast, "protection")).json()["protected"] is False
    turned = post(
        alice, api(cast, "protection"), {"reference": "PO-77", "moderator_id": str(mod.public_id)}
    )
    assert turned.status_code == 201
    assert turned.json()["protected"] and turned.json()["reference"] == "PO-77"
    seen_by_bob = bob.get(api(cast, "protection")).json()
    assert seen_by_bob["restricted"] and seen_by_bob["reference"] is None
    assert seen_by_bob["moderator"] == "Mod Erator"

    free = post(bob, api(cast, f"threads/{thread.public_id}/messages"), {"body": "Hi"})
    assert free.status_code == 400 and free.json()["error"]["code"] == "restricted"

    sent = post(
        bob,
        api(cast, f"threads/{thread.public_id}/structured"),
        {"topic": "ill", "child_id": str(cast.kit.public_id), "symptom": "fever"},
    )
    assert sent.status_code == 201 and sent.json()["body"] == "Kit is unwell with a fever."
    missing = post(bob, api(cast, f"threads/{thread.public_id}/structured"), {"topic": "late"})
    assert missing.status_code == 400 and "date" in missing.json()["error"]["fields"]

    held = post(bob, api(cast, f"threads/{thread.public_id}/held"), {"body": "Sunday at 5?"})
    assert held.status_code == 201 and held.json()["status"] == "pending"
    queue = modc.get(api(cast, "moderation")).json()
    assert [h["body"] for h in queue] == ["Sunday at 5?"]
    mediator = client_for(cast.mediator)
    assert (
        post(
            mediator, api(cast, f"moderation/{queue[0]['id']}"), {"decision": "approved"}
        ).status_code
        == 403
    )
    decided = post(modc, api(cast, f"moderation/{queue[0]['id']}"), {"decision": "approved"})
    assert decided.status_code == 200 and decided.json()["delivered_id"]
    assert Message.objects.filter(
        sender=cast.bob, body="Sunday at 5?", moderation="approved"
    ).exists()

    assert post(bob, api(cast, "protection/end")).status_code == 400, "not Bob's to end"
    ended = post(alice, api(cast, "protection/end"))
    assert ended.status_code == 200 and ended.json()["protected"] is False


@pytest.mark.parametrize(
    "body",
    [
        {"topic": "nonsense"},
        {"topic": "late", "date": "1899-01-01", "minutes": 5},
        {"topic": "late", "date": "2026-06-19", "minutes": 9999},
        {
            "topic": "medicine",
            "child_id": "00000000-0000-0000-0000-000000000000",
            "medicine": "x",
            "time": "10:00",
        },
        {"topic": "medicine", "medicine": "a\u0000b", "time": "10:00"},
        {"topic": "items", "date": "2026-06-19", "items": ["a bomb"]},
    ],
)
def test_bad_structured_input_is_a_clear_4xx_and_writes_nothing(
    cast: Cast, client_for, body
) -> None:
    thread = open_thread(cast)
    post(client_for(cast.alice), api(cast, "protection"), {"reference": "PO-77"})
    before = LogEntry.objects.filter(family=cast.family_a).count()
    response = post(client_for(cast.bob), api(cast, f"threads/{thread.public_id}/structured"), body)
    assert 400 <= response.status_code < 500 and "error" in response.json()
    assert LogEntry.objects.filter(family=cast.family_a).count() == before
    assert not HeldMessage.objects.exists()


def test_an_outsider_sees_nothing(cast: Cast, client_for) -> None:
    charlie = client_for(cast.charlie)
    assert charlie.get(api(cast, "protection")).status_code == 404
    assert post(charlie, api(cast, "protection"), {"reference": "X"}).status_code == 404


def test_a_form_time_is_hours_and_minutes(cast: Cast, client_for) -> None:
    thread = open_thread(cast)
    post(client_for(cast.alice), api(cast, "protection"), {"reference": "PO-77"})
    bob = client_for(cast.bob)
    url = api(cast, f"threads/{thread.public_id}/structured")
    body = {"topic": "medicine", "child_id": str(cast.kit.public_id), "medicine": "Calpol"}
    for bad in (0, "25:00", "00:00:00Z"):
        assert post(bob, url, {**body, "time": bad}).status_code == 422
    sent = post(bob, url, {**body, "time": "08:30"})
    assert sent.status_code == 201 and sent.json()["body"] == "Kit was given Calpol at 08:30."
