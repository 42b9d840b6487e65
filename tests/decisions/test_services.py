"""The decision flow through the services: propose, accept, decline, counter, withdraw,
comment, supersede, share, and the record and notifications each leaves."""

from __future__ import annotations

import pytest

from coparent.core.errors import Conflict, ServiceError
from coparent.decisions import selectors, services
from coparent.decisions.models import (
    Agreement,
    AgreementBasis,
    DecisionStatus,
    ProposalStatus,
)
from coparent.families.models import Membership
from coparent.notifications.models import Notification
from coparent.records.models import LogEntry
from coparent.tlog import content_hash, decode
from tests.cast import Cast
from tests.decisions.helpers import agreed, current, in_days, propose

pytestmark = pytest.mark.django_db


def record(cast: Cast, prefix: str = "decision.") -> list[tuple[str, dict]]:
    return [
        (e.kind, dict(decode(bytes(e.leaf)).fields))
        for e in LogEntry.objects.filter(family=cast.family_a, kind__startswith=prefix).order_by(
            "index"
        )
    ]


def test_alice_proposes_and_bob_accepts_it_becomes_an_agreement_with_both_acceptances(
    cast: Cast,
) -> None:
    decision = propose(cast)
    proposal = current(decision)
    assert decision.status == DecisionStatus.OPEN and proposal.number == 1
    told = Notification.objects.get(kind="decision_proposal")
    assert told.recipient == cast.bob

    agreement = services.decision_accept(family=cast.family_a, actor=cast.bob, proposal=proposal)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.AGREED
    assert agreement.basis == AgreementBasis.AGREED
    assert (agreement.proposed_by, agreement.accepted_by) == (cast.alice, cast.bob)
    assert agreement.proposed_at == proposal.proposed_at and agreement.accepted_at is not None
    assert agreement.outcome == proposal.title and agreement.in_force
    assert Notification.objects.get(kind="decision_answer").recipient == cast.alice

    kinds = record(cast)
    assert [k for k, _f in kinds] == ["decision.proposed", "decision.accepted"]
    fields = kinds[0][1]
    assert fields["content"] == content_hash(
        bytes(proposal.salt), services.proposal_content(proposal)
    )
    assert fields["children"] == (str(cast.kit.public_id),)
    assert "TikTok" not in str(fields), "the record holds hashes, not the words"
    assert kinds[1][1]["agreement"] == str(agreement.public_id)


def test_the_proposer_cannot_answer_their_own_proposal_nor_can_others(cast: Cast) -> None:
    proposal = current(propose(cast))
    for who in (cast.alice, cast.gran, cast.mediator, cast.charlie):
        with pytest.raises(ServiceError) as refused:
            services.decision_accept(family=cast.family_a, actor=who, proposal=proposal)
        assert refused.value.code == "forbidden"
    assert record(cast)[-1][0] == "decision.proposed"


def test_options_need_a_choice_among_them(cast: Cast) -> None:
    decision = propose(
        cast,
        title="Which school from September",
        category="education",
        answer_kind="options",
        options=["Riverside Primary", "Hill Academy", " Riverside Primary ", ""],
    )
    proposal = current(decision)
    assert proposal.options == ["Riverside Primary", "Hill Academy"]
    with pytest.raises(ServiceError) as refused:
        services.decision_accept(
            family=cast.family_a, actor=cast.bob, proposal=proposal, option="x"
        )
    assert refused.value.field == "option"
    agreement = services.decision_accept(
        family=cast.family_a, actor=cast.bob, proposal=proposal, option="Hill Academy"
    )
    assert agreement.outcome == "Hill Academy"
    assert record(cast)[-1][1]["option"] == 2


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"title": "  "}, "title"),
        ({"category": "sports"}, "category"),
        ({"answer_kind": "options", "options": ["only one"]}, "options"),
        ({"respond_by": -1}, "respond_by"),
        ({"respond_by": None}, "respond_by"),
        ({"respond_by": 400}, "respond_by"),
        ({"on_no_answer": "court_default"}, "default_outcome"),
        (
            {"on_no_answer": "court_default", "default_outcome": "Alice may proceed"},
            "default_source",
        ),
        ({"payload": {"x": 1}}, "payload"),
        ({"subject": "nonsense"}, "subject"),
    ],
)
def test_a_bad_proposal_is_refused_and_nothing_is_written(
    cast: Cast, given: dict, field: str
) -> None:
    if isinstance(given.get("respond_by"), int):  # days from the test's frozen now
        given = {**given, "respond_by": in_days(given["respond_by"])}
    before = LogEntry.objects.filter(family=cast.family_a).count()
    with pytest.raises(ServiceError) as refused:
        propose(cast, **given)
    assert refused.value.field == field
    assert LogEntry.objects.filter(family=cast.family_a).count() == before
    assert not selectors.decision_list(cast.family_a)


