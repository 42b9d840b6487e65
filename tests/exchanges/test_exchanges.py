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
from coparent.notifications.models import Notification
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
    # A caregiver is not on a handover between the parents...
    with pytest.raises(ServiceError, match="named on a pickup pass") as refused:
        services.checkin_record(
            family=cast.family_a, actor=cast.gran, plan=plan, exchange_at=at, kind="arrived", now=at
        )
    assert refused.value.code == "forbidden"
    assert not CheckIn.objects.filter(member__user=cast.gran).exists()
    # ...until a parent names them on a pickup pass for it: then they collect for the receiver.
    gran_pass(cast, at)
    services.checkin_record(
        family=cast.family_a, actor=cast.gran, plan=plan, exchange_at=at, kind="arrived", now=at
    )
    assert CheckIn.objects.get(member__user=cast.gran).side == plan.parent_id_of(
        membership(cast, taker).pk
    )


def gran_pass(cast: Cast, at: dt.datetime, **extra):
    from coparent.families.models import Membership
    from coparent.passes import services as pass_services

    values = {
        "person_name": "",
        "holder": Membership.objects.get(family=cast.family_a, user=cast.gran),
        "children": [cast.kit],
        "place": "School gate",
        "starts_at": at - dt.timedelta(hours=1),
        "ends_at": at + dt.timedelta(hours=1),
    }
    values.update(extra)
    issued = pass_services.pass_issue(family=cast.family_a, actor=cast.alice, **values)
    if issued.needs_cosign:
        pass_services.pass_cosign(family=cast.family_a, actor=cast.bob, pickup_pass=issued)
    return issued


def test_a_pass_for_someone_else_or_another_time_lets_no_caregiver_check_in(cast: Cast) -> None:
    plan = daily_exchanges(cast)
    at = next_exchange()
    gran_pass(cast, at, person_name="Uncle Rowan", holder=None)
    gran_pass(cast, at, person_name="Gran Caregiver", holder=None)  # her name, typed: not hers
    gran_pass(cast, at + dt.timedelta(hours=3))
    with pytest.raises(ServiceError, match="named on a pickup pass"):
        services.checkin_record(
            family=cast.family_a, actor=cast.gran, plan=plan, exchange_at=at, kind="arrived", now=at
        )


def test_a_caregiver_without_a_pass_is_refused_on_the_page_and_in_the_api(
    cast: Cast, client_for
) -> None:
    plan = daily_exchanges(cast)
    at = next_exchange()
    family = cast.family_a.public_id
    client = client_for(cast.gran)
    detail = client.get(f"/f/{family}/exchanges/{plan.public_id}/{int(at.timestamp())}/")
    page = detail.content.decode()
    assert "I received the children" not in page and "I&#x27;ve arrived" not in page
    assert "ask a parent for a pickup pass in your name" in page
    posted = client.post(
        f"/f/{family}/exchanges/{plan.public_id}/{int(at.timestamp())}/check-in/",
        {"kind": "received"},
        follow=True,
    )
    assert "named on a pickup pass" in posted.content.decode()
    api = client.post(
        f"/api/v1/families/{family}/exchanges/check-ins",
        {"plan": str(plan.public_id), "at": at.isoformat(), "kind": "received"},
        content_type="application/json",
    )
    assert api.status_code == 403
    assert "named on a pickup pass" in api.json()["error"]["message"]
    assert not CheckIn.objects.filter(member__user=cast.gran).exists()
    gran_pass(cast, at)
    page = client.get(f"/f/{family}/exchanges/{plan.public_id}/{int(at.timestamp())}/")
    assert "I received the children" in page.content.decode()


def test_a_past_exchange_nobody_recorded_counts_as_planned(cast: Cast, client_for) -> None:
    daily_exchanges(cast)
    alice = membership(cast, cast.alice)
    end = next_exchange() - dt.timedelta(days=1, hours=1)
    start = end - dt.timedelta(days=20)
    (row,) = selectors.planned_versus_actual(cast.family_a, alice, start, end)
    assert {s: c.overnights for s, c in row.actual.items()} == {
        s: c.overnights for s, c in row.planned.items()
    }
    assert row.problems == [] and row.not_recorded == 20
    views = selectors.exchange_views(cast.family_a, alice, start, end)
    assert {v.outcome.state for v in views} == {"not_recorded"}
    assert all(v.no_show_names == [] for v in views)
    client = client_for(cast.alice)
    family = cast.family_a.public_id
    listing = client.get(f"/f/{family}/exchanges/").content.decode()
    assert "No-show" not in listing and "Not recorded" in listing
    body = client.get(
        f"/api/v1/families/{family}/exchanges/report"
        f"?start={start.isoformat().replace('+00:00', 'Z')}"
        f"&end={end.isoformat().replace('+00:00', 'Z')}"
    ).json()
    assert body[0]["not_recorded"] == 20 and body[0]["late_or_missed"] == []
    assert {c["planned_overnights"] for c in body[0]["counts"]} == {
        c["actual_overnights"] for c in body[0]["counts"]
    }


