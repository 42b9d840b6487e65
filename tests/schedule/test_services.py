"""Schedule services: proposals need the other parent, versions never rewrite the past, swaps go
through every transition (with expiry and simultaneous answers), events, per-child plans, feeds."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from coparent.core.errors import Conflict, ServiceError
from coparent.families import services as family_services
from coparent.families.models import Membership, Role
from coparent.schedule import selectors, services, specs
from coparent.schedule.models import (
    Event,
    FeedToken,
    Plan,
    ScheduleVersion,
    SwapRequest,
    SwapStatus,
    VersionStatus,
)
from tests.cast import Cast, build_cast
from tests.schedule.helpers import agreed, soon, swap, two_two_three, week_on_week_off


def parent_at(cast: Cast, instant: dt.datetime, plan: Plan | None = None) -> str:
    plan = plan or Plan.objects.get(family=cast.family_a, child=None)
    schedule = selectors.plan_schedule(plan)
    assert schedule is not None
    timeline = schedule.timeline(instant, instant + dt.timedelta(hours=1))
    return timeline.segments[0].parent


def test_a_proposal_takes_effect_only_when_the_other_parent_accepts(cast: Cast) -> None:
    version = services.schedule_propose(
        family=cast.family_a, actor=cast.alice, spec=two_two_three()
    )
    assert version.status == VersionStatus.PROPOSED
    assert selectors.plan_schedule(version.plan) is None
    with pytest.raises(ServiceError, match="other parent accepts"):
        services.schedule_accept(family=cast.family_a, actor=cast.alice, version=version)
    accepted = services.schedule_accept(family=cast.family_a, actor=cast.bob, version=version)
    assert accepted.status == VersionStatus.ACCEPTED
    assert accepted.decided_by == cast.bob and accepted.decided_at is not None
    assert selectors.plan_schedule(version.plan) is not None


def test_only_parents_propose_and_a_second_parent_is_needed(cast: Cast) -> None:
    with pytest.raises(ServiceError, match="Only a parent"):
        services.schedule_propose(family=cast.family_a, actor=cast.gran, spec=two_two_three())
    with pytest.raises(ServiceError, match="Invite the other parent"):
        services.schedule_propose(family=cast.family_b, actor=cast.charlie, spec=two_two_three())
    assert not Plan.objects.filter(family=cast.family_b).exists()


def test_an_invalid_spec_is_refused_with_the_engines_message_and_nothing_is_saved(
    cast: Cast,
) -> None:
    bad = two_two_three()
    bad["rotation"]["template"] = "9-9"
    with pytest.raises(ServiceError, match="unknown template '9-9'") as caught:
        services.schedule_propose(family=cast.family_a, actor=cast.alice, spec=bad)
    assert caught.value.field == "spec"
    with pytest.raises(ServiceError, match="exactly two parents"):
        services.schedule_propose(
            family=cast.family_a,
            actor=cast.alice,
            spec={"timezone": "UTC", "parents": ["A", "B", "C"], "default": "A"},
        )
    assert ScheduleVersion.objects.count() == 0


def test_imported_parent_ids_are_mapped_to_the_two_parents_in_declared_order(cast: Cast) -> None:
    spec = {
        "timezone": "America/Chicago",
        "parents": ["mom", "dad"],
        "rotation": {"template": "7-7", "anchor": "2026-01-02", "first": "dad"},
        "holidays": [
            {
                "name": "Halloween",
                "date": {"month": 10, "day": 31},
                "parent": {"even": "mom", "odd": "dad"},
            }
        ],
    }
    version = services.schedule_propose(family=cast.family_a, actor=cast.alice, spec=spec)
    assert version.spec["parents"] == ["A", "B"]
    assert version.spec["rotation"]["first"] == "B"
    assert version.spec["holidays"][0]["parent"] == {"even": "A", "odd": "B"}


def test_a_change_starts_in_the_future_and_the_past_is_never_rewritten(cast: Cast) -> None:
    first = agreed(cast, week_on_week_off("A"))
    now = timezone.now()
    past_instants = [now - dt.timedelta(days=d, hours=h) for d in range(1, 40, 3) for h in (0, 9)]
    before = {i: parent_at(cast, i) for i in past_instants}

    with pytest.raises(ServiceError, match="past schedule is never rewritten") as caught:
        services.schedule_propose(
            family=cast.family_a,
            actor=cast.bob,
            spec=week_on_week_off("B"),
            effective_at=now - dt.timedelta(days=3),
        )
    assert caught.value.field == "effective_at"
    with pytest.raises(ServiceError, match="Enter a date"):
        services.schedule_propose(family=cast.family_a, actor=cast.bob, spec=week_on_week_off("B"))

    change = services.schedule_propose(
        family=cast.family_a,
        actor=cast.bob,
        spec=week_on_week_off("B"),
        effective_at=now + dt.timedelta(days=2),
    )
    services.schedule_accept(family=cast.family_a, actor=cast.alice, version=change)
    assert {i: parent_at(cast, i) for i in past_instants} == before
    later = now + dt.timedelta(days=20)
    first_plan = specs.parsed_spec({**first.spec})
    expected_old = first_plan.timeline(later, later + dt.timedelta(hours=1)).segments[0].parent
    assert parent_at(cast, later) != expected_old  # the new version (first parent swapped) rules
    assert ScheduleVersion.objects.filter(status=VersionStatus.ACCEPTED).count() == 2


def test_a_change_accepted_after_its_start_starts_at_acceptance(cast: Cast) -> None:
    agreed(cast)
    change = services.schedule_propose(
        family=cast.family_a,
        actor=cast.alice,
        spec=week_on_week_off(),
        effective_at=timezone.now() + dt.timedelta(hours=1),
    )
    ScheduleVersion.objects.filter(pk=change.pk).update(
        effective_at=timezone.now() - dt.timedelta(days=2)
    )
    change.refresh_from_db()
    before = timezone.now()
    accepted = services.schedule_accept(family=cast.family_a, actor=cast.bob, version=change)
    assert accepted.effective_at is not None and accepted.effective_at >= before


def test_the_governing_zone_stays_once_agreed(cast: Cast) -> None:
    agreed(cast)
    other = two_two_three(timezone="Europe/Paris")
    with pytest.raises(ServiceError, match="governing time zone stays America/Chicago"):
        services.schedule_propose(
            family=cast.family_a, actor=cast.alice, spec=other, effective_at=soon(3)
        )


def test_declined_and_withdrawn_proposals_change_nothing_and_cannot_be_decided_twice(
    cast: Cast,
) -> None:
    version = services.schedule_propose(
        family=cast.family_a, actor=cast.alice, spec=two_two_three()
    )
    services.schedule_decline(family=cast.family_a, actor=cast.bob, version=version, note="No")
    with pytest.raises(Conflict, match="already declined"):
        services.schedule_accept(family=cast.family_a, actor=cast.bob, version=version)
    assert selectors.plan_schedule(version.plan) is None
    again = services.schedule_propose(family=cast.family_a, actor=cast.alice, spec=two_two_three())
    with pytest.raises(ServiceError, match="Only the parent who proposed"):
        services.schedule_withdraw(family=cast.family_a, actor=cast.bob, version=again)
    services.schedule_withdraw(family=cast.family_a, actor=cast.alice, version=again)
    assert ScheduleVersion.objects.get(pk=again.pk).status == VersionStatus.WITHDRAWN


def test_a_new_proposal_replaces_the_same_parents_pending_one(cast: Cast) -> None:
    first = services.schedule_propose(family=cast.family_a, actor=cast.alice, spec=two_two_three())
    services.schedule_propose(family=cast.family_a, actor=cast.alice, spec=week_on_week_off())
    first.refresh_from_db()
    assert first.status == VersionStatus.WITHDRAWN


def test_per_child_plans_give_each_child_their_own_schedule(cast: Cast) -> None:
    sam = family_services.child_add(
        family=cast.family_a, actor=cast.alice, first_name="Sam", date_of_birth=dt.date(2019, 3, 3)
    )
    agreed(cast, week_on_week_off("A"))
    own = services.schedule_propose(
        family=cast.family_a, actor=cast.bob, spec=week_on_week_off("B"), child=sam
    )
    services.schedule_accept(family=cast.family_a, actor=cast.alice, version=own)
    plans = selectors.plan_list(cast.family_a)
    assert len(plans) == 2
    covered = selectors.plan_children(cast.family_a, plans)
    by_child = {c.first_name: p for p in plans for c in covered[p.pk]}
    assert by_child["Sam"].child == sam and by_child["Kit"].child is None
    instant = timezone.now() + dt.timedelta(days=30)
    assert parent_at(cast, instant, by_child["Kit"]) != parent_at(cast, instant, by_child["Sam"])
    with pytest.raises(ServiceError, match="not in this family"):
        services.schedule_propose(
            family=cast.family_a,
            actor=cast.alice,
            spec=two_two_three(),
            child=cast.charlies_child,
        )


def test_an_accepted_swap_overrides_the_schedule_as_a_swap_source(cast: Cast) -> None:
    version = agreed(cast, week_on_week_off())
    # a period of two days in the future when Bob has the children under the rotation
    start = soon(3)
    while parent_at(cast, start) != "B" or parent_at(cast, start + dt.timedelta(days=2)) != "B":
        start += dt.timedelta(days=1)
    request = swap(
        cast, version, start_at=start, end_at=start + dt.timedelta(days=2), respond_by=soon(1)
    )
    assert request.current_status() == SwapStatus.PENDING
    assert parent_at(cast, start + dt.timedelta(hours=1)) == "B"
    accepted = services.swap_accept(family=cast.family_a, actor=cast.bob, swap=request)
    assert accepted.decided_by == cast.bob and accepted.decided_at is not None
    assert parent_at(cast, start + dt.timedelta(hours=1)) == "A"
    schedule = selectors.plan_schedule(version.plan)
    assert schedule is not None
    sources = {s.source for s in schedule.timeline(start, start + dt.timedelta(days=1)).segments}
    assert sources == {f"swap:{request.public_id}"}


def test_a_windowed_schedule_gives_the_same_timeline_as_one_with_every_swap(cast: Cast) -> None:
    """Pages load only the swaps near the window they show; inside that window the timeline
    is the one the whole history gives, at the window's edges included."""
    version = agreed(cast, week_on_week_off())
    for days, offer in ((4, 9), (11, None), (20, 24), (40, None), (41, 60)):
        request = swap(
            cast,
            version,
            start_at=soon(days),
            end_at=soon(days + 1.5),
            offer_start_at=soon(offer) if offer else None,
            offer_end_at=soon(offer + 1) if offer else None,
            respond_by=soon(1),
        )
        services.swap_accept(family=cast.family_a, actor=cast.bob, swap=request)
    whole = selectors.plan_schedule(version.plan)
    assert whole is not None
    for first in range(0, 70, 3):
        start = soon(first, hour=5)
        end = start + dt.timedelta(days=9)
        windowed = selectors.plan_schedule(version.plan, start=start, end=end)
        assert windowed is not None
        assert len(windowed.swaps) < len(whole.swaps)
        assert windowed.timeline(start, end).segments == whole.timeline(start, end).segments
        assert windowed.timeline(start, end).nights == whole.timeline(start, end).nights


