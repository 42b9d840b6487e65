"""Decisions built through the real services, for the decision tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from coparent.decisions import selectors, services
from coparent.decisions.models import Agreement, Decision, Proposal
from tests.cast import Cast


def in_days(days: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def propose(cast: Cast, actor: Any = None, **given: Any) -> Decision:
    terms: dict[str, Any] = {
        "title": "Kit may have a TikTok account from 14, private",
        "category": "online",
        "respond_by": in_days(7),
        "children": [cast.kit],
        "details": "No face in videos; both parents follow the account.",
    }
    terms.update(given)
    return services.decision_propose(family=cast.family_a, actor=actor or cast.alice, **terms)


def current(decision: Decision) -> Proposal:
    return selectors.current_proposal(selectors.decision_get(decision.family, decision))


def agreed(cast: Cast, **given: Any) -> Agreement:
    decision = propose(cast, **given)
    return services.decision_accept(
        family=cast.family_a, actor=cast.bob, proposal=current(decision)
    )
