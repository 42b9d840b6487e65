"""Both parents acting on one proposal at once, on PostgreSQL with real threads: exactly one
answer wins, the other is refused, and the record has no gap or fork."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine

from coparent.core.errors import ServiceError
from coparent.decisions import services
from coparent.decisions.models import Agreement, Proposal, ProposalStatus
from coparent.records.models import LogEntry
from tests.cast import build_cast
from tests.decisions.helpers import current, propose
from tests.test_concurrency import INSTANT, assert_record_whole, run_writers

DAY = dt.timedelta(days=1)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rounds", [6])
def test_accepting_countering_declining_and_withdrawing_at_once_one_wins(rounds: int) -> None:
    with time_machine.travel(INSTANT, tick=False):
        cast = build_cast()
        family = cast.family_a
        proposals = [
            current(propose(cast, title=f"Question {n}", respond_by=INSTANT + DAY))
            for n in range(rounds)
        ]
        start = LogEntry.objects.filter(family=family).count()
        outcomes: dict[str, list[str]] = {}

        def attempt(name: str, act: Callable[[Proposal], object]) -> Callable[[int], None]:
            def job(n: int) -> None:
                try:
                    act(proposals[n])
                except ServiceError:
                    return
                outcomes.setdefault(name, []).append(str(n))

            return job

        jobs = {
            "bob accepts": attempt(
                "accept",
                lambda p: services.decision_accept(family=family, actor=cast.bob, proposal=p),
            ),
            "bob counters": attempt(
                "counter",
                lambda p: services.decision_counter(
                    family=family,
                    actor=cast.bob,
                    proposal=p,
                    title="Another way",
                    respond_by=INSTANT + DAY,
                ),
            ),
            "bob declines": attempt(
                "decline",
                lambda p: services.decision_decline(
                    family=family, actor=cast.bob, proposal=p, reason="No"
                ),
            ),
            "alice withdraws": attempt(
                "withdraw",
                lambda p: services.decision_withdraw(family=family, actor=cast.alice, proposal=p),
            ),
        }
        errors, seen = run_writers(family, jobs, rounds)
        assert not errors, "\n".join(errors)
        won = sorted(n for names in outcomes.values() for n in names)
        assert won == sorted(str(n) for n in range(rounds)), outcomes
        for proposal in proposals:
            proposal.refresh_from_db()
            assert proposal.status != ProposalStatus.PENDING
        assert Agreement.objects.filter(family=family).count() == len(outcomes.get("accept", []))
        assert LogEntry.objects.filter(family=family).count() - start == rounds
        assert_record_whole(family, seen)
