"""The parents witness the record: each visit the browser checks a consistency proof from the
checkpoint it saw last, and warns loudly when the server's record is not an extension of it."""

from __future__ import annotations

import base64

import pytest

from coparent.records.services import record_append
from tests.browser.conftest import PHONE, assert_accessible, screenshot, sign_in
from tests.cast import build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_browser_checks_the_record_and_warns_on_a_rewrite(new_page) -> None:
    cast = build_cast()
    page = new_page(PHONE)
    sign_in(page, cast.alice.email, witnessed=True)
    key = f"coparent-record:{cast.family_a.public_id}"
    first = page.evaluate(f"JSON.parse(localStorage.getItem('{key}'))")
    assert first["size"] > 0

    for n in range(3):  # the record grows; the proof from the old checkpoint must verify
        record_append(family=cast.family_a, actor=cast.bob, kind="test.note", fields={"n": str(n)})
    page.goto(f"/f/{cast.family_a.public_id}/record/")
    page.wait_for_function(
        "size => document.documentElement.dataset.recordChecked === String(size)",
        arg=first["size"] + 3,
    )
    assert page.get_by_test_id("record-warning").is_hidden()
    assert_accessible(page, "record page")
    screenshot(page, "phone-record")

    # A device that remembers a different history (as if the server had rewritten it).
    forged = base64.b64encode(bytes(32)).decode()
    page.evaluate(f"localStorage.setItem('{key}', JSON.stringify({{size: 2, root: '{forged}'}}))")
    page.reload()
    page.get_by_test_id("record-warning").wait_for(state="visible")
    screenshot(page, "phone-record-warning")


def test_a_server_error_or_no_network_is_not_reported_as_tampering(new_page) -> None:
    cast = build_cast()
    page = new_page(PHONE)
    sign_in(page, cast.alice.email, witnessed=True)
    key = f"coparent-record:{cast.family_a.public_id}"
    first = page.evaluate(f"JSON.parse(localStorage.getItem('{key}'))")
    record_append(family=cast.family_a, actor=cast.bob, kind="test.note", fields={"n": "1"})

    def server_error(route) -> None:
        route.fulfill(status=500, content_type="application/json", body='{"error": {}}')

    page.route("**/record/consistency*", server_error)
    page.goto(f"/f/{cast.family_a.public_id}/record/")
    page.wait_for_function("() => document.documentElement.dataset.recordCheck === 'unavailable'")
    status = page.get_by_test_id("record-witness-status")
    assert "Couldn't check the record just now; will try again." in status.inner_text()
    assert page.get_by_test_id("record-warning").is_hidden()
    assert page.evaluate(f"JSON.parse(localStorage.getItem('{key}'))") == first
    screenshot(page, "phone-record-unavailable")

    # The server recovers: the retry checks from the same remembered checkpoint, and passes.
    page.unroute("**/record/consistency*", server_error)
    page.wait_for_function(
        "size => document.documentElement.dataset.recordChecked === String(size)",
        arg=first["size"] + 1,
        timeout=20_000,
    )
    assert page.get_by_test_id("record-warning").is_hidden()

    # Offline (the request never gets an answer) is not tampering either.
    page.route("**/record/checkpoint*", lambda route: route.abort("internetdisconnected"))
    page.reload()
    page.wait_for_function("() => document.documentElement.dataset.recordCheck === 'unavailable'")
    assert page.get_by_test_id("record-warning").is_hidden()


def test_a_proof_that_does_not_verify_is_reported_even_when_it_arrives_cleanly(new_page) -> None:
    cast = build_cast()
    page = new_page(PHONE)
    sign_in(page, cast.alice.email, witnessed=True)
    record_append(family=cast.family_a, actor=cast.bob, kind="test.note", fields={"n": "1"})

    def forged_proof(route) -> None:
        genuine = route.fetch().json()
        genuine["proof"] = [base64.b64encode(bytes(32)).decode() for _ in genuine["proof"]] or [
            base64.b64encode(bytes(32)).decode()
        ]
        route.fulfill(status=200, content_type="application/json", json=genuine)

    page.route("**/record/consistency*", forged_proof)
    page.goto(f"/f/{cast.family_a.public_id}/record/")
    page.get_by_test_id("record-warning").wait_for(state="visible")
    assert page.evaluate("document.documentElement.dataset.recordCheck") == "changed"


def test_a_refused_proof_is_a_failed_check_and_other_errors_say_so_plainly(new_page) -> None:
    """A 404 or 422 answer to a proof request means the server cannot prove the record grew from
    what this device saw; it is not an outage to retry forever."""
    cast = build_cast()
    page = new_page(PHONE)
    sign_in(page, cast.alice.email, witnessed=True)
    record_append(family=cast.family_a, actor=cast.bob, kind="test.note", fields={"n": "1"})

    def not_found(route) -> None:
        route.fulfill(status=404, content_type="application/json", body='{"error": {}}')

    page.route("**/record/consistency*", not_found)
    page.goto(f"/f/{cast.family_a.public_id}/record/")
    page.get_by_test_id("record-warning").wait_for(state="visible")
    assert page.evaluate("document.documentElement.dataset.recordCheck") == "changed"
    page.unroute("**/record/consistency*", not_found)

    # The checkpoint itself refused is no verdict on the record: a plain status, no warning.
    page.route("**/record/checkpoint*", not_found)
    page.reload()
    page.wait_for_function("() => document.documentElement.dataset.recordCheck === 'error'")
    status = page.get_by_test_id("record-witness-status")
    assert "Couldn't check the record on this device." in status.inner_text()
    assert page.get_by_test_id("record-warning").is_hidden()
