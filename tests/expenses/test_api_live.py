"""The expense API over real HTTP, as the issue's outside check drives it: two parents' scripts
with their tokens record an expense, answer it, pay, confirm and read the balance."""

from __future__ import annotations

import pytest

from coparent.accounts.models import ApiToken
from coparent.accounts.services import api_token_create
from tests.cast import Cast
from tests.test_api_live import Script

pytestmark = pytest.mark.django_db(transaction=True)


def script(live_server, user) -> Script:
    _token, secret = api_token_create(user=user, name="money", scope=ApiToken.READ_WRITE)
    return Script(live_server.url, secret)


def test_two_parents_settle_an_expense_over_http(live_server, cast: Cast) -> None:
    alice, bob = script(live_server, cast.alice), script(live_server, cast.bob)
    family_id = str(cast.family_a.public_id)
    base = f"/api/v1/families/{family_id}"
    status, members, _ = alice.call("GET", f"{base}/members")
    ids = {m["name"]: m["id"] for m in members}
    alice_id, bob_id = ids["Alice Parent"], ids["Bob Parent"]

    status, created, _ = alice.call(
        "POST",
        f"{base}/expenses",
        {
            "description": "Swimming lessons",
            "category": "activities",
            "amount": "80.01",
            "currency": "EUR",
            "date": "2026-06-01",
            "children": [str(cast.kit.public_id)],
        },
    )
    assert status == 201, created
    assert created["status"] == "requested"
    assert created["shares"] == {alice_id: "40.01", bob_id: "40.00"}

    status, refused, _ = alice.call(
        "POST",
        f"{base}/expenses",
        {
            "description": "x",
            "category": "other",
            "amount": "1.001",
            "currency": "EUR",
            "date": "2026-06-01",
        },
    )
    assert status == 400 and "amount" in refused["error"]["fields"]

    status, answered, _ = bob.call("POST", f"{base}/expenses/{created['id']}/approve")
    assert status == 200 and answered["status"] == "approved"
    status, balance, _ = bob.call("GET", f"{base}/expenses/balance")
    assert balance == {
        "balances": [{"currency": "EUR", "owed_by": bob_id, "owed_to": alice_id, "amount": "40.00"}]
    }
    status, payment, _ = bob.call(
        "POST",
        f"{base}/payments",
        {
            "to": alice_id,
            "amount": "40.00",
            "currency": "EUR",
            "date": "2026-06-15",
            "method": "bank_transfer",
            "reference": "swim",
        },
    )
    assert status == 201 and payment["allocations"] == {created["id"]: "40.00"}
    status, confirmed, _ = alice.call("POST", f"{base}/payments/{payment['id']}/confirm")
    assert status == 200 and confirmed["status"] == "confirmed"
    status, balance, _ = alice.call("GET", f"{base}/expenses/balance")
    assert status == 200 and balance == {"balances": []}
