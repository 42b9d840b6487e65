"""Decisions in "Needs you": the parent who must answer sees each pending version until its
deadline; the badge counts them in its one query."""

from __future__ import annotations

import datetime as dt

import pytest

from coparent.attention.selectors import items_for
from coparent.decisions import services
from coparent.families.models import Membership
from tests.cast import Cast
from tests.decisions.helpers import current, in_days, propose

pytestmark = pytest.mark.django_db


def member(cast: Cast, user) -> Membership:
    return (
        Membership.objects.active()
        .select_related("family", "user")
        .get(family=cast.family_a, user=user)
    )


def decisions_for(cast: Cast, user, now=None) -> list:
    return [i for i in items_for(cast.family_a, member(cast, user), now) if i.kind == "decision"]


def test_a_pending_decision_waits_for_the_other_parent_only(cast: Cast) -> None:
    decision = propose(cast)
    [item] = decisions_for(cast, cast.bob)
    assert "Alice Parent proposes a decision" in item.title and item.answer
    assert item.link.endswith(f"/decisions/{decision.public_id}/")
    assert decisions_for(cast, cast.alice) == []
    assert decisions_for(cast, cast.gran) == []

    services.decision_counter(
        family=cast.family_a,
        actor=cast.bob,
        proposal=current(decision),
        title="Other terms",
        respond_by=in_days(2),
    )
    assert decisions_for(cast, cast.bob) == []
    [item] = decisions_for(cast, cast.alice)
    assert "counter-proposal" in item.title
    assert decisions_for(cast, cast.alice, now=in_days(2) + dt.timedelta(seconds=1)) == []


def test_the_badge_counts_decisions_waiting(cast: Cast, client_for) -> None:
    propose(cast)
    propose(cast, title="Second")
    page = client_for(cast.bob).get(f"/f/{cast.family_a.public_id}/").content.decode()
    assert 'data-testid="attention-badge">2<' in page
