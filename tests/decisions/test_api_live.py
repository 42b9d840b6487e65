"""Decisions over real HTTP with personal tokens, as the outside check does it: one parent
proposes, the other counters, the first accepts; the caregiver finds no unshared agreement."""

from __future__ import annotations

import pytest

from coparent.accounts.models import ApiToken
from coparent.accounts.services import api_token_create
from tests.cast import Cast
from tests.test_api_live import Script

pytestmark = pytest.mark.django_db(transaction=True)


def script(live_server, user, scope=ApiToken.READ_WRITE) -> Script:
    _token, secret = api_token_create(user=user, name="script", scope=scope)
    return Script(live_server.url, secret)


def test_propose_counter_accept_and_the_caregiver_sees_nothing_unshared(
    live_server, cast: Cast
) -> None:
    alice, bob = script(live_server, cast.alice), script(live_server, cast.bob)
    gran = script(live_server, cast.gran)
    base = f"/api/v1/families/{cast.family_a.public_id}"
    status, created, _ = alice.call(
        "POST",
        base + "/decisions",
        {
            "title": "Kit's first phone at 12",
            "category": "other",
            "respond_by": "2026-06-30T12:00:00+02:00",
        },
    )
    assert status == 201, created
    decision = f"{base}/decisions/{created['id']}"
    status, countered, _ = bob.call(
        "POST", decision + "/counter", {"title": "At 13", "respond_by": "2026-06-25T12:00:00Z"}
    )
    assert status == 201 and countered["current"]["version"] == 2
    status, accepted, _ = alice.call("POST", decision + "/accept", {})
    assert status == 200 and accepted["agreement"]["outcome"] == "At 13"
    status, seen, _ = gran.call("GET", base + "/agreements")
    assert (status, seen) == (200, [])
    status, error, _ = gran.call("GET", decision)
    assert status == 404 and error["error"]["code"] == "not_found"
