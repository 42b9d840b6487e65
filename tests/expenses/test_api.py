"""The expense API as the issue lists it: shapes, decimal strings, errors, roles and CSRF."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from coparent.expenses.models import Expense, Payment
from coparent.records.models import LogEntry
from tests.cast import Cast
from tests.expenses.helpers import member


def post(client, url: str, body: object | None = None):
    return client.post(
        url, json.dumps(body if body is not None else {}), content_type="application/json"
    )


def base(cast: Cast) -> str:
    return f"/api/v1/families/{cast.family_a.public_id}"


def ids(cast: Cast) -> tuple[str, str]:
    return (
        str(member(cast.family_a, cast.alice).public_id),
        str(member(cast.family_a, cast.bob).public_id),
    )


def create(client, cast: Cast, **extra):
    body = {
        "description": "Dentist",
        "category": "medical",
        "amount": "123.45",
        "currency": "USD",
        "date": "2026-06-10",
        "children": [str(cast.kit.public_id)],
    }
    body.update(extra)
    return post(client, f"{base(cast)}/expenses", body)


def test_the_full_flow_over_the_api(cast: Cast, client_for) -> None:
    alice_id, bob_id = ids(cast)
    alice, bob = client_for(cast.alice), client_for(cast.bob)
    response = create(alice, cast, split={alice_id: "40", bob_id: "60"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "requested"
    assert body["shares"] == {alice_id: "49.38", bob_id: "74.07"}
    assert body["paid_by"] == alice_id and body["asked"] == bob_id and body["amount"] == "123.45"
    expense_id = body["id"]

    assert alice.get(f"{base(cast)}/expenses/balance").json() == {"balances": []}
    response = post(
        bob, f"{base(cast)}/expenses/{expense_id}/approve", {"amount": "50.00", "reason": "Half"}
    )
    assert response.status_code == 200 and response.json()["status"] == "partly_approved"
    assert alice.get(f"{base(cast)}/expenses/balance").json() == {
        "balances": [{"currency": "USD", "owed_by": bob_id, "owed_to": alice_id, "amount": "50.00"}]
    }
    response = post(
        bob,
        f"{base(cast)}/payments",
        {
            "to": alice_id,
            "amount": "50.00",
            "currency": "USD",
            "date": "2026-06-12",
            "method": "bank_transfer",
            "reference": "June",
            "expenses": [expense_id],
        },
    )
    assert response.status_code == 201, response.content
    payment = response.json()
    assert payment["allocations"] == {expense_id: "50.00"} and payment["status"] == "pending"
    assert post(bob, f"{base(cast)}/payments/{payment['id']}/confirm").status_code == 403
    response = post(alice, f"{base(cast)}/payments/{payment['id']}/confirm")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    assert bob.get(f"{base(cast)}/expenses/balance").json() == {"balances": []}


def test_dispute_needs_a_reason_and_withdraw_takes_no_body(cast: Cast, client_for) -> None:
    alice, bob = client_for(cast.alice), client_for(cast.bob)
    first = create(alice, cast).json()["id"]
    response = post(bob, f"{base(cast)}/expenses/{first}/dispute", {"reason": " "})
    assert response.status_code in (400, 422) and "reason" in response.json()["error"]["fields"]
    response = post(bob, f"{base(cast)}/expenses/{first}/dispute", {"reason": "Not agreed"})
    assert response.json()["status"] == "disputed"
    second = create(alice, cast).json()["id"]
    response = alice.post(f"{base(cast)}/expenses/{second}/withdraw")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-3.00"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"amount": 12.5}, "amount"),
        ({"currency": "ZZZ"}, "currency"),
        ({"date": "1900-01-01"}, "date"),
        ({"category": "yachts"}, "category"),
        ({"split": {"x": "100"}}, "split"),
    ],
)
def test_bad_input_gets_a_clear_error_and_nothing_is_written(
    cast: Cast, client_for, change: dict, field: str
) -> None:
    before = LogEntry.objects.count()
    response = create(client_for(cast.alice), cast, **change)
    assert response.status_code in (400, 422), response.content
    error = response.json()["error"]
    assert error["message"] and any(field in key for key in error["fields"]), error
    assert not Expense.objects.exists() and LogEntry.objects.count() == before


def test_a_split_that_does_not_add_up_to_100(cast: Cast, client_for) -> None:
    alice_id, bob_id = ids(cast)
    response = create(client_for(cast.alice), cast, split={alice_id: "50", bob_id: "49.99"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "split": "The shares must add up to exactly 100%."
    }


def test_another_familys_expense_and_child_are_not_found(cast: Cast, client_for) -> None:
    alice = client_for(cast.alice)
    expense_id = create(alice, cast).json()["id"]
    charlie = client_for(cast.charlie)
    family_b = f"/api/v1/families/{cast.family_b.public_id}"
    assert post(charlie, f"{family_b}/expenses/{expense_id}/approve").status_code == 404
    assert post(charlie, f"{base(cast)}/expenses/{expense_id}/approve").status_code == 404
    response = create(alice, cast, children=[str(cast.charlies_child.public_id)])
    assert response.status_code == 400 and "children" in response.json()["error"]["fields"]


def test_roles(cast: Cast, client_for) -> None:
    create(client_for(cast.alice), cast)
    mediator, gran = client_for(cast.mediator), client_for(cast.gran)
    assert mediator.get(f"{base(cast)}/expenses").status_code == 200
    assert mediator.get(f"{base(cast)}/expenses/balance").status_code == 200
    assert create(mediator, cast).status_code == 403
    assert gran.get(f"{base(cast)}/expenses").status_code == 404
    assert gran.get(f"{base(cast)}/expenses/balance").status_code == 404
    assert create(gran, cast).status_code == 404


def test_writes_need_the_csrf_token(cast: Cast, client_for) -> None:
    client = client_for(cast.alice)
    del client.defaults["HTTP_X_CSRFTOKEN"]
    response = create(client, cast)
    assert response.status_code == 403 and response.json()["error"]["code"] == "csrf_failed"


def test_split_rules_are_proposed_and_accepted(cast: Cast, client_for) -> None:
    alice_id, bob_id = ids(cast)
    alice, bob = client_for(cast.alice), client_for(cast.bob)
    response = post(
        alice,
        f"{base(cast)}/expense-rules",
        {
            "effective_from": "2026-01-01",
            "rules": [
                {"split": {alice_id: "60", bob_id: "40"}},
                {"category": "education", "split": {alice_id: "50", bob_id: "50"}},
            ],
            "limits": [{"category": "activities", "currency": "USD", "amount": "250.00"}],
        },
    )
    assert response.status_code == 201, response.content
    agreement = response.json()
    assert agreement["status"] == "proposed" and agreement["limits"][0]["amount"] == "250.00"
    assert post(alice, f"{base(cast)}/expense-rules/{agreement['id']}/accept").status_code == 400
    response = post(bob, f"{base(cast)}/expense-rules/{agreement['id']}/accept")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    shares = create(alice, cast, amount="100.00").json()["shares"]
    assert shares == {alice_id: "60.00", bob_id: "40.00"}
    assert len(bob.get(f"{base(cast)}/expense-rules").json()) == 1


def test_settle_up_pays_exactly_the_balance(cast: Cast, client_for) -> None:
    alice_id, _bob_id = ids(cast)
    alice, bob = client_for(cast.alice), client_for(cast.bob)
    for amount in ("10.01", "20.00"):
        expense_id = create(alice, cast, amount=amount).json()["id"]
        post(bob, f"{base(cast)}/expenses/{expense_id}/approve")
    response = post(
        bob,
        f"{base(cast)}/payments/settle-up",
        {"currency": "USD", "date": "2026-06-17", "method": "cash"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "15.00" and response.json()["to"] == alice_id
    assert Payment.objects.get().amount_minor == Decimal(1500)


def test_consent_before_spending_over_the_api(cast: Cast, client_for) -> None:
    alice, bob = client_for(cast.alice), client_for(cast.bob)
    response = post(
        alice,
        f"{base(cast)}/expense-consents",
        {"description": "Camp", "category": "activities", "amount": "400.00", "currency": "USD"},
    )
    assert response.status_code == 201 and response.json()["status"] == "requested"
    consent_id = response.json()["id"]
    response = post(bob, f"{base(cast)}/expense-consents/{consent_id}/refuse")
    assert response.status_code == 400 and "reason" in response.json()["error"]["fields"]
    response = bob.post(f"{base(cast)}/expense-consents/{consent_id}/give")
    assert response.status_code == 200 and response.json()["status"] == "given"
    assert [c["id"] for c in alice.get(f"{base(cast)}/expense-consents").json()] == [consent_id]
