"""The API over real HTTP, exactly as a parent's script uses it: a personal token in the
Authorization header, JSON in and out, no cookies and no CSRF token. The test client skips CSRF,
which once hid that no token could write; only a real server shows what a script meets."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from email.message import Message
from typing import Any

import pytest

from coparent.accounts.models import ApiToken
from coparent.accounts.services import api_token_create
from tests.cast import Cast

pytestmark = pytest.mark.django_db(transaction=True)


class Script:
    def __init__(self, base_url: str, secret: str | None) -> None:
        self.base_url = base_url
        self.secret = secret

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any, Message]:
        headers = {"Accept": "application/json"}
        if self.secret is not None:
            headers["Authorization"] = f"Bearer {self.secret}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(
            self.base_url + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None, response.headers
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read()), error.headers


def test_a_script_reads_and_writes_with_its_token(live_server, cast: Cast) -> None:
    _token, alice_secret = api_token_create(
        user=cast.alice, name="calendar sync", scope=ApiToken.READ_WRITE
    )
    _token, bob_secret = api_token_create(user=cast.bob, name="reader", scope=ApiToken.READ)
    alice = Script(live_server.url, alice_secret)
    bob = Script(live_server.url, bob_secret)

    status, families, headers = alice.call("GET", "/api/v1/families")
    assert status == 200 and [f["name"] for f in families] == ["Family A"]
    assert headers["Content-Type"].startswith("application/json") and headers["X-Request-ID"]
    family_id = families[0]["id"]

    status, thread, _ = alice.call(
        "POST",
        f"/api/v1/families/{family_id}/threads",
        {"subject": "Friday pickup", "body": "Could pickup move to 5pm on Friday?"},
    )
    assert status == 201, thread
    messages_path = f"/api/v1/families/{family_id}/threads/{thread['id']}/messages"
    status, sent, _ = alice.call("POST", messages_path, {"body": "School closes early that day."})
    assert status == 201, sent

    status, renamed, _ = alice.call(
        "PATCH", f"/api/v1/families/{family_id}", {"name": "Family A (scripted)"}
    )
    assert status == 200 and renamed["name"] == "Family A (scripted)"

    # The other parent's read-only script sees what was written, and cannot write.
    status, read_back, _ = bob.call("GET", messages_path)
    assert status == 200
    assert [m["body"] for m in read_back] == [
        "Could pickup move to 5pm on Friday?",
        "School closes early that day.",
    ]
    status, refused, _ = bob.call("POST", messages_path, {"body": "From a read-only token"})
    assert status == 403 and refused["error"]["code"] == "forbidden"

    # No credential, or a wrong one: 401 in the error shape, never a CSRF complaint.
    for script in (Script(live_server.url, None), Script(live_server.url, alice_secret + "x")):
        status, refused, _ = script.call("POST", messages_path, {"body": "Anonymous"})
        assert status == 401 and refused["error"]["code"] == "unauthenticated", refused

    status, after, _ = alice.call("GET", messages_path)
    assert len(after) == 2

    # Mistakes a script makes answer in the same shape, never an HTML page.
    status, missing, _ = alice.call("GET", "/api/v1/familys")
    assert status == 404 and missing["error"]["code"] == "not_found"
    status, wrong_method, headers = alice.call("PUT", "/api/v1/families", {"name": "x"})
    assert status == 405 and wrong_method["error"]["code"] == "method_not_allowed"
    assert "GET" in headers["Allow"]
