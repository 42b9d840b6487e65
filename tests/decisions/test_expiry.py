"""Respond-by deadlines: the worker expires an unanswered proposal, applies a court-order
default where one was named, and tells both parents; answering late is refused even before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from coparent.core.errors import Conflict
from coparent.decisions import services
from coparent.decisions.models import AgreementBasis, DecisionStatus, ProposalStatus
from coparent.notifications.models import Notification
from coparent.records.models import LogEntry
from coparent.tlog import decode
from coparent.worker import scheduler
from tests.cast import Cast
from tests.decisions.helpers import agreed, current, propose
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _only_the_expiry_job(settings) -> None:
    settings.COPARENT_PERIODIC_TASKS = {
        "decisions.expire": ("coparent.decisions.tasks.decisions_expire_task", 300)
    }


def worker_round() -> None:
    scheduler.enqueue_due()
    run_tasks()


def expired_entries(cast: Cast) -> list[tuple[object, dict]]:
    return [
        (e.actor, dict(decode(bytes(e.leaf)).fields))
        for e in LogEntry.objects.filter(family=cast.family_a, kind="decision.expired")
    ]


def test_an_unanswered_decision_expires_undecided_and_both_parents_are_told(
    cast: Cast, time_machine
) -> None:
    decision = propose(cast)
    proposal = current(decision)
    mail.outbox.clear()
    worker_round()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING, "not before its deadline"

    time_machine.move_to(proposal.respond_by + dt.timedelta(seconds=1))
    with pytest.raises(Conflict):  # before the worker has run, too
        services.decision_accept(family=cast.family_a, actor=cast.bob, proposal=proposal)

    worker_round()
    proposal.refresh_from_db()
    decision.refresh_from_db()
    assert proposal.status == ProposalStatus.EXPIRED and proposal.answered_by is None
    assert decision.status == DecisionStatus.EXPIRED
    assert not hasattr(decision, "agreement") or decision.agreement is None
    [(actor, fields)] = expired_entries(cast)
    assert actor is None and fields["outcome"] == "nothing" and fields["agreement"] == ""
    told = Notification.objects.filter(kind="deadline_expired")
    assert sorted(n.recipient.email for n in told) == sorted([cast.alice.email, cast.bob.email])
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cast.alice.email, cast.bob.email])
    assert "TikTok" not in mail.outbox[0].body, "no content in the email"

    time_machine.shift(dt.timedelta(minutes=5))
    worker_round()
    assert len(expired_entries(cast)) == 1, "expired once"
    with pytest.raises(Conflict):
        services.decision_accept(family=cast.family_a, actor=cast.bob, proposal=proposal)


def test_a_court_order_default_applies_at_the_deadline_named_as_such(
    cast: Cast, time_machine
) -> None:
    old = agreed(cast, title="No TikTok")
    decision = propose(
        cast,
        title="Kit joins the swim team",
        category="activities",
        on_no_answer="court_default",
        default_outcome="Alice may enrol Kit",
        default_source="Order of 3 March 2025, para. 12",
        supersedes=old,
    )
    proposal = current(decision)
    time_machine.move_to(proposal.respond_by + dt.timedelta(minutes=1))
    assert services.decisions_expire() == 1
    decision.refresh_from_db()
    agreement = decision.agreement
    assert agreement.basis == AgreementBasis.COURT_DEFAULT
    assert agreement.outcome == "Alice may enrol Kit" and agreement.accepted_by is None
    old.refresh_from_db()
    assert old.superseded_by == agreement
    [(_actor, fields)] = expired_entries(cast)
    assert fields["outcome"] == "court_default"
    assert fields["agreement"] == str(agreement.public_id)
    assert fields["supersedes"] == str(old.public_id)
    told = Notification.objects.filter(kind="deadline_expired")
    assert {n.detail_body for n in told} == {
        "The default outcome from the court order applies: Alice may enrol Kit"
    }
    assert services.decisions_expire() == 0


def test_an_answer_that_lands_first_wins_over_the_expiry(cast: Cast, time_machine) -> None:
    proposal = current(propose(cast))
    services.decision_accept(family=cast.family_a, actor=cast.bob, proposal=proposal)
    time_machine.move_to(proposal.respond_by + dt.timedelta(minutes=1))
    assert services.decisions_expire() == 0
    assert not expired_entries(cast)
