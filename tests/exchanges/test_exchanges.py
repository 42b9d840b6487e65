"""Exchanges from the schedule: terms by agreement, check-ins on the record, outcomes, planned
versus actual, reminders, and regeneration when the schedule changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from coparent.core.errors import Conflict, ServiceError
from coparent.exchanges import selectors, services
from coparent.exchanges.models import CheckIn
from coparent.families.models import Membership
from coparent.records.models import LogEntry
from coparent.schedule import services as schedule_services
from tests.cast import Cast
from tests.exchanges.helpers import daily_exchanges, next_exchange, sides
from tests.tasks import committing, sent_mail

pytestmark = pytest.mark.django_db


def membership(cast: Cast, user) -> Membership:
    return Membership.objects.get(family=cast.family_a, user=user)


def agree_terms(cast: Cast, plan, **extra):
    values = {
        "place_kind": "public",
        "place_name": "Library car park",
        "grace_minutes": 15,
        "latitude": 41.88,
        "longitude": -87.63,
        "conduct": "The receiving parent waits in the car.",
    }
    values.update(extra)
    terms = services.terms_propose(family=cast.family_a, actor=cast.alice, plan=plan, **values)
    return services.terms_decide(family=cast.family_a, actor=cast.bob, terms=terms, accept=True)


def test_exchanges_come_from_the_schedule(cast: Cast) -> None:
    plan = daily_exchanges(cast)
    now = timezone.now()
    views = selectors.exchange_views(
        cast.family_a, membership(cast, cast.alice), now, now + dt.timedelta(days=4)
    )
    assert len(views) == 4
    assert all(v.at.hour == 18 and v.at.minute == 0 for v in views)
    assert {v.from_parent for v in views} == {"A", "B"}
    assert views[0].children == [cast.kit] and views[0].plan == plan


def test_terms_apply_only_once_both_parents_agree(cast: Cast) -> None:
    plan = daily_exchanges(cast)
    proposed = services.terms_propose(
        family=cast.family_a,
        actor=cast.alice,
        plan=plan,
        place_kind="school",
        place_name="Riverside School",
        grace_minutes=10,
    )
    assert selectors.current_terms(plan) is None
    with pytest.raises(ServiceError, match="other parent accepts"):
        services.terms_decide(family=cast.family_a, actor=cast.alice, terms=proposed, accept=True)
    services.terms_decide(family=cast.family_a, actor=cast.bob, terms=proposed, accept=True)
    assert selectors.current_terms(plan).place_name == "Riverside School"
    with pytest.raises(Conflict):
        services.terms_decide(family=cast.family_a, actor=cast.bob, terms=proposed, accept=False)
    kinds = LogEntry.objects.filter(family=cast.family_a).values_list("kind", flat=True)
    assert {"exchange.terms_proposed", "exchange.terms_accepted"} <= set(kinds)
    with pytest.raises(ServiceError, match="between 0 and 240"):
        services.terms_propose(
            family=cast.family_a,
            actor=cast.bob,
            plan=plan,
            place_kind="school",
            place_name="X",
            grace_minutes=999,
        )
    with pytest.raises(ServiceError, match="Only the two parents"):
        services.terms_propose(
            family=cast.family_a,
            actor=cast.gran,
            plan=plan,
            place_kind="school",
            place_name="X",
            grace_minutes=5,
        )


def test_check_ins_are_recorded_with_server_time_and_rounded_location(cast: Cast) -> None:
    plan = daily_exchanges(cast)
    agree_terms(cast, plan)
    at = next_exchange()
    giver, taker = sides(plan, at)
    services.checkin_record(
        family=cast.family_a,
        actor=giver,
        plan=plan,
        exchange_at=at,
        kind="arrived",
        latitude=41.8801,
        longitude=-87.6301,
        now=at - dt.timedelta(minutes=5),
    )
    services.checkin_record(
        family=cast.family_a,
        actor=taker,
        plan=plan,
        exchange_at=at,
        kind="arrived",
        latitude=41.95,
        longitude=-87.63,
        now=at + dt.timedelta(minutes=20),
    )
    services.checkin_record(
        family=cast.family_a,
        actor=giver,
        plan=plan,
        exchange_at=at,
        kind="handed_over",
        now=at + dt.timedelta(minutes=21),
    )
    places = list(CheckIn.objects.order_by("at").values_list("place", flat=True))
    assert places == ["at Library car park", "not at Library car park", ""]
    assert not {"latitude", "longitude"} & {f.name for f in CheckIn._meta.get_fields()}, (
        "no coordinates kept"
    )
    view = selectors.exchange_get(cast.family_a, membership(cast, cast.alice), plan, at)
    assert view.outcome.state == "done" and view.late_names == [taker.display_name]
    assert LogEntry.objects.filter(family=cast.family_a, kind="exchange.checkin").count() == 3


def test_check_in_rules(cast: Cast) -> None:
    plan = daily_exchanges(cast)
    at = next_exchange()
    giver, taker = sides(plan, at)
    with pytest.raises(ServiceError, match="no exchange at that time"):
        services.checkin_record(
            family=cast.family_a,
            actor=giver,
            plan=plan,
            exchange_at=at + dt.timedelta(hours=1),
            kind="arrived",
            now=at,
        )
    with pytest.raises(ServiceError, match="opens three hours"):
        services.checkin_record(
            family=cast.family_a,
            actor=giver,
            plan=plan,
            exchange_at=at,
            kind="arrived",
            now=at - dt.timedelta(hours=4),
        )
    with pytest.raises(ServiceError, match="one receiving says"):
        services.checkin_record(
            family=cast.family_a, actor=giver, plan=plan, exchange_at=at, kind="received", now=at
        )
    services.checkin_record(
        family=cast.family_a, actor=taker, plan=plan, exchange_at=at, kind="received", now=at
    )
    with pytest.raises(Conflict):
        services.checkin_record(
            family=cast.family_a, actor=taker, plan=plan, exchange_at=at, kind="received", now=at
        )
    with pytest.raises(ServiceError, match="read-only"):
        services.checkin_record(
            family=cast.family_a,
            actor=cast.mediator,
            plan=plan,
            exchange_at=at,
            kind="arrived",
            now=at,
        )
    # A caregiver picking up checks in for the receiving parent.
    services.checkin_record(
        family=cast.family_a, actor=cast.gran, plan=plan, exchange_at=at, kind="arrived", now=at
    )
    assert CheckIn.objects.get(member__user=cast.gran).side == plan.parent_id_of(
        membership(cast, taker).pk
    )


def test_exchanges_regenerate_when_a_swap_changes_the_schedule(cast: Cast) -> None:
    plan = daily_exchanges(cast)
    at = next_exchange() + dt.timedelta(days=2)
    giver, taker = sides(plan, at)
    services.checkin_record(
        family=cast.family_a,
        actor=giver,
        plan=plan,
        exchange_at=at,
        kind="arrived",
        now=at - dt.timedelta(hours=1),
    )
    swap = schedule_services.swap_request(
        family=cast.family_a,
        actor=giver,
        plan=plan,
        start_at=at - dt.timedelta(hours=1),
        end_at=at + dt.timedelta(days=1, hours=1),
        respond_by=timezone.now() + dt.timedelta(hours=1),
        reason="Trip",
    )
    schedule_services.swap_accept(family=cast.family_a, actor=taker, swap=swap)
    views = selectors.exchange_views(
        cast.family_a,
        membership(cast, cast.alice),
        at - dt.timedelta(days=1),
        at + dt.timedelta(days=2, hours=1),
    )
    by_time = {v.at: v for v in views}
    # The giver keeps the children through the swap, so both exchanges inside it are gone.
    assert by_time[at].outcome.state == "cancelled", "the check-in stays; its exchange is gone"
    assert at + dt.timedelta(days=1) not in by_time
    assert by_time[at + dt.timedelta(days=2)].outcome.state == "upcoming"


def test_planned_versus_actual_after_a_late_and_a_missed_exchange(cast: Cast) -> None:
    plan = daily_exchanges(cast)
    late_at = next_exchange() - dt.timedelta(days=3)
    missed_at = late_at + dt.timedelta(days=1)
    giver, taker = sides(plan, late_at)
    services.checkin_record(
        family=cast.family_a,
        actor=taker,
        plan=plan,
        exchange_at=late_at,
        kind="received",
        now=late_at + dt.timedelta(hours=2),
    )
    alice = membership(cast, cast.alice)
    start, end = late_at - dt.timedelta(days=1), missed_at + dt.timedelta(hours=23)
    (row,) = selectors.planned_versus_actual(cast.family_a, alice, start, end)
    planned = {side: counts.hours for side, counts in row.planned.items()}
    actual = {side: counts.hours for side, counts in row.actual.items()}
    giver_side = plan.parent_id_of(membership(cast, giver).pk)
    # Two hours late at the first exchange, then the second did not happen (no handover: the
    # children stayed with `taker` from then to the end of the window, 23 hours).
    assert actual[giver_side] == planned[giver_side] + 2 - 23
    assert sum(actual.values()) == sum(planned.values())
    assert [v.at for v in row.problems] == [late_at, missed_at]


def test_reminders_are_sent_once_when_due(cast: Cast) -> None:
    plan = daily_exchanges(cast)
    at = next_exchange()
    giver, _taker = sides(plan, at)
    services.reminders_update(
        family=cast.family_a, actor=giver, minutes_before=[60, 15], by_email=True
    )
    with pytest.raises(ServiceError, match="from the list"):
        services.reminders_update(
            family=cast.family_a, actor=giver, minutes_before=[7], by_email=True
        )
    with committing():
        assert services.reminders_send(now=at - dt.timedelta(minutes=90)) == 0
        assert services.reminders_send(now=at - dt.timedelta(minutes=59)) == 1
        assert services.reminders_send(now=at - dt.timedelta(minutes=58)) == 0
        assert services.reminders_send(now=at - dt.timedelta(minutes=10)) == 1
    assert [m.to for m in sent_mail()] == [[giver.email], [giver.email]]
    assert sent_mail()[0].subject == "Reminder: exchange coming up"


def test_exchange_pages_and_api(cast: Cast, client_for) -> None:
    plan = daily_exchanges(cast)
    agree_terms(cast, plan)
    at = next_exchange()
    giver, _taker = sides(plan, at)
    client = client_for(giver)
    family = cast.family_a.public_id
    assert "Library car park" in client.get(f"/f/{family}/exchanges/").content.decode()
    detail = client.get(
        f"/f/{family}/exchanges/{plan.public_id}/{int(at.timestamp())}/"
    ).content.decode()
    assert "The receiving parent waits in the car." in detail
    assert (
        client.get(
            f"/f/{family}/exchanges/{plan.public_id}/{int(at.timestamp()) + 60}/"
        ).status_code
        == 404
    )
    assert client.get(f"/f/{family}/exchanges/report/").status_code == 200
    body = client.get(f"/api/v1/families/{family}/exchanges").json()
    assert any(e["at"].startswith(at.strftime("%Y-%m-%dT18:00")) for e in body)
    bad = client.get(
        f"/api/v1/families/{family}/exchanges?start=2026-01-02T00:00:00Z&end=2026-01-01T00:00:00Z"
    )
    assert bad.status_code == 400


def test_a_childs_account_sees_only_its_own_plans_terms(cast: Cast, client_for) -> None:
    from coparent.families import services as family_services
    from coparent.families.models import Role
    from tests.cast import join, make_user

    daily_exchanges(cast)  # the shared plan
    sam = family_services.child_add(
        family=cast.family_a, actor=cast.alice, first_name="Sam", date_of_birth=dt.date(2014, 2, 2)
    )
    spec = {"timezone": "UTC", "parents": ["A", "B"], "default": "A"}
    version = schedule_services.schedule_propose(
        family=cast.family_a, actor=cast.alice, spec=spec, child=sam
    )
    sams_plan = schedule_services.schedule_accept(
        family=cast.family_a, actor=cast.bob, version=version
    ).plan
    agree_terms(cast, sams_plan, place_name="Sam's own place")
    kit_account = make_user("kit@example.test", "Kit")
    join(cast.family_a, cast.alice, kit_account, Role.CHILD, child=cast.kit)
    response = client_for(kit_account).get(
        f"/f/{cast.family_a.public_id}/exchanges/terms/{sams_plan.public_id}/"
    )
    assert response.status_code == 404
    assert (
        client_for(cast.bob)
        .get(f"/f/{cast.family_a.public_id}/exchanges/terms/{sams_plan.public_id}/")
        .status_code
        == 200
    )


def test_the_report_period_is_bounded(cast: Cast, client_for) -> None:
    daily_exchanges(cast)
    client = client_for(cast.gran)
    url = f"/f/{cast.family_a.public_id}/exchanges/report/"
    for query, message in (
        ("start=2026-01-01&end=2028-12-31", "at most 400 days"),
        ("start=2026-01-01&end=9999-12-31", "between 1970 and 2200"),
        ("start=1900-01-01&end=1900-02-01", "between 1970 and 2200"),
    ):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200 and message in response.content.decode()


def test_a_check_in_is_recorded_once_even_when_sent_twice(cast: Cast) -> None:
    from django.db import IntegrityError, transaction

    plan = daily_exchanges(cast)
    at = next_exchange()
    giver, _taker = sides(plan, at)
    services.checkin_record(
        family=cast.family_a, actor=giver, plan=plan, exchange_at=at, kind="arrived", now=at
    )
    row = CheckIn.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(
            family=cast.family_a,
            plan=plan,
            exchange_at=at,
            kind="arrived",
            member=row.member,
            side=row.side,
            at=at,
        )
