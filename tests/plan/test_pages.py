"""The plan's pages: the plan with its history, proposing and answering, the printable plan,
time away, and call windows on the calendar."""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coparent.decisions.models import Agreement, DecisionStatus
from coparent.plan.models import OfferStatus, TimeAway
from coparent.records.models import LogEntry
from tests.cast import Cast
from tests.exchanges.helpers import daily_exchanges
from tests.plan.helpers import TERMS, agree, away_during_own_time, member_id, propose


def plan_url(cast: Cast, rest: str = "") -> str:
    return f"/f/{cast.family_a.public_id}/plan/{rest}"


def _history(cast: Cast, rounds: int, first: int = 0) -> None:
    for n in range(first, first + rounds):
        for kind, terms in TERMS.items():
            agree(cast, kind, dict(terms, note=f"round {n}"))


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


PLAN_PAGE_QUERIES = 11  # with the two nav counts and the access log's session lookups
PRINT_PAGE_QUERIES = 9


def test_the_plan_page_shows_every_provision_in_force_and_its_history_in_fixed_queries(
    cast: Cast, client_for, django_assert_num_queries
) -> None:
    alice = client_for(cast.alice)
    empty = alice.get(plan_url(cast)).content.decode()
    assert "Right of first refusal" in empty and "Nothing agreed yet." in empty
    _history(cast, 1)
    with django_assert_num_queries(PLAN_PAGE_QUERIES):
        page = alice.get(plan_url(cast)).content.decode()
    assert "round 0" in page and "Agreement history" in page
    assert "Proposed by Alice Parent" in page and "accepted by Bob Parent" in page
    _history(cast, 1, first=1)
    with django_assert_num_queries(PLAN_PAGE_QUERIES):
        page = alice.get(plan_url(cast)).content.decode()
    assert "Superseded" in page and "round 1" in page
    with django_assert_num_queries(PRINT_PAGE_QUERIES):
        printed = alice.get(plan_url(cast, "print/")).content.decode()
    assert "Parenting plan: Family A" in printed and "data-print" in printed
    assert "7. Decision authority" in printed or "Decision authority" in printed


