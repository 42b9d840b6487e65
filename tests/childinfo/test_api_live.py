"""A child's information over real HTTP, as scripts use it: personal tokens, JSON, no cookies."""

from __future__ import annotations

import pytest

from coparent.accounts.models import ApiToken
from coparent.accounts.services import api_token_create
from tests.cast import Cast
from tests.test_api_live import Script

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_script_writes_and_each_role_reads_what_it_may(live_server, cast: Cast) -> None:
    def script(user, scope: str) -> Script:
        _token, secret = api_token_create(user=user, name="script", scope=scope)
        return Script(live_server.url, secret)

    alice = script(cast.alice, ApiToken.READ_WRITE)
    bob = script(cast.bob, ApiToken.READ)
    gran = script(cast.gran, ApiToken.READ)
    mediator = script(cast.mediator, ApiToken.READ)
    base = f"/api/v1/families/{cast.family_a.public_id}/children/{cast.kit.public_id}/info"

    status, item, _ = alice.call(
        "POST",
        base,
        {
            "kind": "insurance",
            "values": {"insurer": "Acme Health", "policy_number": "POL-LIVE-1"},
            "visibility": "family",
        },
    )
    assert status == 201, item
    assert item["values"]["policy_number"] == "POL-LIVE-1"
    status, allergy, _ = alice.call(
        "POST", base, {"kind": "allergy", "values": {"allergen": "Wasps", "severity": "severe"}}
    )
    assert status == 201 and allergy["visibility"] == "caregivers"

    status, answer, _ = gran.call("GET", base)
    assert status == 200
    assert {i["title"] for i in answer["items"]} == {"Acme Health", "Wasps"}
    assert "POL-LIVE-1" not in str(answer)
    status, answer, _ = mediator.call("GET", base)
    assert [i["title"] for i in answer["items"]] == ["Acme Health"]
    assert "POL-LIVE-1" not in str(answer)

    status, refused, _ = bob.call("DELETE", f"{base}/{item['id']}")
    assert status == 403 and refused["error"]["code"]
    status, _none, _ = alice.call("DELETE", f"{base}/{item['id']}")
    assert status == 204
