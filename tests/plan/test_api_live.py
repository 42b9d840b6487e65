"""The plan's main operations over real HTTP with personal tokens, as a parent's script uses
them: no cookies, no CSRF token."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from coparent.accounts.models import ApiToken
from coparent.accounts.services import api_token_create
from tests.cast import Cast
from tests.test_api_live import Script

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_script_proposes_a_provision_and_the_other_parent_accepts(
    live_server, cast: Cast
) -> None:
    _token, alice_secret = api_token_create(user=cast.alice, name="plan", scope=ApiToken.READ_WRITE)
    _token, bob_secret = api_token_create(user=cast.bob, name="plan", scope=ApiToken.READ_WRITE)
    _token, reader_secret = api_token_create(user=cast.bob, name="read", scope=ApiToken.READ)
    alice = Script(live_server.url, alice_secret)
    bob = Script(live_server.url, bob_secret)
    reader = Script(live_server.url, reader_secret)
    base = f"/api/v1/families/{cast.family_a.public_id}/plan"
    respond_by = (timezone.now() + dt.timedelta(days=3)).isoformat()
    status, body, _headers = alice.call(
        "POST",
        f"{base}/provisions/travel",
        {"terms": {"notice_days": 21, "international_itinerary": True}, "respond_by": respond_by},
    )
    assert status == 201, body
    proposal = body["pending"]["id"]
    status, body, _headers = reader.call("POST", f"{base}/proposals/{proposal}/accept")
    assert status == 403
    status, body, _headers = bob.call("POST", f"{base}/proposals/{proposal}/accept")
    assert status == 200, body
    assert body["in_force"]["terms"]["notice_days"] == 21
    status, body, _headers = reader.call("GET", base)
    assert status == 200
    travel = next(p for p in body if p["kind"] == "travel")
    assert travel["in_force"]["accepted_by"] == "Bob Parent"