def test_a_child_of_another_family_is_refused(cast: Cast) -> None:
    with pytest.raises(ServiceError) as refused:
        propose(cast, children=[cast.charlies_child])
    assert refused.value.field == "children"


def test_a_decision_needs_the_other_parent(cast: Cast) -> None:
    Membership.objects.filter(family=cast.family_a, user=cast.bob).update(revoked_at=in_days(-1))
    with pytest.raises(ServiceError):
        propose(cast)


def test_a_counter_proposal_is_a_new_version_the_first_parent_answers(cast: Cast) -> None:
    decision = propose(cast)
    first = current(decision)
    counter = services.decision_counter(
        family=cast.family_a,
        actor=cast.bob,
        proposal=first,
        title="TikTok from 15, private, no face",
        respond_by=in_days(5),
    )
    first.refresh_from_db()
    assert first.status == ProposalStatus.COUNTERED and first.answered_by == cast.bob
    assert (counter.number, counter.counter_of, counter.proposed_by) == (2, first, cast.bob)
    with pytest.raises(Conflict):
        services.decision_accept(family=cast.family_a, actor=cast.bob, proposal=first)
    with pytest.raises(ServiceError):
        services.decision_accept(family=cast.family_a, actor=cast.bob, proposal=counter)
    agreement = services.decision_accept(family=cast.family_a, actor=cast.alice, proposal=counter)
    assert (agreement.proposed_by, agreement.accepted_by) == (cast.bob, cast.alice)
    assert agreement.outcome == "TikTok from 15, private, no face"
    kinds = record(cast)
    assert [k for k, _f in kinds] == [
        "decision.proposed",
        "decision.countered",
        "decision.accepted",
    ]
    assert kinds[1][1]["counter_of"] == str(first.public_id) and kinds[1][1]["version"] == 2


def test_decline_needs_a_reason_and_closes_the_decision(cast: Cast) -> None:
    decision = propose(cast)
    proposal = current(decision)
    with pytest.raises(ServiceError) as refused:
        services.decision_decline(
            family=cast.family_a, actor=cast.bob, proposal=proposal, reason=" "
        )
    assert refused.value.field == "reason"
    services.decision_decline(
        family=cast.family_a, actor=cast.bob, proposal=proposal, reason="Not before 16."
    )
    decision.refresh_from_db()
    proposal.refresh_from_db()
    assert decision.status == DecisionStatus.DECLINED and proposal.reason == "Not before 16."
    assert not Agreement.objects.exists()
    fields = record(cast)[-1][1]
    assert fields["content"] == content_hash(bytes(proposal.reason_salt), b"Not before 16.")
    with pytest.raises(Conflict):
        services.decision_accept(family=cast.family_a, actor=cast.bob, proposal=proposal)


def test_only_the_proposer_withdraws(cast: Cast) -> None:
    decision = propose(cast)
    proposal = current(decision)
    with pytest.raises(ServiceError):
        services.decision_withdraw(family=cast.family_a, actor=cast.bob, proposal=proposal)
    services.decision_withdraw(family=cast.family_a, actor=cast.alice, proposal=proposal)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.WITHDRAWN


def test_both_parents_comment_and_comments_are_on_the_record(cast: Cast) -> None:
    decision = propose(cast)
    first = services.decision_comment(
        family=cast.family_a, actor=cast.bob, decision=decision, body="What about YouTube?"
    )
    services.decision_comment(
        family=cast.family_a, actor=cast.alice, decision=decision, body="Separate decision."
    )
    kinds = record(cast, "decision.commented")
    assert len(kinds) == 2
    assert kinds[0][1]["content"] == content_hash(bytes(first.salt), b"What about YouTube?")
    assert Notification.objects.filter(kind="decision_comment", recipient=cast.alice).exists()
    for who in (cast.gran, cast.mediator):
        with pytest.raises(ServiceError):
            services.decision_comment(family=cast.family_a, actor=who, decision=decision, body="x")


