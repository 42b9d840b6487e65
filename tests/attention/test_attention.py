"""What waits for each person: one provider per area, roles, other families, the navigation's
badge, home and the API."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coparent.accounts.models import ApiToken
from coparent.accounts.services import api_token_create
from coparent.attention.selectors import BADGE_SECONDS, answer_count, badge_count, items_for
from coparent.exchanges import services as exchange_services
from coparent.families import services as family_services
from coparent.families.models import Membership, Role
from coparent.messaging import services as messaging
from coparent.passes import services as pass_services
from coparent.schedule import services as schedule_services
from tests.cast import Cast
from tests.exchanges.helpers import daily_exchanges
from tests.messaging.helpers import open_thread, send
from tests.passes.test_passes import issue, window
from tests.schedule.helpers import agreed, soon, swap, two_two_three

pytestmark = pytest.mark.django_db


# What the API says of each item.
ITEM_FIELDS = {
    "kind",
    "title",
    "detail",
    "link",
    "deadline",
    "count",
    "answer",
    "stands_for",
    "summary",
}


def items(cast: Cast, user, family=None):
    family = family or cast.family_a
    membership = Membership.objects.active().get(family=family, user=user)
    return items_for(family, membership)


def kinds(cast: Cast, user, family=None) -> list[str]:
    return [item.kind for item in items(cast, user, family)]


def badge(cast: Cast, user, family=None) -> int:
    family = family or cast.family_a
    return badge_count(family, Membership.objects.active().get(family=family, user=user))


# ---- providers ---------------------------------------------------------------------------------


def test_nothing_needs_anyone_in_a_new_family(cast: Cast) -> None:
    for user in (cast.alice, cast.bob, cast.gran, cast.mediator):
        assert items(cast, user) == []
        assert badge(cast, user) == 0


def test_a_swap_waits_for_the_other_parent_until_answered(cast: Cast) -> None:
    version = agreed(cast, two_two_three())
    request = swap(cast, version, by=cast.alice)
    [item] = [i for i in items(cast, cast.bob) if i.kind == "swap"]
    assert item.title == "Alice Parent asks to swap time"
    assert item.link == f"/f/{cast.family_a.public_id}/swaps/{request.public_id}/"
    assert item.deadline == request.respond_by
    assert item.answer
    assert "Answer by" in item.detail
    assert "swap" not in kinds(cast, cast.alice)  # the one who asked waits, but has nothing to do
    assert "swap" not in kinds(cast, cast.gran)
    assert badge(cast, cast.bob) == 1
    schedule_services.swap_accept(family=cast.family_a, actor=cast.bob, swap=request)
    assert "swap" not in kinds(cast, cast.bob)
    assert badge(cast, cast.bob) == 0


def test_a_counter_offer_waits_for_the_first_parent(cast: Cast) -> None:
    version = agreed(cast, two_two_three())
    request = swap(cast, version, by=cast.alice)
    schedule_services.swap_counter(
        family=cast.family_a,
        actor=cast.bob,
        swap=request,
        start_at=soon(20),
        end_at=soon(22),
        respond_by=soon(18),
    )
    assert "swap" not in kinds(cast, cast.bob)
    [item] = [i for i in items(cast, cast.alice) if i.kind == "swap"]
    assert item.title == "Bob Parent answered your request with a counter-offer"


def test_an_expired_swap_is_not_answerable(cast: Cast, time_machine) -> None:
    version = agreed(cast, two_two_three())
    request = swap(cast, version, by=cast.alice)
    time_machine.move_to(request.respond_by + dt.timedelta(minutes=1))
    assert "swap" not in kinds(cast, cast.bob)
    assert badge(cast, cast.bob) == 0


def test_a_schedule_proposal_waits_for_the_other_parent(cast: Cast) -> None:
    version = schedule_services.schedule_propose(
        family=cast.family_a, actor=cast.alice, spec=two_two_three()
    )
    [item] = items(cast, cast.bob)
    assert (item.kind, item.title) == ("schedule", "Alice Parent proposes a schedule")
    assert item.link.endswith(f"/schedule/#version-{version.public_id}")
    assert items(cast, cast.alice) == []
    assert items(cast, cast.gran) == []
    schedule_services.schedule_decline(family=cast.family_a, actor=cast.bob, version=version)
    assert items(cast, cast.bob) == []


def test_a_schedule_change_says_when_it_starts(cast: Cast) -> None:
    agreed(cast, two_two_three())
    schedule_services.schedule_propose(
        family=cast.family_a,
        actor=cast.bob,
        spec=two_two_three(),
        effective_at=timezone.now() + dt.timedelta(days=30),
    )
    [item] = [i for i in items(cast, cast.alice) if i.kind == "schedule"]
    assert item.title == "Bob Parent proposes a schedule change"
    assert "from " in item.detail


def test_proposed_exchange_terms_wait_for_the_other_parent(cast: Cast) -> None:
    plan = daily_exchanges(cast)
    terms = exchange_services.terms_propose(
        family=cast.family_a,
        actor=cast.alice,
        plan=plan,
        place_kind="public",
        place_name="Library car park",
        grace_minutes=15,
    )
    [item] = [i for i in items(cast, cast.bob) if i.kind == "terms"]
    assert "Library car park" in item.detail
    assert item.link == f"/f/{cast.family_a.public_id}/exchanges/terms/{plan.public_id}/"
    assert "terms" not in kinds(cast, cast.alice)
    exchange_services.terms_decide(family=cast.family_a, actor=cast.bob, terms=terms, accept=True)
    assert "terms" not in kinds(cast, cast.bob)


def test_a_pass_waits_for_the_co_signature_of_the_other_parent(cast: Cast) -> None:
    pickup_pass = issue(cast, actor=cast.alice)  # no schedule: it needs the other parent
    assert pickup_pass.needs_cosign
    [item] = items(cast, cast.bob)
    assert item.kind == "pass"
    assert item.title == "Co-sign the pickup pass for Jamie Cousin"
    assert "Kit" in item.detail
    assert item.link == f"/f/{cast.family_a.public_id}/passes/{pickup_pass.public_id}/"
    assert item.deadline == pickup_pass.ends_at  # it has started: needed before it ends
    assert items(cast, cast.alice) == []
    assert items(cast, cast.gran) == []
    pass_services.pass_cosign(family=cast.family_a, actor=cast.bob, pickup_pass=pickup_pass)
    assert items(cast, cast.bob) == []


def test_a_pass_to_come_is_needed_before_it_starts_and_an_ended_one_not_at_all(
    cast: Cast, time_machine
) -> None:
    start, end = window(hours_from_now=5)
    pickup_pass = issue(cast, actor=cast.alice, starts_at=start, ends_at=end)
    [item] = items(cast, cast.bob)
    assert item.deadline == pickup_pass.starts_at
    time_machine.move_to(pickup_pass.ends_at + dt.timedelta(seconds=1))
    assert items(cast, cast.bob) == []
    assert badge(cast, cast.bob) == 0


def test_unread_messages_are_counted_per_conversation_until_read(cast: Cast) -> None:
    thread = open_thread(cast, subject="School pickup")
    send(cast, thread, cast.alice, "And her PE kit, please.")
    [item] = items(cast, cast.bob)
    assert (item.kind, item.title, item.count) == ("messages", "School pickup", 2)
    assert item.link == f"/f/{cast.family_a.public_id}/messages/{thread.public_id}/"
    assert items(cast, cast.alice) == []  # one's own messages are not news
    assert items(cast, cast.gran) == []  # not in the conversation
    messaging.message_view(
        family=cast.family_a, actor=cast.bob, messages=list(thread.messages.all())
    )
    assert items(cast, cast.bob) == []
    send(cast, thread, cast.alice, "Thanks!")
    assert [i.count for i in items(cast, cast.bob)] == [1]


def test_a_caregiver_sees_the_conversations_they_are_in(cast: Cast) -> None:
    open_thread(cast, subject="Wednesday pickup", others=[cast.gran])
    assert kinds(cast, cast.gran) == ["messages"]
    assert badge(cast, cast.gran) == 1


def test_a_professional_is_shown_nothing_to_act_on(cast: Cast) -> None:
    open_thread(cast, subject="For the mediator", others=[cast.mediator])
    issue(cast, actor=cast.alice)
    daily_exchanges(cast)
    assert items(cast, cast.mediator) == []
    assert badge(cast, cast.mediator) == 0


def test_exchanges_today_and_tomorrow_with_their_check_ins(cast: Cast) -> None:
    plan = daily_exchanges(cast)
    found = [i for i in items(cast, cast.alice) if i.kind == "exchange"]
    assert 1 <= len(found) <= 2  # every day at 18:00 UTC: today's (in Chicago) and tomorrow's
    assert all(not i.answer for i in found)  # to know, not to answer: not in the badge
    assert badge(cast, cast.alice) == 0
    assert kinds(cast, cast.gran).count("exchange") == len(found)  # a caregiver may collect
    coming = found[0]
    assert (
        "you hand over to Bob Parent" in coming.title
        or "Bob Parent hands over to you" in coming.title
    )
    [gran_sees] = [i for i in items(cast, cast.gran) if i.deadline == coming.deadline]
    assert " to " in gran_sees.title and "you" not in gran_sees.title
    assert "No one has checked in yet." in coming.detail
    at = coming.deadline
    assert at is not None
    assert (
        coming.link
        == f"/f/{cast.family_a.public_id}/exchanges/{plan.public_id}/{int(at.timestamp())}/"
    )
    if at - timezone.now() > dt.timedelta(hours=3):
        return  # check-in is not open yet at this suite time
    exchange_services.checkin_record(
        family=cast.family_a, actor=cast.alice, plan=plan, exchange_at=at, kind="arrived"
    )
    [again] = [i for i in items(cast, cast.bob) if i.kind == "exchange" and i.deadline == at]
    assert "Alice Parent arrived" in again.detail


def test_invitations_not_accepted_yet_are_shown_to_parents(cast: Cast) -> None:
    invitation, _token = family_services.invitation_create(
        family=cast.family_a, actor=cast.alice, role=Role.CAREGIVER, email="nanny@example.test"
    )
    for parent in (cast.alice, cast.bob):
        [item] = items(cast, parent)
        assert item.kind == "invitation"
        assert not item.answer
        assert "nanny@example.test" in item.title
        assert item.link == f"/f/{cast.family_a.public_id}/people/"
    assert items(cast, cast.gran) == []
    assert badge(cast, cast.alice) == 0
    family_services.invitation_revoke(family=cast.family_a, actor=cast.alice, invitation=invitation)
    assert items(cast, cast.alice) == []


def test_another_familys_business_never_shows(cast: Cast) -> None:
    version = agreed(cast, two_two_three())
    swap(cast, version, by=cast.alice)
    open_thread(cast)
    issue(cast, actor=cast.alice)
    assert items(cast, cast.charlie, cast.family_b) == []
    assert badge(cast, cast.charlie, cast.family_b) == 0


def test_soonest_deadline_first_and_badge_agrees_with_the_list(cast: Cast) -> None:
    version = agreed(cast, two_two_three())
    later = swap(cast, version, by=cast.alice, days=12)
    sooner = swap(cast, version, by=cast.alice, days=6)
    open_thread(cast)
    found = items(cast, cast.bob)
    deadlines = [i.deadline for i in found if i.deadline is not None]
    assert deadlines == sorted(deadlines)
    assert [i.link for i in found if i.kind == "swap"] == [
        f"/f/{cast.family_a.public_id}/swaps/{s.public_id}/" for s in (sooner, later)
    ]
    assert found[-1].kind == "messages"  # no deadline: after those that have one
    assert badge(cast, cast.bob) == answer_count(found) == 3


def test_deadlines_are_written_in_the_viewers_zone(cast: Cast) -> None:
    version = agreed(cast, two_two_three())
    request = swap(cast, version, by=cast.alice)
    [item] = [i for i in items(cast, cast.bob) if i.kind == "swap"]
    new_york = request.respond_by.astimezone(dt.timezone(dt.timedelta(hours=-4)))  # EDT in June
    if request.respond_by.month in (6, 7, 8):
        assert new_york.strftime("%H:%M") in item.detail


def test_the_badge_takes_one_query(cast: Cast, django_assert_num_queries) -> None:
    version = agreed(cast, two_two_three())
    swap(cast, version, by=cast.alice)
    membership = (
        Membership.objects.active().select_related("user").get(family=cast.family_a, user=cast.bob)
    )
    with django_assert_num_queries(1):
        assert badge_count(cast.family_a, membership, timezone.now()) == 1


def test_the_navigation_reuses_the_count_until_the_record_grows(
    cast: Cast, django_assert_max_num_queries, time_machine
) -> None:
    """Kept, it costs the record's size and a cache read; an answer anyone gives is an entry on
    the record and shows at once; a deadline passing shows within BADGE_SECONDS."""
    version = agreed(cast, two_two_three())
    first = swap(cast, version, by=cast.alice)
    second = swap(cast, version, by=cast.alice)
    bob = (
        Membership.objects.active().select_related("user").get(family=cast.family_a, user=cast.bob)
    )
    assert badge_count(cast.family_a, bob) == 2
    with django_assert_max_num_queries(2):
        assert badge_count(cast.family_a, bob) == 2
    schedule_services.swap_withdraw(family=cast.family_a, actor=cast.alice, swap=second)
    assert badge_count(cast.family_a, bob) == 1
    time_machine.move_to(first.respond_by - dt.timedelta(seconds=5))
    assert badge_count(cast.family_a, bob) == 1
    time_machine.move_to(first.respond_by + dt.timedelta(seconds=1))
    assert badge_count(cast.family_a, bob) == 1
    time_machine.move_to(first.respond_by + dt.timedelta(seconds=BADGE_SECONDS))
    assert badge_count(cast.family_a, bob) == 0


# ---- pages -------------------------------------------------------------------------------------


def home(cast: Cast) -> str:
    return f"/f/{cast.family_a.public_id}/"


def test_home_lists_what_needs_you_with_links(cast: Cast, client_for) -> None:
    version = agreed(cast, two_two_three())
    request = swap(cast, version, by=cast.alice)
    open_thread(cast, subject="Dentist on Friday")
    page = client_for(cast.bob).get(home(cast)).content.decode()
    assert "Needs you" in page
    assert f'href="/f/{cast.family_a.public_id}/swaps/{request.public_id}/"' in page
    assert "Dentist on Friday" in page
    assert 'data-testid="attention-badge">2<' in page
    assert page.index("Needs you") < page.index("Right now")


def test_home_says_nothing_needs_you(cast: Cast, client_for) -> None:
    page = client_for(cast.alice).get(home(cast)).content.decode()
    assert "Nothing needs you." in page
    assert "attention-badge" not in page


def test_a_professional_gets_no_list_and_no_badge(cast: Cast, client_for) -> None:
    open_thread(cast, others=[cast.mediator])
    page = client_for(cast.mediator).get(home(cast)).content.decode()
    assert "Needs you" not in page
    assert "attention-badge" not in page


def test_the_badge_is_on_every_family_page(cast: Cast, client_for) -> None:
    open_thread(cast)
    page = client_for(cast.bob).get(f"/f/{cast.family_a.public_id}/people/").content.decode()
    assert 'data-testid="attention-badge">1<' in page


def _queries(client: Client, path: str) -> int:
    caches["pages"].clear()  # counted as drawn afresh, not as kept (core/fragments.py)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_pages_take_the_same_queries_whatever_the_familys_history(cast: Cast, client_for) -> None:
    """Home builds the list and the navigation counts it; neither grows with 200 messages and
    50 swaps behind them."""
    version = agreed(cast, two_two_three())
    swap(cast, version, by=cast.alice)
    thread = open_thread(cast)
    issue(cast, actor=cast.alice)
    bob = client_for(cast.bob)
    people = f"/f/{cast.family_a.public_id}/people/"
    bob.get(home(cast))  # the first visit also saves the session (the family used last)
    before = (_queries(bob, home(cast)), _queries(bob, people))
    for n in range(49):
        request = swap(cast, version, by=cast.alice, days=10 + n % 5)
        if n % 2:
            schedule_services.swap_decline(family=cast.family_a, actor=cast.bob, swap=request)
    for n in range(200):
        send(
            cast,
            thread,
            cast.alice if n % 3 else cast.bob,
            f"Pickup note {n}: see you at six.",
            confirm_tone=True,
        )
    for n in range(3):
        open_thread(cast, subject=f"Topic {n}")
    after = (_queries(bob, home(cast)), _queries(bob, people))
    assert after == before
    assert before[0] <= 60 and before[1] <= 20


# ---- API ---------------------------------------------------------------------------------------


def test_the_api_lists_each_family_with_its_items(cast: Cast, client_for) -> None:
    version = agreed(cast, two_two_three())
    request = swap(cast, version, by=cast.alice)
    response = client_for(cast.bob).get("/api/v1/attention")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [family] = body["families"]
    assert family["id"] == str(cast.family_a.public_id)
    assert family["your_role"] == "parent"
    assert family["count"] == 1
    [swap_item] = [i for i in family["items"] if i["kind"] == "swap"]
    assert set(swap_item) == ITEM_FIELDS
    assert swap_item["link"] == f"/f/{cast.family_a.public_id}/swaps/{request.public_id}/"
    assert swap_item["answer"] is True
    assert dt.datetime.fromisoformat(swap_item["deadline"]) == request.respond_by


def test_the_api_keeps_each_person_to_their_own_families(cast: Cast, client_for) -> None:
    open_thread(cast)
    body = client_for(cast.charlie).get("/api/v1/attention").json()
    assert [f["id"] for f in body["families"]] == [str(cast.family_b.public_id)]
    assert body["count"] == 0


def test_the_api_takes_a_token_and_refuses_strangers(cast: Cast) -> None:
    open_thread(cast)
    _token, secret = api_token_create(user=cast.bob, name="phone", scope=ApiToken.READ)
    script = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert script.get("/api/v1/attention").json()["count"] == 1
    stranger = Client(enforce_csrf_checks=True)
    response = stranger.get("/api/v1/attention")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    bad = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION="Bearer cpt_nope")
    assert bad.get("/api/v1/attention").status_code == 401


def test_the_api_is_read_only(cast: Cast, client_for) -> None:
    session = client_for(cast.bob)
    response = session.post("/api/v1/attention", data="{}", content_type="application/json")
    assert response.status_code == 405
    assert "error" in response.json()
    no_token = Client(enforce_csrf_checks=True)
    no_token.force_login(cast.bob)
    assert no_token.get("/api/v1/attention").status_code == 200  # a read needs no CSRF token
    refused = no_token.post("/api/v1/attention", data="{}", content_type="application/json")
    assert refused.status_code in (403, 405)
    assert "error" in refused.json()


def test_the_api_query_count_does_not_grow_with_history(cast: Cast, client_for) -> None:
    version = agreed(cast, two_two_three())
    thread = open_thread(cast)
    bob = client_for(cast.bob)
    # An area with nothing waiting is not asked for its items, so each area starts with one.
    swap(cast, version, by=cast.alice, days=9)
    send(cast, thread, cast.alice, "First pickup note: see you at six.", confirm_tone=True)
    bob.get("/api/v1/attention")  # the first request also saves the session
    before = _queries(bob, "/api/v1/attention")
    for n in range(20):
        swap(cast, version, by=cast.alice, days=10 + n % 5)
        send(cast, thread, cast.alice, f"Pickup note {n}: see you at six.", confirm_tone=True)
    assert _queries(bob, "/api/v1/attention") == before


def test_the_api_is_in_the_openapi_document() -> None:
    from coparent.api.base import api

    schema = api.get_openapi_schema()
    operation = schema["paths"]["/api/v1/attention"]["get"]
    assert operation["x-not-family-scoped"] is True
    out = schema["components"]["schemas"]["AttentionItemOut"]
    assert set(out["properties"]) == ITEM_FIELDS


def test_the_api_takes_no_input_and_hostile_query_strings_change_nothing(
    cast: Cast, client_for
) -> None:
    """It has no parameters: whatever is put in the query string is ignored (200, the same
    answer) or refused in the error shape, and nothing is written."""
    from coparent.records.models import LogEntry

    open_thread(cast)
    bob = client_for(cast.bob)
    expected = bob.get("/api/v1/attention").json()
    entries = LogEntry.objects.count()

    @settings(
        max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(
        st.one_of(
            st.text(max_size=200),
            st.sampled_from(["\x00", "\ud800", "2026-13-45", "9999-12-31T25:00", "x" * 20_000]),
        ),
        st.sampled_from(["family", "since", "kind", "limit", "x"]),
    )
    def check(value: str, name: str) -> None:
        encoded = quote(value.encode("utf-8", "surrogatepass"), safe="")
        response = bob.get(f"/api/v1/attention?{name}={encoded}")
        if response.status_code == 200:
            assert response.json() == expected
        else:
            assert 400 <= response.status_code < 500
            assert "error" in response.json()

    check()
    assert LogEntry.objects.count() == entries


def test_the_demo_shows_a_parent_what_needs_them(db: None) -> None:
    from django.core.management import call_command

    call_command("demo")
    morgan = (
        Membership.objects.active()
        .select_related("family", "user")
        .get(user__email="morgan@demo.coparent.test")
    )
    found = items_for(morgan.family, morgan)
    assert {"swap", "messages", "exchange"} <= {i.kind for i in found}
    assert any(i.kind == "exchange" and " today at " in i.title for i in found)


def test_six_unread_conversations_show_five_and_one_line_for_the_last(
    cast: Cast, client_for
) -> None:
    for n in range(6):
        open_thread(cast, subject=f"Week {n}")
    listed = [i for i in items(cast, cast.bob) if i.kind == "messages"]
    assert [i.title for i in listed[:5]] == [f"Week {n}" for n in range(5, 0, -1)]
    assert listed[-1].title == "1 more conversation with new messages"
    assert listed[-1].stands_for == 1 and listed[-1].link.endswith("/messages/")
    assert listed[-1].summary and not any(i.summary for i in listed[:5])
    assert answer_count(listed) == 6 == badge(cast, cast.bob)
    # The summing-up line is no conversation: it carries no "1 new" badge of its own.
    home = client_for(cast.bob).get(f"/f/{cast.family_a.public_id}/").content.decode()
    summary = home.split("1 more conversation with new messages")[1].split("</li>")[0]
    assert " new</span>" not in summary
