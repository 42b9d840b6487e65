"""Hostile input on the workspace and leaving forms: a form error (or a 4xx), never a 500, and
nothing written (no request, no record entry, the account untouched)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coparent.accounts.models import User
from coparent.families.models import AccessRequest, Family
from coparent.records.models import LogEntry
from tests.cast import Cast

HOSTILE_TEXT = ["x\x00y", "bell\x07", "esc\x1b[0m", "x" * 20_001, ""]
HOSTILE_NUMBERS = ["0", "-1", "367", "99999999999999999999", "1e3", "²", "x\x00"]
HOSTILE_EMAILS = ["no-at-sign", "a@b\x00c", "x" * 300 + "@example.test", "@", "a@b\x07.test"]


def settled() -> tuple[int, int, str, str]:
    return (
        AccessRequest.objects.count(),
        LogEntry.objects.count(),
        User.objects.get(email="alice@example.test").display_name,
        "".join(Family.objects.order_by("pk").values_list("access_approval", flat=True)),
    )


def test_hostile_values_on_the_workspace_and_leaving_forms_change_nothing(
    cast: Cast, client_for
) -> None:
    mediator = client_for(cast.mediator)
    alice = client_for(cast.alice)
    before = settled()
    valid = {"email": "bob@example.test", "professional_kind": "mediator", "access_days": "30"}
    cases = (
        [(mediator, "/workspace/ask/", {**valid, "note": v}) for v in HOSTILE_TEXT[:-2]]
        + [(mediator, "/workspace/ask/", {**valid, "access_days": v}) for v in HOSTILE_NUMBERS]
        + [(mediator, "/workspace/ask/", {**valid, "email": v}) for v in HOSTILE_EMAILS]
        + [
            (mediator, "/workspace/ask/", {**valid, "professional_kind": v})
            for v in ("judge", "x\x00", "")
        ]
        + [(alice, "/account/delete/", {"password": v}) for v in HOSTILE_TEXT]
        + [(alice, "/account/delete/", {"password": "wrong", "code": v}) for v in HOSTILE_TEXT[:-1]]
        + [
            (
                alice,
                f"/f/{cast.family_a.public_id}/settings/",
                {"form": "policy", "access_approval": v},
            )
            for v in ("all", "x\x00", "")
        ]
    )

    @settings(
        max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(st.sampled_from(cases))
    def check(case) -> None:
        client, url, body = case
        response = client.post(url, body)
        assert response.status_code in (200, 400, 413, 429), (url, body, response.status_code)

    check()
    for client, url, body in cases:  # each once, so none is left out by chance
        response = client.post(url, body)
        assert response.status_code in (200, 400, 413, 429), (url, repr(body)[:80])
    assert settled() == before