def test_a_new_agreement_supersedes_the_old_one_which_is_kept(cast: Cast) -> None:
    old = agreed(cast, title="Screen time: one hour on school days", category="activities")
    services.agreement_share(
        family=cast.family_a, actor=cast.alice, agreement=old, caregivers=True, children=False
    )
    declined = propose(cast, title="Screen time: none", supersedes=old, actor=cast.bob)
    services.decision_decline(
        family=cast.family_a, actor=cast.alice, proposal=current(declined), reason="Too strict"
    )
    old.refresh_from_db()
    assert old.in_force, "a declined replacement changes nothing"

    new = agreed(cast, title="Screen time: ninety minutes", supersedes=old)
    old.refresh_from_db()
    assert old.superseded_by == new and old.superseded_at == new.agreed_at
    assert new.in_force and new.shared_with_caregivers, "sharing carries over"
    assert record(cast, "decision.accepted")[-1][1]["supersedes"] == str(old.public_id)
    with pytest.raises(Conflict):
        propose(cast, supersedes=old)
    alice = Membership.objects.get(family=cast.family_a, user=cast.alice)
    listed = selectors.agreement_list(cast.family_a, alice)
    assert [a.pk for a in listed] == [new.pk, old.pk], "in force first, then replaced"


def test_two_replacements_of_one_agreement_the_second_accept_is_refused(cast: Cast) -> None:
    old = agreed(cast)
    one = propose(cast, title="A", supersedes=old)
    two = propose(cast, title="B", supersedes=old)
    services.decision_accept(family=cast.family_a, actor=cast.bob, proposal=current(one))
    with pytest.raises(Conflict):
        services.decision_accept(family=cast.family_a, actor=cast.bob, proposal=current(two))


def test_caregivers_and_children_see_only_what_is_shared_with_them(cast: Cast) -> None:
    shared = agreed(cast, title="Screen time rule")
    agreed(cast, title="Relocation: nobody moves before 2028", category="relocation")
    gran = Membership.objects.get(family=cast.family_a, user=cast.gran)
    mediator = Membership.objects.get(family=cast.family_a, user=cast.mediator)
    assert selectors.agreement_list(cast.family_a, gran) == []
    assert len(selectors.agreement_list(cast.family_a, mediator)) == 2
    services.agreement_share(
        family=cast.family_a, actor=cast.bob, agreement=shared, caregivers=True, children=False
    )
    assert [a.pk for a in selectors.agreement_list(cast.family_a, gran)] == [shared.pk]
    assert record(cast)[-1] == (
        "decision.shared",
        {"agreement": str(shared.public_id), "caregivers": 1, "children": 0},
    )
    services.agreement_share(
        family=cast.family_a, actor=cast.bob, agreement=shared, caregivers=False, children=False
    )
    assert selectors.agreement_list(cast.family_a, gran) == []
    with pytest.raises(ServiceError):
        services.agreement_share(
            family=cast.family_a, actor=cast.gran, agreement=shared, caregivers=True, children=True
        )


def test_the_other_parent_gets_an_email_that_names_nothing(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        propose(cast)
    [email] = [m for m in mail.outbox if cast.bob.email in m.to]
    assert email.subject == "You have a new proposal in coparent"
    assert "TikTok" not in email.body


def test_another_app_runs_its_own_structured_proposals_through_the_flow(cast: Cast) -> None:
    """What the parenting plan does: a registered subject cleans its payload; the agreement in
    force about one matter is found by subject and key, and a later one supersedes it."""
    from coparent.decisions.subjects import Subject, register_subject

    def clean(payload: dict) -> dict:
        hours = payload.get("hours")
        if not isinstance(hours, int) or not 1 <= hours <= 72:
            raise ServiceError("Give the hours, 1 to 72.", field="payload")
        return {"hours": hours}

    register_subject(Subject(kind="test.first_refusal", label="First refusal", clean=clean))

    def provision(hours: object, supersedes: Agreement | None = None) -> Agreement:
        return agreed(
            cast,
            title="Right of first refusal",
            category="other",
            subject="test.first_refusal",
            subject_key="first_refusal",
            payload={"hours": hours},
            supersedes=supersedes,
        )

    with pytest.raises(ServiceError) as refused:
        provision("eight")
    assert refused.value.field == "payload"
    first = provision(8)
    assert (
        selectors.agreement_in_force(cast.family_a, "test.first_refusal", "first_refusal") == first
    )
    second = provision(4, supersedes=first)
    found = selectors.agreement_in_force(cast.family_a, "test.first_refusal", "first_refusal")
    assert found == second and found.proposal.payload == {"hours": 4}
    assert record(cast, "decision.proposed")[-1][1]["subject"] == "test.first_refusal"


@pytest.mark.parametrize("bad", ["\x00", "\x1c", "\x85", "\ud800", "\x7f"])
@pytest.mark.parametrize("field", ["title", "details"])
def test_control_and_broken_characters_are_refused_by_the_service_itself(
    cast: Cast, field: str, bad: str
) -> None:
    before = LogEntry.objects.filter(family=cast.family_a).count()
    with pytest.raises(ServiceError) as refused:
        propose(cast, **{field: f"Kit's phone{bad}"})
    assert refused.value.field == field
    assert LogEntry.objects.filter(family=cast.family_a).count() == before
