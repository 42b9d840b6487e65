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
    "reason", ["\u001f\u00a8", "ok\u0085", "\u001c", "a\u0000b", None, 7, ["why"]]
)
def test_an_optional_reason_with_control_characters_is_refused_and_changes_nothing(
    cast: Cast, client_for, reason: object
) -> None:
    # null is not text either: the schema documents a string, so it is refused, not read as "".
    # str.strip() takes U+001C-U+001F and U+0085 for spaces: they are refused, not trimmed.
    alice = client_for(cast.alice)
    made = create(alice, cast).json()["id"]
    entries = LogEntry.objects.count()
    response = post(alice, f"{base(cast)}/expenses/{made}/withdraw", {"reason": reason})
    assert response.status_code == 400 and "reason" in response.json()["error"]["fields"]
    assert LogEntry.objects.count() == entries
    assert Expense.objects.get(public_id=made).status == "requested"


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


def test_reading_one_payment_and_an_expense_history(cast: Cast, client_for) -> None:
    alice_id, bob_id = ids(cast)
    alice, bob = client_for(cast.alice), client_for(cast.bob)
    expense_id = create(alice, cast).json()["id"]
    post(bob, f"{base(cast)}/expenses/{expense_id}/dispute", {"reason": "Not agreed"})
    corrected = post(
        alice,
        f"{base(cast)}/expenses/{expense_id}/correct",
        {"description": "Dentist (corrected)", "amount": "100.00"},
    )
    assert corrected.status_code == 201, corrected.content
    history = bob.get(f"{base(cast)}/expenses/{corrected.json()['id']}/history").json()
    assert [v["version"] for v in history["versions"]] == [1, 2]
    assert history["versions"][0]["id"] == expense_id
    kinds = [e["kind"] for e in history["events"]]
    assert "disputed" in kinds and kinds[0] == "created"
    assert {e["expense"] for e in history["events"]} == {expense_id, corrected.json()["id"]}

    paid = post(
        bob,
        f"{base(cast)}/payments",
        {
            "to": alice_id,
            "amount": "20.00",
            "currency": "USD",
            "date": "2026-06-11",
            "method": "cash",
        },
    ).json()
    one = alice.get(f"{base(cast)}/payments/{paid['id']}")
    assert one.status_code == 200 and one.json() == paid
    assert one.json()["by"] == bob_id
    outsider = client_for(cast.charlie)
    assert outsider.get(f"{base(cast)}/payments/{paid['id']}").status_code == 404
    assert client_for(cast.gran).get(f"{base(cast)}/payments/{paid['id']}").status_code == 404


def test_settings_and_categories_over_the_api(cast: Cast, client_for) -> None:
    alice, bob = client_for(cast.alice), client_for(cast.bob)
    settings = f"{base(cast)}/expense-settings"
    assert alice.get(settings).json() == {"default_currency": "USD", "respond_by_days": 14}
    response = alice.put(
        settings,
        json.dumps({"default_currency": "eur", "respond_by_days": 10}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert bob.get(settings).json() == {"default_currency": "EUR", "respond_by_days": 10}
    before = LogEntry.objects.count()
    response = bob.put(
        settings,
        json.dumps({"default_currency": "EUR", "respond_by_days": 91}),
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["error"]["fields"]
    assert LogEntry.objects.count() == before

    categories = f"{base(cast)}/expense-categories"
    added = post(alice, categories, {"name": "Orthodontics"})
    assert added.status_code == 201
    assert added.json() == {"key": "orthodontics", "name": "Orthodontics", "built_in": False}
    listed = bob.get(categories).json()
    assert (
        listed[0]["built_in"]
        and {"key": "orthodontics", "name": "Orthodontics", "built_in": False} in listed
    )
    assert post(alice, categories, {"name": "orthodontics"}).status_code == 400
    assert client_for(cast.mediator).get(categories).status_code == 200
    assert post(client_for(cast.mediator), categories, {"name": "X"}).status_code in (403, 404)
    assert client_for(cast.charlie).get(categories).status_code == 404


def test_receipts_over_the_api(cast: Cast, client_for, settings, tmp_path) -> None:
    from tests.messaging.helpers import png_bytes

    settings.MESSAGING_ATTACHMENT_DIR = str(tmp_path)
    alice, bob = client_for(cast.alice), client_for(cast.bob)
    expense_id = create(alice, cast).json()["id"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = f"{base(cast)}/expenses/{expense_id}/receipts"
    response = bob.post(
        url, {"receipts": [SimpleUploadedFile("bill.png", png_bytes(), content_type="image/png")]}
    )
    assert response.status_code == 201, response.content
    assert response.json()["receipts"] == 1
    receipt = Expense.objects.get(public_id=expense_id).receipts.get()
    download = alice.get(f"{url}/{receipt.public_id}")
    assert download.status_code == 200 and download.content.startswith(b"\x89PNG")
    assert download["Content-Disposition"].startswith("attachment;")
    assert client_for(cast.charlie).get(f"{url}/{receipt.public_id}").status_code == 404
    refused = bob.post(
        url, {"receipts": [SimpleUploadedFile("x.png", b"<svg/>", content_type="image/png")]}
    )
    assert refused.status_code == 400 and refused.json()["error"]["fields"]
    assert Expense.objects.get(public_id=expense_id).receipts.count() == 1
    assert bob.post(url, {}).status_code == 400