def test_time_offered_back_goes_to_the_other_parent(cast: Cast) -> None:
    version = agreed(cast, week_on_week_off())
    start = soon(5)
    back = start + dt.timedelta(days=7)
    request = swap(
        cast,
        version,
        start_at=start,
        end_at=start + dt.timedelta(days=1),
        offer_start_at=back,
        offer_end_at=back + dt.timedelta(days=1),
        respond_by=soon(1),
    )
    services.swap_accept(family=cast.family_a, actor=cast.bob, swap=request)
    assert parent_at(cast, start + dt.timedelta(hours=2)) == "A"
    assert parent_at(cast, back + dt.timedelta(hours=2)) == "B"


def test_swap_requests_refuse_bad_periods_and_deadlines_and_save_nothing(cast: Cast) -> None:
    version = agreed(cast)
    cases = [
        ({"end_at": soon(9)}, "end must be after", "end_at"),
        (
            {"start_at": soon(-1), "end_at": soon(1), "respond_by": soon(-2)},
            "still to come",
            "start_at",
        ),
        ({"respond_by": soon(12)}, "before the swap starts", "respond_by"),
        ({"respond_by": soon(-1)}, "deadline must be in the future", "respond_by"),
        ({"offer_start_at": soon(20)}, "both the start and the end", "offer_end_at"),
        (
            {"offer_start_at": soon(11), "offer_end_at": soon(13)},
            "cannot overlap",
            "offer_start_at",
        ),
        ({"end_at": soon(200)}, "at most 120 days", "end_at"),
    ]
    for change, message, field in cases:
        with pytest.raises(ServiceError, match=message) as caught:
            swap(cast, version, **change)
        assert caught.value.field == field
    with pytest.raises(ServiceError, match="Only a parent"):
        swap(cast, version, by=cast.gran)
    assert SwapRequest.objects.count() == 0