def test_propose_accept_counter_and_decline_through_the_pages(cast: Cast, client_for) -> None:
    alice, bob = client_for(cast.alice), client_for(cast.bob)
    form = alice.get(plan_url(cast, "propose/relocation/"))
    assert form.status_code == 200 and "Days of notice before a move" in form.content.decode()
    respond_by = (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = alice.post(
        plan_url(cast, "propose/relocation/"),
        {"notice_days": "60", "respond_by": respond_by, "details": "", "note": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = bob.get(plan_url(cast)).content.decode()
    assert "proposed a change" in page
    proposal_id = re.search(r"/plan/proposals/([0-9a-f-]+)/answer/", page).group(1)
    counter = bob.post(
        plan_url(cast, f"proposals/{proposal_id}/counter/"),
        {"notice_days": "90", "respond_by": respond_by, "details": "Longer", "note": ""},
    )
    assert counter.status_code == 302
    page = alice.get(plan_url(cast)).content.decode()
    counter_id = re.search(r"/plan/proposals/([0-9a-f-]+)/answer/", page).group(1)
    assert counter_id != proposal_id
    accepted = alice.post(plan_url(cast, f"proposals/{counter_id}/answer/"), {"answer": "accept"})
    assert accepted.status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.proposal.payload["notice_days"] == 90
    assert agreement.accepted_by == cast.alice
    # a change, declined with a reason: the agreement stays in force
    alice.post(
        plan_url(cast, "propose/relocation/"),
        {"notice_days": "7", "respond_by": respond_by, "details": "", "note": ""},
    )
    page = bob.get(plan_url(cast)).content.decode()
    pending_id = re.search(r"/plan/proposals/([0-9a-f-]+)/answer/", page).group(1)
    bob.post(
        plan_url(cast, f"proposals/{pending_id}/answer/"),
        {"answer": "decline", "reason": "Too short"},
    )
    assert agreement.__class__.objects.filter(superseded_by__isnull=True).count() == 1
    assert agreement.decision.__class__.objects.filter(status=DecisionStatus.DECLINED).count() == 1


def test_a_bad_form_is_shown_again_and_changes_nothing(cast: Cast, client_for) -> None:
    alice = client_for(cast.alice)
    before = LogEntry.objects.filter(family=cast.family_a).count()
    for body in (
        {"notice_days": "-1", "respond_by": "2026-07-01T10:00"},
        {"notice_days": "30", "respond_by": "2001-01-01T10:00"},
        {"notice_days": "30", "respond_by": "2026-07-01T10:00", "note": "bad\x00"},
    ):
        response = alice.post(plan_url(cast, "propose/relocation/"), body)
        assert (response.status_code == 200 and "form-errors" in response.content.decode()) or (
            "error" in response.content.decode()
        )
    assert LogEntry.objects.filter(family=cast.family_a).count() == before
    assert alice.get(plan_url(cast, "propose/nonsense/")).status_code == 404


def test_named_parents_are_offered_by_name(cast: Cast, client_for) -> None:
    agree(cast, "authority", {"education": member_id(cast, cast.bob), "medical": "joint"})
    page = client_for(cast.alice).get(plan_url(cast)).content.decode()
    assert "Bob Parent" in page and "Both parents, jointly" in page
    form = client_for(cast.alice).get(plan_url(cast, "propose/authority/")).content.decode()
    assert "Alice Parent alone" in form and "Bob Parent alone" in form


def test_the_caregiver_sees_only_shared_provisions_and_no_history(cast: Cast, client_for) -> None:
    shared = agree(cast, "online", TERMS["online"])
    agree(cast, "relocation", TERMS["relocation"])
    propose(cast, "travel", TERMS["travel"])
    alice = client_for(cast.alice)
    page = alice.get(plan_url(cast)).content.decode()
    assert "Share with caregivers" in page
    share = plan_url(cast, f"agreements/{shared.public_id}/share/")
    assert alice.post(share, {"caregivers": "yes"}).status_code == 302
    shared.refresh_from_db()
    assert shared.shared_with_caregivers
    gran = client_for(cast.gran)
    assert gran.post(share, {"caregivers": "no"}).status_code == 404
    page = gran.get(plan_url(cast)).content.decode()
    assert "YouTube Kids" in page
    assert "Notice before a move" not in page and "proposed a change" not in page
    assert "Agreement history" not in page and "/plan/propose/" not in page
    printed = gran.get(plan_url(cast, "print/")).content.decode()
    assert "YouTube Kids" in printed and "Notice before a move" not in printed
    assert gran.get(plan_url(cast, "propose/online/")).status_code == 404
    assert gran.get(plan_url(cast, "time-away/new/")).status_code == 404
    mediator = client_for(cast.mediator)
    page = mediator.get(plan_url(cast)).content.decode()
    assert "Notice before a move" in page and "Agreement history" in page
    assert mediator.get(plan_url(cast, "propose/online/")).status_code == 403
    assert mediator.post(plan_url(cast, "propose/online/"), {}).status_code == 403


def test_time_away_through_the_pages(cast: Cast, client_for, django_assert_num_queries) -> None:
    plan = daily_exchanges(cast)
    alice, bob = client_for(cast.alice), client_for(cast.bob)
    assert (
        "no agreed right of first refusal"
        in alice.get(plan_url(cast, "time-away/new/")).content.decode()
    )
    agree(cast, "first_refusal", {"hours": 4})
    form = alice.get(plan_url(cast, "time-away/new/")).content.decode()
    assert "more than 4 hours" in form
    away = away_during_own_time(cast, plan, hours=6)
    with django_assert_num_queries(TIME_AWAY_PAGE_QUERIES):
        page = bob.get(plan_url(cast, f"time-away/{away.public_id}/")).content.decode()
    assert "Accept: I will have the children" in page
    day = timezone.localtime(away.starts_at).date().isoformat()
    calendar = alice.get(f"/f/{cast.family_a.public_id}/calendar/week/?date={day}")
    assert "Alice Parent away: Waiting for the other parent" in calendar.content.decode()
    gran = client_for(cast.gran).get(f"/f/{cast.family_a.public_id}/calendar/week/?date={day}")
    assert "Alice Parent away" not in gran.content.decode()
    assert (
        bob.get(f"/f/{cast.family_a.public_id}/")
        .content.decode()
        .count(f"time-away/{away.public_id}")
        >= 1
    ), "the offer waits in Needs you"
    response = bob.post(plan_url(cast, f"time-away/{away.public_id}/answer/"), {"answer": "accept"})
    assert response.status_code == 302
    away.refresh_from_db()
    assert away.status == OfferStatus.ACCEPTED and away.swap is not None
    page = alice.get(plan_url(cast, f"time-away/{away.public_id}/")).content.decode()
    assert "The swap on the schedule" in page
    # a new offer from the form itself
    start = away.ends_at + dt.timedelta(days=2)
    local = timezone.localtime
    response = alice.post(
        plan_url(cast, "time-away/new/"),
        {
            "plan": str(plan.public_id),
            "starts_at": local(start).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": local(start + dt.timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"),
            "note": "",
        },
    )
    assert response.status_code in (200, 302)
    assert TimeAway.objects.count() in (1, 2)


TIME_AWAY_PAGE_QUERIES = 10


def test_call_windows_are_on_the_calendar_in_the_viewers_zone(cast: Cast, client_for) -> None:
    daily_exchanges(cast)
    agree(
        cast,
        "calls",
        {
            "timezone": "America/Chicago",
            "windows": [{"weekdays": [2], "start": "18:30", "end": "19:00"}],
        },
    )
    # Wednesday 17 June 2026, 18:30 in Chicago: 19:30 in New York (bob), 18:30 for alice.
    week = "calendar/week/?date=2026-06-15"
    alice_page = client_for(cast.alice).get(f"/f/{cast.family_a.public_id}/{week}").content
    bob_page = client_for(cast.bob).get(f"/f/{cast.family_a.public_id}/{week}").content
    assert "18:30\u201319:00" in alice_page.decode() and "Call window" in alice_page.decode()
    assert "19:30\u201320:00" in bob_page.decode()
    month = client_for(cast.bob).get(f"/f/{cast.family_a.public_id}/calendar/?month=2026-06")
    assert (
        month.content.decode().count("call-window") == 5
    )  # the Wednesdays of the grid, 3 June to 1 July


def test_the_decisions_page_of_a_provision_shows_its_terms_in_words(cast: Cast, client_for) -> None:
    proposal = propose(
        cast, "authority", {"education": member_id(cast, cast.bob), "medical": "joint"}
    )
    page = client_for(cast.bob).get(
        f"/f/{cast.family_a.public_id}/decisions/{proposal.decision.public_id}/"
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Education decisions" in text and "Bob Parent" in text
