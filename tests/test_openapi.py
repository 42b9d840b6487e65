"""The OpenAPI document tells the truth: every error an operation can answer is listed in the one
envelope, and the rules the server enforces are in the schemas. The live check against a server
is scripts/api-schema-check (schemathesis), run by `make test`; these are its findings, pinned."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from coparent.api.openapi import ERROR_RESPONSES
from coparent.core.inputs import DAY_PATTERN, INSTANT_PATTERN
from tests.cast import Cast
from tests.test_inputs import NOW, csrf_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def schema() -> dict[str, Any]:
    return json.loads(Client().get("/api/v1/openapi.json").content)


def component(document: dict[str, Any], name: str) -> dict[str, Any]:
    return document["components"]["schemas"][name]


def test_every_operation_lists_every_error_in_the_one_envelope() -> None:
    document = schema()
    envelope = component(document, "Error")
    assert envelope["required"] == ["error"]
    assert set(envelope["properties"]["error"]["required"]) == {"code", "message"}
    operations = [op for item in document["paths"].values() for op in item.values()]
    assert len(operations) > 60
    for operation in operations:
        for status in ("400", "401", "403", "404", "409", "413", "422", "429"):
            response = operation["responses"].get(status)
            assert response, (operation["operationId"], status)
            assert response["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"
            }
    assert "Retry-After" in operations[0]["responses"]["429"]["headers"]
    assert set(ERROR_RESPONSES) >= {400, 401, 403, 404, 409, 413, 422, 429}


def test_the_rules_the_server_enforces_are_in_the_schemas() -> None:
    document = schema()
    for name, field in (
        ("EventIn", "title"),
        ("ThreadIn", "subject"),
        ("ThreadIn", "body"),
        ("MessageIn", "body"),
        ("FamilyIn", "name"),
        ("ChildIn", "first_name"),
        ("PassIn", "person_name"),
        ("TermsIn", "place_name"),
        ("RedactIn", "reason"),
    ):
        prop = component(document, name)["properties"][field]
        assert prop["minLength"] == 1 and prop["maxLength"] and prop["pattern"], (name, field)
        assert not re.search(prop["pattern"], "   ") and re.search(prop["pattern"], " x ")
        assert not re.search(prop["pattern"], "x\x00y")
    assert component(document, "PassIn")["properties"]["children"]["minItems"] == 1
    assert component(document, "SizesIn")["properties"]["old_size"]["minimum"] == 0
    grace = component(document, "TermsIn")["properties"]["grace_minutes"]
    assert (grace["minimum"], grace["maximum"]) == (0, 240)
    starts = component(document, "EventIn")["properties"]["starts_at"]
    assert starts["format"] == "date-time" and starts["pattern"] == INSTANT_PATTERN
    birth = component(document, "ChildIn")["properties"]["date_of_birth"]
    assert birth["format"] == "date" and birth["pattern"] == DAY_PATTERN


@pytest.mark.parametrize(
    ("value", "matches"),
    [
        ("2026-03-10T18:00:00Z", True),
        ("2026-03-10T18:00:00.123456+14:00", True),
        ("2200-12-31T23:59:59-12:00", True),
        ("1969-12-31T23:59:59Z", False),
        ("2201-01-01T00:00:00Z", False),
        ("9999-12-31T23:59:59Z", False),
        ("2026-03-10T18:00Z", False),  # RFC 3339 has seconds; the API reads what it documents
    ],
)
def test_the_instant_pattern_is_the_range_the_server_accepts(
    cast: Cast, value: str, matches: bool
) -> None:
    assert bool(re.search(INSTANT_PATTERN, value)) is matches
    response = csrf_client(cast.alice).post(
        f"/api/v1/families/{cast.family_a.public_id}/events",
        json.dumps({"title": "Call", "starts_at": value}),
        content_type="application/json",
    )
    assert response.status_code == (201 if matches else 422), response.content


def test_bodies_mean_what_they_say(cast: Cast) -> None:
    """What schemathesis found: ninja read a JSON array as an object with no fields, and
    pydantic took false for 0 and 0 for false."""
    alice = csrf_client(cast.alice)
    family = f"/api/v1/families/{cast.family_a.public_id}"

    def send(method: str, path: str, body: Any) -> Any:
        return alice.generic(method, path, json.dumps(body), content_type="application/json")

    assert send("PATCH", "/api/v1/me", [None, None]).status_code == 400
    assert send("POST", "/api/v1/families", "Family C").status_code == 400
    thread = {"subject": "Summer", "body": "Hello", "confirm_tone": 0}
    assert send("POST", f"{family}/threads", thread).status_code == 422
    event = {"title": "Play", "starts_at": "2026-03-10T18:00:00Z", "place_is_home": "yes"}
    assert send("POST", f"{family}/events", event).status_code == 422
    invitation = {"role": "professional", "professional_kind": "attorney", "access_days": True}
    assert send("POST", f"{family}/invitations", invitation).status_code == 422
    when = {"starts_at": "1700000000", "title": "Play"}
    assert send("POST", f"{family}/events", when).status_code == 422