def test_a_swap_needs_an_agreed_schedule(cast: Cast) -> None:
    version = services.schedule_propose(
        family=cast.family_a, actor=cast.alice, spec=two_two_three()
    )
    with pytest.raises(ServiceError, match="Agree on a schedule first"):
        swap(cast, version)


def test_swap_transitions_decline_withdraw_and_counter(cast: Cast) -> None:
    version = agreed(cast)
    declined = swap(cast, version)
    with pytest.raises(ServiceError, match="other parent answers"):
        services.swap_accept(family=cast.family_a, actor=cast.alice, swap=declined)
    services.swap_decline(family=cast.family_a, actor=cast.bob, swap=declined, response="Sorry")
    declined.refresh_from_db()
    assert declined.status == SwapStatus.DECLINED and declined.response == "Sorry"
    with pytest.raises(Conflict, match="no longer open"):
        services.swap_accept(family=cast.family_a, actor=cast.bob, swap=declined)

    withdrawn = swap(cast, version, days=20)
    with pytest.raises(ServiceError, match="Only the parent who asked"):
        services.swap_withdraw(family=cast.family_a, actor=cast.bob, swap=withdrawn)
    services.swap_withdraw(family=cast.family_a, actor=cast.alice, swap=withdrawn)
    assert SwapRequest.objects.get(pk=withdrawn.pk).status == SwapStatus.WITHDRAWN

    original = swap(cast, version, days=30)
    counter = services.swap_counter(
        family=cast.family_a,
        actor=cast.bob,
        swap=original,
        start_at=soon(31),
        end_at=soon(32),
        respond_by=soon(29),
        reason="One night instead?",
    )
    original.refresh_from_db()
    assert original.status == SwapStatus.COUNTERED and original.decided_by == cast.bob
    assert counter.counter_of == original and counter.requested_by == cast.bob
    services.swap_accept(family=cast.family_a, actor=cast.alice, swap=counter)
    assert selectors.accepted_swaps(version.plan) == [SwapRequest.objects.get(pk=counter.pk)]