def test_a_parent_reports_a_missed_exchange(cast: Cast, client_for) -> None:
    plan = daily_exchanges(cast)
    at = next_exchange() - dt.timedelta(days=2)
    giver, taker = sides(plan, at)
    with pytest.raises(ServiceError, match="two parents on this exchange"):
        services.missed_report(family=cast.family_a, actor=cast.gran, plan=plan, exchange_at=at)
    with pytest.raises(ServiceError, match="once its time has come"):
        services.missed_report(
            family=cast.family_a, actor=giver, plan=plan, exchange_at=next_exchange()
        )
    client = client_for(taker)
    family = cast.family_a.public_id
    url = f"/f/{family}/exchanges/{plan.public_id}/{int(at.timestamp())}/"
    assert "It did not happen" in client.get(url).content.decode()
    page = client.post(url + "missed/", follow=True).content.decode()
    assert "Recorded: this exchange did not happen." in page
    assert "It did not happen" not in page
    view = selectors.exchange_get(cast.family_a, membership(cast, cast.alice), plan, at)
    assert view.outcome.state == "missed" and view.no_show_names == [giver.display_name]
    assert LogEntry.objects.filter(family=cast.family_a, kind="exchange.missed").count() == 1
    with pytest.raises(Conflict):
        services.missed_report(family=cast.family_a, actor=taker, plan=plan, exchange_at=at)
    api = client_for(giver).post(
        f"/api/v1/families/{family}/exchanges/check-ins",
        {"plan": str(plan.public_id), "at": at.isoformat(), "kind": "missed"},
        content_type="application/json",
    )
    assert api.status_code == 201 and api.json()["state"] == "missed"
    assert api.json()["no_show"] == []  # both say it did not happen: nobody is blamed
    later = at - dt.timedelta(days=1)
    services.checkin_record(
        family=cast.family_a,
        actor=sides(plan, later)[1],
        plan=plan,
        exchange_at=later,
        kind="received",
        now=later,
    )
    with pytest.raises(Conflict, match="handover is already recorded"):
        services.missed_report(family=cast.family_a, actor=giver, plan=plan, exchange_at=later)


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
    # At the second exchange `giver` receives; `taker` arrives to hand over and the other
    # parent never comes, so the children stay with `taker`.
    services.checkin_record(
        family=cast.family_a,
        actor=taker,
        plan=plan,
        exchange_at=missed_at,
        kind="arrived",
        now=missed_at,
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


def test_reminders_are_sent_once_when_due(cast: Cast, django_capture_on_commit_callbacks) -> None:
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
    # Neutral unless the parent asks for details; the app has the whole reminder.
    assert sent_mail()[0].subject == "You have a reminder from coparent"
    reminder = Notification.objects.filter(recipient=giver, kind="exchange_reminder").first()
    assert reminder is not None and "hands over to" in reminder.detail_title


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


def _queries(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_exchange_pages_take_a_fixed_number_of_queries_whatever_the_history(
    cast: Cast, client_for
) -> None:
    plan = daily_exchanges(cast)
    at = next_exchange() - dt.timedelta(days=1)
    family = cast.family_a.public_id
    pages = [
        f"/f/{family}/exchanges/{plan.public_id}/{int(at.timestamp())}/",
        f"/f/{family}/exchanges/",
        f"/f/{family}/exchanges/report/",
    ]
    gran, alice = client_for(cast.gran), client_for(cast.alice)
    for client in (gran, alice):  # a session's first request does its own bookkeeping
        client.get(pages[1])
    before = [_queries(gran, p) for p in pages] + [_queries(alice, p) for p in pages]
    for days in range(2, 7):
        past = at - dt.timedelta(days=days)
        _giver, taker = sides(plan, past)
        services.checkin_record(
            family=cast.family_a, actor=taker, plan=plan, exchange_at=past, kind="arrived", now=past
        )
        services.missed_report(family=cast.family_a, actor=taker, plan=plan, exchange_at=past)
    gran_pass(cast, next_exchange() + dt.timedelta(days=1), person_name="Uncle Rowan", holder=None)
    # The writes grew the record: the next view counts the nav badge anew.
    for client in (gran, alice):
        client.get(pages[1])
    after = [_queries(gran, p) for p in pages] + [_queries(alice, p) for p in pages]
    assert after == before
    assert max(after) <= 30


def test_reporting_a_missed_exchange_at_any_time_writes_nothing_unless_it_is_one(
    cast: Cast, client_for
) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    plan = daily_exchanges(cast)
    client = client_for(cast.alice)
    base = f"/f/{cast.family_a.public_id}/exchanges/{plan.public_id}"
    real = int((next_exchange() - dt.timedelta(days=1)).timestamp())

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        st.one_of(st.integers(min_value=0, max_value=10**20), st.integers(real - 7200, real - 1))
    )
    def check(at: int) -> None:
        response = client.post(f"{base}/{at}/missed/")
        assert response.status_code in (302, 404)
        assert not CheckIn.objects.exists()
        assert not LogEntry.objects.filter(kind="exchange.missed").exists()

    check()
    assert client.post(f"{base}/{real}/missed/").status_code == 302
    assert CheckIn.objects.get().kind == "missed"


def test_a_caregiver_is_reminded_only_of_exchanges_they_hold_a_pass_for(cast: Cast) -> None:
    daily_exchanges(cast)
    at = next_exchange()
    services.reminders_update(
        family=cast.family_a, actor=cast.gran, minutes_before=[60], by_email=True
    )
    assert services.reminders_send(now=at - dt.timedelta(minutes=59)) == 0
    later = at + dt.timedelta(days=1)
    gran_pass(cast, later)
    with committing():
        assert services.reminders_send(now=later - dt.timedelta(minutes=59)) == 1
    assert [m.to for m in sent_mail()] == [[cast.gran.email]]
