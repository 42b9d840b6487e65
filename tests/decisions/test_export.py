"""A record export discloses each proposal's words, a decline's reason and a comment, and the
bundle still verifies: what the parents wrote is checkable against the record."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from coparent.decisions import services
from coparent.records import keys
from coparent.tlog import verify_bundle
from tests.cast import Cast
from tests.decisions.helpers import current, in_days, propose

pytestmark = pytest.mark.django_db


def test_the_export_discloses_decisions_and_verifies(cast: Cast, client_for) -> None:
    decision = propose(cast)
    services.decision_comment(
        family=cast.family_a, actor=cast.bob, decision=decision, body="Not before 15"
    )
    counter = services.decision_counter(
        family=cast.family_a,
        actor=cast.bob,
        proposal=current(decision),
        title="TikTok from 15",
        respond_by=in_days(3),
    )
    services.decision_decline(
        family=cast.family_a, actor=cast.alice, proposal=counter, reason="Too late for her"
    )
    response = client_for(cast.alice).get(f"/f/{cast.family_a.public_id}/record/export.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as bundle:
        lines = [json.loads(x) for x in bundle.read("entries.jsonl").decode().splitlines()]
    bodies = {line["kind"]: line.get("body", "") for line in lines if "body" in line}
    assert "Kit may have a TikTok account" in bodies["decision.proposed"]
    assert json.loads(bodies["decision.countered"])["title"] == "TikTok from 15"
    assert bodies["decision.commented"] == "Not before 15"
    assert bodies["decision.declined"] == "Too late for her"
    result = verify_bundle(io.BytesIO(response.content), pinned_key=keys.verifier_key())
    assert result.ok, result.problem