def test_an_unanswered_request_expires_at_its_deadline_and_late_acceptance_is_refused(
    cast: Cast,
) -> None:
    version = agreed(cast)
    request = swap(cast, version)
    SwapRequest.objects.filter(pk=request.pk).update(
        respond_by=timezone.now() - dt.timedelta(minutes=1)
    )
    request.refresh_from_db()
    assert request.current_status() == SwapStatus.EXPIRED
    assert request.status == SwapStatus.PENDING  # derived, never stored
    with pytest.raises(Conflict, match="expired"):
        services.swap_accept(family=cast.family_a, actor=cast.bob, swap=request)
    with pytest.raises(Conflict, match="expired"):
        services.swap_counter(
            family=cast.family_a,
            actor=cast.bob,
            swap=request,
            start_at=soon(20),
            end_at=soon(21),
            respond_by=soon(19),
        )
    assert selectors.accepted_swaps(version.plan) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rival", ["accept", "withdraw"])
def test_simultaneous_answers_to_one_swap_give_exactly_one_outcome(rival: str) -> None:
    cast = build_cast()
    version = agreed(cast)
    request = swap(cast, version)
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def act(kind: str) -> None:
        barrier.wait()
        try:
            if kind == "accept":
                services.swap_accept(family=cast.family_a, actor=cast.bob, swap=request)
            else:
                services.swap_withdraw(family=cast.family_a, actor=cast.alice, swap=request)
            outcomes.append(kind)
        except Conflict:
            outcomes.append("refused")
        finally:
            connection.close()

    kinds = ["accept", "accept", rival, rival] if rival == "withdraw" else ["accept"] * 4
    threads = [threading.Thread(target=act, args=(kind,)) for kind in kinds]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes).count("refused") == 3
    request.refresh_from_db()
    winner = next(o for o in outcomes if o != "refused")
    assert (
        request.status == {"accept": SwapStatus.ACCEPTED, "withdraw": SwapStatus.WITHDRAWN}[winner]
    )


