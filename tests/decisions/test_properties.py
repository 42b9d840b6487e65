"""Any sequence of answers by anyone keeps the decision whole: at most one pending version,
an agreement exactly when agreed, versions numbered 1..n, and one record entry per action
that succeeded (a refused action writes nothing)."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coparent.core.errors import ServiceError
from coparent.decisions import services
from coparent.decisions.models import Agreement, DecisionStatus, Proposal, ProposalStatus
from coparent.records.models import LogEntry
from tests.cast import Cast
from tests.decisions.helpers import current, in_days, propose

pytestmark = pytest.mark.django_db

ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["accept", "decline", "counter", "withdraw", "comment"]),
        st.sampled_from(["alice", "bob", "gran", "mediator"]),
    ),
    max_size=6,
)


class Rollback(Exception):
    pass


def test_any_sequence_of_answers_keeps_a_decision_whole(cast: Cast) -> None:
    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(ACTIONS)
    def check(actions: list[tuple[str, str]]) -> None:
        try:
            with transaction.atomic():
                run(cast, actions)
                raise Rollback
        except Rollback:
            pass

    check()


def run(cast: Cast, actions: list[tuple[str, str]]) -> None:
    decision = propose(cast, answer_kind="options", options=["One", "Two"])
    before = LogEntry.objects.filter(family=cast.family_a).count()
    succeeded = 0
    for action, who in actions:
        actor = getattr(cast, who)
        proposal = current(decision)
        try:
            if action == "accept":
                services.decision_accept(
                    family=cast.family_a, actor=actor, proposal=proposal, option="Two"
                )
            elif action == "decline":
                services.decision_decline(
                    family=cast.family_a, actor=actor, proposal=proposal, reason="No"
                )
            elif action == "counter":
                services.decision_counter(
                    family=cast.family_a,
                    actor=actor,
                    proposal=proposal,
                    title="Another",
                    respond_by=in_days(3),
                )
            elif action == "withdraw":
                services.decision_withdraw(family=cast.family_a, actor=actor, proposal=proposal)
            else:
                services.decision_comment(
                    family=cast.family_a, actor=actor, decision=decision, body="Hm"
                )
        except ServiceError:
            continue
        succeeded += 1
    decision.refresh_from_db()
    versions = list(Proposal.objects.filter(decision=decision).order_by("number"))
    assert [v.number for v in versions] == list(range(1, len(versions) + 1))
    pending = [v for v in versions if v.status == ProposalStatus.PENDING]
    assert len(pending) == (1 if decision.status == DecisionStatus.OPEN else 0)
    assert all(v.status == ProposalStatus.COUNTERED for v in versions[:-1])
    agreements = Agreement.objects.filter(decision=decision)
    assert agreements.exists() == (decision.status == DecisionStatus.AGREED)
    assert LogEntry.objects.filter(family=cast.family_a).count() - before == succeeded
