"""The workspace over the API: with the test client (CSRF enforced) and over real HTTP with a
personal token, as a professional's script would."""

from __future__ import annotations

import pytest

from coparent.accounts.models import ApiToken
from coparent.accounts.services import api_token_create
from coparent.families.models import AccessRequest
from tests.cast import Cast
from tests.test_api_live import Script


def test_the_workspace_api_lists_access_and_takes_a_request(cast: Cast, client_for) -> None:
    client = client_for(cast.mediator)
    body = client.get("/api/v1/workspace").json()
    assert [f["family_name"] for f in body["families"]] == ["Family A"]
    assert body["families"][0]["access_until"] and body["requests"] == []
    response = client.post(
        "/api/v1/workspace/access-requests",
        {"email": "charlie@example.test", "professional_kind": "attorney", "access_days": 14},
        content_type="application/json",
    )
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    bad = client.post(
        "/api/v1/workspace/access-requests",
        {"email": "x\u0000y", "professional_kind": "judge", "access_days": 0},
        content_type="application/json",
    )
    assert bad.status_code == 422 or bad.status_code == 400
    assert set(bad.json()["error"]) >= {"code", "message", "fields"}
    assert AccessRequest.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_script_asks_for_access_with_its_token(live_server) -> None:
    from tests.cast import build_cast

    cast = build_cast()
    _token, secret = api_token_create(
        user=cast.mediator, name="case tool", scope=ApiToken.READ_WRITE
    )
    _token, read_only = api_token_create(user=cast.mediator, name="reader", scope=ApiToken.READ)
    script = Script(live_server.url, secret)
    status, body, _ = script.call("GET", "/api/v1/workspace")
    assert status == 200 and body["families"][0]["family_name"] == "Family A"
    status, body, _ = script.call(
        "POST",
        "/api/v1/workspace/access-requests",
        {"email": "charlie@example.test", "professional_kind": "mediator", "note": "Case 7"},
    )
    assert status == 202 and body["access_days"] == 90
    status, body, _ = Script(live_server.url, read_only).call(
        "POST",
        "/api/v1/workspace/access-requests",
        {"email": "charlie@example.test", "professional_kind": "mediator"},
    )
    assert status == 403 and body["error"]["code"] == "forbidden"