@pytest.mark.django_db(transaction=True)
def test_simultaneous_acceptances_of_one_proposal_give_one_version() -> None:
    cast = build_cast()
    version = services.schedule_propose(
        family=cast.family_a, actor=cast.alice, spec=two_two_three()
    )
    outcomes: list[str] = []
    barrier = threading.Barrier(3)

    def accept() -> None:
        barrier.wait()
        try:
            services.schedule_accept(family=cast.family_a, actor=cast.bob, version=version)
            outcomes.append("accepted")
        except Conflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted", "refused", "refused"]


def test_events_are_created_changed_and_deleted_by_parents_only(cast: Cast) -> None:
    gran = Membership.objects.get(family=cast.family_a, user=cast.gran)
    event = services.event_create(
        family=cast.family_a,
        actor=cast.alice,
        title="School play",
        kind="school",
        starts_at=soon(3),
        place="Main hall",
        children=[cast.kit],
        attendees=[gran],
    )
    assert event.ends_at - event.starts_at == dt.timedelta(hours=1)
    assert list(event.children.all()) == [cast.kit]
    with pytest.raises(ServiceError, match="Only a parent"):
        services.event_delete(family=cast.family_a, actor=cast.gran, event=event)
    with pytest.raises(ServiceError, match="end must be after") as caught:
        services.event_update(
            family=cast.family_a,
            actor=cast.bob,
            event=event,
            title="Play",
            kind="school",
            starts_at=soon(3),
            ends_at=soon(2),
        )
    assert caught.value.field == "ends_at"
    assert Event.objects.get(pk=event.pk).title == "School play"
    with pytest.raises(ServiceError, match="not in this family"):
        services.event_create(
            family=cast.family_a,
            actor=cast.alice,
            title="Visit",
            kind="other",
            starts_at=soon(1),
            children=[cast.charlies_child],
        )
    services.event_update(
        family=cast.family_a,
        actor=cast.bob,
        event=event,
        title="School play (dress rehearsal)",
        kind="school",
        starts_at=soon(4),
    )
    assert Event.objects.get(pk=event.pk).title == "School play (dress rehearsal)"
    services.event_delete(family=cast.family_a, actor=cast.bob, event=event)
    assert not Event.objects.exists()


def test_feed_tokens_store_only_a_hash_and_regenerating_stops_the_old_one(cast: Cast) -> None:
    first = services.feed_token_regenerate(family=cast.family_a, actor=cast.gran)
    assert not FeedToken.objects.filter(token_hash=first).exists()
    assert selectors.feed_token_lookup(services.feed_token_hash(first)) is not None
    second = services.feed_token_regenerate(family=cast.family_a, actor=cast.gran)
    assert selectors.feed_token_lookup(services.feed_token_hash(first)) is None
    assert selectors.feed_token_lookup(services.feed_token_hash(second)) is not None
    assert services.feed_token_revoke(family=cast.family_a, actor=cast.gran) == 1
    assert selectors.feed_token_lookup(services.feed_token_hash(second)) is None
    with pytest.raises(ServiceError):
        services.feed_token_regenerate(family=cast.family_a, actor=cast.charlie)


def test_a_feed_stops_when_its_owner_leaves_the_family(cast: Cast) -> None:
    token = services.feed_token_regenerate(family=cast.family_a, actor=cast.gran)
    gran = Membership.objects.get(family=cast.family_a, user=cast.gran)
    family_services.membership_revoke(family=cast.family_a, actor=cast.alice, membership=gran)
    assert selectors.feed_token_lookup(services.feed_token_hash(token)) is None


def test_a_childs_account_sees_only_their_own_plan_and_events(cast: Cast) -> None:
    from tests.cast import join, make_user

    sam = family_services.child_add(
        family=cast.family_a, actor=cast.alice, first_name="Sam", date_of_birth=dt.date(2012, 3, 3)
    )
    sam_user = make_user("sam@example.test", "Sam Child")
    sam_membership = join(cast.family_a, cast.alice, sam_user, Role.CHILD, child=sam)
    agreed(cast)
    own = services.schedule_propose(
        family=cast.family_a, actor=cast.alice, spec=week_on_week_off(), child=sam
    )
    services.schedule_accept(family=cast.family_a, actor=cast.bob, version=own)
    kit_event = services.event_create(
        family=cast.family_a,
        actor=cast.alice,
        title="Kit's match",
        kind="activity",
        starts_at=soon(2),
        children=[cast.kit],
    )
    sam_event = services.event_create(
        family=cast.family_a,
        actor=cast.alice,
        title="Sam's dentist",
        kind="medical",
        starts_at=soon(2),
        children=[sam],
    )
    assert [p.child for p in selectors.plan_list(cast.family_a, sam_membership)] == [sam]
    assert list(selectors.event_list(cast.family_a, sam_membership)) == [sam_event]
    assert set(selectors.event_list(cast.family_a)) == {kit_event, sam_event}


