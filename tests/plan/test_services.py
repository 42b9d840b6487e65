"""The plan's provisions through the decisions machinery, and time away under the right of
first refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from coparent.core.errors import ServiceError
from coparent.decisions.models import Agreement, DecisionStatus
from coparent.decisions.services import decision_accept, decision_decline
from coparent.notifications.models import Kind, Notification
from coparent.plan import selectors, services
from coparent.plan.models import OfferStatus, TimeAway
from coparent.plan.tasks import time_away_expire_task
from coparent.records.models import LogEntry
from coparent.schedule import selectors as schedule_selectors
from coparent.schedule.models import SwapStatus
from tests.cast import Cast
from tests.exchanges.helpers import daily_exchanges
from tests.plan.helpers import TERMS, agree, member_id, propose, respond_by
from tests.tasks import committing, run_tasks


def record_length(cast: Cast) -> int:
    return LogEntry.objects.filter(family=cast.family_a).count()


@pytest.mark.parametrize("kind", list(TERMS))
def test_each_provision_is_proposed_by_alice_accepted_by_bob_and_superseded(
    cast: Cast, kind: str
) -> None:
    first = agree(cast, kind, TERMS[kind])
    in_force = selectors.provision_in_force(cast.family_a, kind)
    assert in_force is not None and in_force.agreement == first
    assert first.proposed_by == cast.alice and first.accepted_by == cast.bob
    assert first.accepted_at is not None

    changed = dict(TERMS[kind], note="Changed after a year")
    second = agree(cast, kind, changed)
    first.refresh_from_db()
    assert first.superseded_by == second and first.superseded_at is not None
    now_in_force = selectors.provision_in_force(cast.family_a, kind)
    assert now_in_force is not None and now_in_force.agreement == second
    assert now_in_force.provision.note == "Changed after a year"
    sections = {s.kind: s for s in selectors.plan_sections(cast.family_a, _member(cast, "alice"))}
    assert len(sections[kind].decisions) == 2  # the history keeps both
    kinds = list(LogEntry.objects.filter(family=cast.family_a).values_list("kind", flat=True))
    assert kinds.count("decision.proposed") == 2 and kinds.count("decision.accepted") == 2


def _member(cast: Cast, name: str):
    from coparent.families.models import Membership

    return Membership.objects.get(family=cast.family_a, user=getattr(cast, name))


def test_a_named_parent_must_be_a_parent_of_the_family(cast: Cast) -> None:
    agreement = agree(
        cast, "authority", {"education": member_id(cast, cast.bob), "medical": "joint"}
    )
    assert agreement.proposal.payload["education"] == member_id(cast, cast.bob)
    before = record_length(cast)
    for bad in (member_id(cast, cast.gran), "00000000-0000-0000-0000-000000000000", "bob"):
        with pytest.raises(ServiceError):
            propose(cast, "travel", dict(TERMS["travel"], passports_held_by=bad))
    assert record_length(cast) == before


@pytest.mark.parametrize(
    ("kind", "terms", "field"),
    [
        ("first_refusal", {"hours": 0}, "hours"),
        ("first_refusal", {"hours": "8"}, "hours"),
        ("relocation", {"notice_days": 9999}, "notice_days"),
        ("online", {"photos": "sometimes"}, "photos"),
        ("calls", dict(TERMS["calls"], timezone="Mars/Base"), "timezone"),
        (
            "calls",
            dict(TERMS["calls"], windows=[{"weekdays": [1], "start": "19:00", "end": "18:00"}]),
            "windows",
        ),
        ("relocation", {"notice_days": 30, "extra": 1}, "extra"),
    ],
)
def test_bad_terms_are_refused_with_the_field_and_nothing_is_written(
    cast: Cast, kind: str, terms: dict, field: str
) -> None:
    before = record_length(cast)
    with pytest.raises(ServiceError) as raised:
        propose(cast, kind, terms)
    assert raised.value.field is not None and raised.value.field.startswith(field)
    assert record_length(cast) == before


def test_one_change_at_a_time_per_provision_and_a_counter_is_a_new_version(cast: Cast) -> None:
    proposal = propose(cast, "relocation", {"notice_days": 30})
    with pytest.raises(ServiceError):
        propose(cast, "relocation", {"notice_days": 45}, actor=cast.bob)
    counter = services.provision_counter(
        family=cast.family_a,
        actor=cast.bob,
        proposal=proposal,
        terms={"notice_days": 90},
        respond_by=respond_by(),
    )
    assert counter.number == 2 and counter.counter_of == proposal
    agreement = decision_accept(family=cast.family_a, actor=cast.alice, proposal=counter)
    in_force = selectors.provision_in_force(cast.family_a, "relocation")
    assert in_force is not None and in_force.agreement == agreement
    assert in_force.provision.notice_days == 90  # type: ignore[attr-defined]


def test_a_declined_change_leaves_the_agreement_in_force(cast: Cast) -> None:
    first = agree(cast, "relocation", {"notice_days": 60})
    proposal = propose(cast, "relocation", {"notice_days": 7})
    decision_decline(family=cast.family_a, actor=cast.bob, proposal=proposal, reason="Too short")
    assert proposal.decision.__class__.objects.get(pk=proposal.decision_id).status == (
        DecisionStatus.DECLINED
    )
    in_force = selectors.provision_in_force(cast.family_a, "relocation")
    assert in_force is not None and in_force.agreement == first


def test_a_caregiver_sees_only_provisions_shared_with_caregivers(cast: Cast) -> None:
    shared = agree(cast, "online", TERMS["online"])
    agree(cast, "relocation", TERMS["relocation"])
    Agreement.objects.filter(pk=shared.pk).update(shared_with_caregivers=True)
    gran = _member(cast, "gran")
    assert set(selectors.provisions_in_force(cast.family_a, gran)) == {"online"}
    sections = selectors.plan_sections(cast.family_a, gran)
    assert all(not s.decisions for s in sections)  # no proposals or history for caregivers
    mediator = _member(cast, "mediator")
    assert set(selectors.provisions_in_force(cast.family_a, mediator)) == {"online", "relocation"}


# ---- time away -----------------------------------------------------------------------------------


def _alices_night() -> tuple[dt.datetime, dt.datetime]:
    # daily_exchanges: alice (A) has the custody day from 18:00 UTC today to 18:00 tomorrow.
    today = timezone.now().astimezone(dt.UTC).replace(hour=18, minute=0, second=0, microsecond=0)
    return today + dt.timedelta(hours=1), today + dt.timedelta(hours=15)


def test_time_away_needs_an_agreed_right_of_first_refusal_and_more_than_its_hours(
    cast: Cast,
) -> None:
    plan = daily_exchanges(cast)
    start, end = _alices_night()
    with pytest.raises(ServiceError, match="right of first refusal"):
        services.time_away_create(
            family=cast.family_a, actor=cast.alice, plan=plan, starts_at=start, ends_at=end
        )
    agree(cast, "first_refusal", {"hours": 8})
    with pytest.raises(ServiceError, match="no offer is needed"):
        services.time_away_create(
            family=cast.family_a,
            actor=cast.alice,
            plan=plan,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=8),
        )
    bobs = start + dt.timedelta(days=1)
    with pytest.raises(ServiceError, match="other parent then"):
        services.time_away_create(
            family=cast.family_a,
            actor=cast.alice,
            plan=plan,
            starts_at=bobs,
            ends_at=bobs + dt.timedelta(hours=10),
        )
    assert not TimeAway.objects.exists()


def _offer(cast: Cast) -> TimeAway:
    plan = daily_exchanges(cast)
    agree(cast, "first_refusal", {"hours": 8, "respond_hours": 24})
    start, end = _alices_night()
    return services.time_away_create(
        family=cast.family_a,
        actor=cast.alice,
        plan=plan,
        starts_at=start,
        ends_at=end,
        note="Work trip",
    )


def test_time_away_offers_the_time_and_accepting_gives_the_other_parent_the_children(
    cast: Cast,
) -> None:
    away = _offer(cast)
    assert away.respond_by == away.starts_at  # sooner than 24 h: before the time away starts
    assert Notification.objects.filter(recipient=cast.bob, kind=Kind.TIME_AWAY_OFFER).count() == 1
    with pytest.raises(ServiceError):
        services.time_away_accept(family=cast.family_a, actor=cast.alice, away=away)
    accepted = services.time_away_accept(
        family=cast.family_a, actor=cast.bob, away=away, response="Happy to"
    )
    assert accepted.status == OfferStatus.ACCEPTED and accepted.swap is not None
    assert accepted.swap.status == SwapStatus.ACCEPTED
    assert accepted.swap.requested_by == cast.bob and accepted.swap.decided_by == cast.alice
    timeline = schedule_selectors.plan_schedule(away.plan).timeline(away.starts_at, away.ends_at)
    assert {s.parent for s in timeline.segments} == {"B"}
    assert (
        Notification.objects.filter(recipient=cast.alice, kind=Kind.TIME_AWAY_ANSWER).count() == 1
    )
    kinds = list(LogEntry.objects.filter(family=cast.family_a).values_list("kind", flat=True))
    assert kinds[-3:] == ["plan.time_away_offered", "swap.accepted", "plan.time_away_accepted"]
    with pytest.raises(ServiceError):
        services.time_away_decline(family=cast.family_a, actor=cast.bob, away=away)


def test_time_away_declined_or_withdrawn_changes_no_care(cast: Cast) -> None:
    away = _offer(cast)
    declined = services.time_away_decline(
        family=cast.family_a, actor=cast.bob, away=away, response="Can't"
    )
    assert declined.status == OfferStatus.DECLINED and declined.swap is None
    timeline = schedule_selectors.plan_schedule(away.plan).timeline(away.starts_at, away.ends_at)
    assert {s.parent for s in timeline.segments} == {"A"}
    start, end = _alices_night()
    again = services.time_away_create(
        family=cast.family_a, actor=cast.alice, plan=away.plan, starts_at=start, ends_at=end
    )
    with pytest.raises(ServiceError):
        services.time_away_withdraw(family=cast.family_a, actor=cast.bob, away=again)
    withdrawn = services.time_away_withdraw(family=cast.family_a, actor=cast.alice, away=again)
    assert withdrawn.status == OfferStatus.WITHDRAWN


def test_an_unanswered_offer_expires_through_the_worker_and_both_parents_hear(
    cast: Cast, time_machine
) -> None:
    away = _offer(cast)
    time_machine.move_to(away.respond_by + dt.timedelta(minutes=1))
    with pytest.raises(ServiceError, match="expired"):
        services.time_away_accept(family=cast.family_a, actor=cast.bob, away=away)
    with committing():
        time_away_expire_task.enqueue()
    assert run_tasks() >= 1
    away.refresh_from_db()
    assert away.status == OfferStatus.EXPIRED
    assert services.time_away_expire() == 0
    told = set(
        Notification.objects.filter(kind=Kind.DEADLINE_EXPIRED).values_list("recipient", flat=True)
    )
    assert told == {cast.alice.pk, cast.bob.pk}
    assert LogEntry.objects.filter(family=cast.family_a, kind="plan.time_away_expired").exists()


def test_the_periodic_job_is_registered(settings) -> None:
    assert settings.COPARENT_PERIODIC_TASKS["plan.time_away_expire"][0] == (
        "coparent.plan.tasks.time_away_expire_task"
    )


def test_the_export_discloses_a_time_away_note_matching_the_records_hash(cast: Cast) -> None:
    from coparent.records.disclosure import disclose
    from coparent.tlog import content_hash, decode

    away = _offer(cast)
    entry = LogEntry.objects.get(family=cast.family_a, kind="plan.time_away_offered")
    disclosed = disclose([entry])[entry.index]
    assert disclosed.content == b"Work trip"
    assert disclosed.salt is not None
    fields = decode(bytes(entry.leaf)).fields
    assert fields["note"] == content_hash(disclosed.salt, disclosed.content)
    assert fields["time_away"] == str(away.public_id)