def test_a_second_first_proposal_cannot_be_accepted_once_a_schedule_is_agreed(cast: Cast) -> None:
    alices = services.schedule_propose(family=cast.family_a, actor=cast.alice, spec=two_two_three())
    bobs = services.schedule_propose(family=cast.family_a, actor=cast.bob, spec=week_on_week_off())
    services.schedule_accept(family=cast.family_a, actor=cast.bob, version=alices)
    with pytest.raises(Conflict, match="agreed meanwhile"):
        services.schedule_accept(family=cast.family_a, actor=cast.alice, version=bobs)
    assert ScheduleVersion.objects.filter(status=VersionStatus.ACCEPTED).count() == 1


def test_every_schedule_change_is_appended_to_the_family_record(cast: Cast) -> None:
    from coparent.records.models import LogEntry

    version = agreed(cast)
    request = swap(cast, version)
    services.swap_accept(family=cast.family_a, actor=cast.bob, swap=request)
    event = services.event_create(
        family=cast.family_a, actor=cast.alice, title="Play", kind="school", starts_at=soon(2)
    )
    services.event_delete(family=cast.family_a, actor=cast.alice, event=event)
    services.feed_token_regenerate(family=cast.family_a, actor=cast.gran)
    ours = ("schedule.", "swap.", "event.", "calendar_feed.")
    kinds = [
        kind
        for kind in LogEntry.objects.filter(family=cast.family_a)
        .order_by("index")
        .values_list("kind", flat=True)
        if kind.startswith(ours)
    ]
    assert kinds == [
        "schedule.proposed",
        "schedule.accepted",
        "swap.requested",
        "swap.accepted",
        "event.created",
        "event.deleted",
        "calendar_feed.created",
    ]


def test_a_refused_action_appends_nothing_to_the_record(cast: Cast) -> None:
    from coparent.records.models import LogEntry

    before = LogEntry.objects.filter(family=cast.family_a).count()
    with pytest.raises(ServiceError):
        services.schedule_propose(family=cast.family_a, actor=cast.alice, spec={"nope": 1})
    assert LogEntry.objects.filter(family=cast.family_a).count() == before


def test_a_change_cannot_be_accepted_once_a_later_one_is_agreed(cast) -> None:
    """On PostgreSQL NULL sorts first in a descending order: the first version (no start) must
    not be taken for the latest agreed one."""
    version = agreed(cast)
    sooner = services.schedule_propose(
        family=cast.family_a, actor=cast.alice, spec=version.spec, effective_at=soon(10)
    )
    later = services.schedule_propose(
        family=cast.family_a, actor=cast.bob, spec=version.spec, effective_at=soon(20)
    )
    services.schedule_accept(family=cast.family_a, actor=cast.alice, version=later)
    with pytest.raises(Conflict, match="later change was agreed"):
        services.schedule_accept(family=cast.family_a, actor=cast.bob, version=sooner)


def test_a_childs_account_is_not_told_siblings_with_their_own_plan_share_its_plan(cast) -> None:
    from tests.cast import join, make_user

    agreed(cast)
    sam = family_services.child_add(
        family=cast.family_a, actor=cast.alice, first_name="Sam", date_of_birth=dt.date(2014, 2, 2)
    )
    own = services.schedule_propose(
        family=cast.family_a, actor=cast.alice, spec=two_two_three(), child=sam
    )
    services.schedule_accept(family=cast.family_a, actor=cast.bob, version=own)
    kit_account = make_user("kit@example.test", "Kit")
    join(cast.family_a, cast.alice, kit_account, Role.CHILD, child=cast.kit)
    membership = Membership.objects.get(user=kit_account)
    plans = selectors.plan_list(cast.family_a, membership)
    covered = selectors.plan_children(cast.family_a, plans)
    assert [c.first_name for p in plans for c in covered[p.pk]] == ["Kit"]
