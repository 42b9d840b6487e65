"""Every event that concerns someone tells the right people, and never the person who did it."""

from __future__ import annotations

import datetime as dt

import pytest

from coparent.accounts import services as account_services
from coparent.exchanges import services as exchange_services
from coparent.families import services as family_services
from coparent.families.models import Membership, Role
from coparent.notifications.models import Kind, Notification
from coparent.passes import services as pass_services
from coparent.schedule import services as schedule_services
from tests.cast import Cast, make_user
from tests.exchanges.helpers import daily_exchanges, next_exchange, sides
from tests.messaging.helpers import open_thread
from tests.notifications.helpers import told
from tests.passes.test_passes import issue, one_parent_always, responsible, token_of
from tests.schedule.helpers import agreed, swap, two_two_three

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh(cast: Cast) -> Cast:
    return cast  # conftest's cast starts with no notifications


def recipients(kind: str) -> set[str]:
    return {n.recipient.email for n in Notification.objects.filter(kind=kind)}


def test_a_message_tells_the_others_in_the_conversation_only(fresh: Cast) -> None:
    thread = open_thread(fresh, subject="School pickup")
    assert recipients(Kind.MESSAGE) == {fresh.bob.email}, "not the sender, not gran (not in it)"
    (note,) = told(fresh.bob, Kind.MESSAGE)
    assert note.family == fresh.family_a
    assert note.link == f"/f/{fresh.family_a.public_id}/messages/{thread.public_id}/"
    assert "Alice Parent" in note.detail_title and "School pickup" in note.detail_title
    assert "Alice" not in note.title and "School" not in note.title


def test_a_schedule_proposal_and_its_answer(fresh: Cast) -> None:
    version = schedule_services.schedule_propose(
        family=fresh.family_a, actor=fresh.alice, spec=two_two_three()
    )
    assert recipients(Kind.SCHEDULE_PROPOSAL) == {fresh.bob.email}
    schedule_services.schedule_decline(family=fresh.family_a, actor=fresh.bob, version=version)
    assert recipients(Kind.SCHEDULE_ANSWER) == {fresh.alice.email}
    assert "declined" in told(fresh.alice, Kind.SCHEDULE_ANSWER)[0].detail_title
    agreed(fresh)
    answers = told(fresh.alice, Kind.SCHEDULE_ANSWER)
    assert len(answers) == 2 and "accepted" in answers[0].detail_title


def test_a_swap_request_and_its_answer(fresh: Cast) -> None:
    version = agreed(fresh)
    asked = swap(fresh, version, by=fresh.alice)
    assert recipients(Kind.SWAP_REQUEST) == {fresh.bob.email}
    (note,) = told(fresh.bob, Kind.SWAP_REQUEST)
    assert note.link.endswith(f"/swaps/{asked.public_id}/")
    assert note.detail_body == "Grandma's birthday"
    schedule_services.swap_accept(family=fresh.family_a, actor=fresh.bob, swap=asked)
    assert recipients(Kind.SWAP_ANSWER) == {fresh.alice.email}


def test_passes_issued_cosigned_revoked_and_checked(fresh: Cast) -> None:
    # No schedule: every pass needs the other parent's co-signature.
    waiting = issue(fresh, actor=fresh.alice)
    assert recipients(Kind.PASS_ISSUED) == {fresh.bob.email}
    assert "co-sign" in told(fresh.bob, Kind.PASS_ISSUED)[0].detail_body
    pass_services.pass_cosign(family=fresh.family_a, actor=fresh.bob, pickup_pass=waiting)
    assert recipients(Kind.PASS_COSIGNED) == {fresh.alice.email}
    pass_services.pass_check(token_of(waiting))
    assert recipients(Kind.PASS_CHECKED) == {fresh.alice.email, fresh.bob.email}, "no actor"
    assert "valid" in told(fresh.bob, Kind.PASS_CHECKED)[0].detail_title
    pass_services.pass_revoke(family=fresh.family_a, actor=fresh.alice, pickup_pass=waiting)
    assert recipients(Kind.PASS_REVOKED) == {fresh.bob.email}
    pass_services.pass_check(token_of(waiting))
    latest = told(fresh.alice, Kind.PASS_CHECKED)[0]
    assert "NOT valid" in latest.detail_title and latest.detail_body


def test_a_pass_issued_by_the_responsible_parent_tells_the_other(fresh: Cast) -> None:
    one_parent_always(fresh)
    Notification.objects.all().delete()
    issue(fresh)
    other = fresh.bob if responsible(fresh) == fresh.alice else fresh.alice
    assert recipients(Kind.PASS_ISSUED) == {other.email}


def test_a_check_in_tells_the_other_side(fresh: Cast) -> None:
    plan = daily_exchanges(fresh)
    at = next_exchange()
    giver, taker = sides(plan, at)
    exchange_services.checkin_record(
        family=fresh.family_a,
        actor=giver,
        plan=plan,
        exchange_at=at,
        kind="arrived",
        now=at - dt.timedelta(minutes=5),
    )
    assert recipients(Kind.EXCHANGE_CHECKIN) == {taker.email}
    assert giver.display_name in told(taker, Kind.EXCHANGE_CHECKIN)[0].detail_title


def test_an_exchange_reminder_goes_to_whoever_asked_for_it(fresh: Cast) -> None:
    plan = daily_exchanges(fresh)
    at = next_exchange()
    giver, _taker = sides(plan, at)
    exchange_services.reminders_update(
        family=fresh.family_a, actor=giver, minutes_before=[60], by_email=True
    )
    assert exchange_services.reminders_send(now=at - dt.timedelta(minutes=30)) == 1
    assert recipients(Kind.EXCHANGE_REMINDER) == {giver.email}
    (note,) = told(giver, Kind.EXCHANGE_REMINDER)
    assert "hands over to" in note.detail_title
    assert note.link.endswith(f"/exchanges/{plan.public_id}/{int(at.timestamp())}/")
    assert exchange_services.reminders_send(now=at - dt.timedelta(minutes=29)) == 0


def test_an_accepted_invitation_tells_the_parents_not_the_newcomer(fresh: Cast) -> None:
    uncle = make_user("uncle@example.test", "Uncle Caregiver")
    _invitation, token = family_services.invitation_create(
        family=fresh.family_a, actor=fresh.alice, role=Role.CAREGIVER
    )
    family_services.invitation_accept(token=token, user=uncle)
    assert recipients(Kind.MEMBER_JOINED) == {fresh.alice.email, fresh.bob.email}
    assert "Uncle Caregiver" in told(fresh.bob, Kind.MEMBER_JOINED)[0].detail_title


def test_professional_access_granted_and_ended(fresh: Cast) -> None:
    lawyer = make_user("lawyer@example.test", "Lee Counsel")
    _invitation, token = family_services.invitation_create(
        family=fresh.family_a,
        actor=fresh.bob,
        role=Role.PROFESSIONAL,
        professional_kind="attorney",
        access_days=10,
    )
    membership = family_services.invitation_accept(token=token, user=lawyer)
    assert recipients(Kind.PROFESSIONAL_ACCESS) == {fresh.alice.email, fresh.bob.email}
    assert "read-only" in told(fresh.alice, Kind.PROFESSIONAL_ACCESS)[0].detail_title
    Notification.objects.all().delete()
    family_services.membership_revoke(
        family=fresh.family_a, actor=fresh.alice, membership=membership
    )
    assert recipients(Kind.PROFESSIONAL_ACCESS) == {fresh.bob.email}
    assert "Lee Counsel" in told(fresh.bob, Kind.PROFESSIONAL_ACCESS)[0].detail_title


def test_ending_a_caregivers_access_is_not_a_professional_notice(fresh: Cast) -> None:
    gran = Membership.objects.get(family=fresh.family_a, user=fresh.gran)
    family_services.membership_revoke(family=fresh.family_a, actor=fresh.alice, membership=gran)
    assert not Notification.objects.exists()


def test_a_new_browser_sign_in_is_an_account_notice(fresh: Cast) -> None:
    account_services.session_record(
        user=fresh.alice, session_key="k1", ip_address="203.0.113.9", user_agent="Firefox"
    )
    (note,) = told(fresh.alice, Kind.SIGN_IN)
    assert note.family is None and note.link == "/account/sessions/"
    assert "Firefox" in note.detail_title and "203.0.113.9" in note.detail_title
    account_services.session_record(
        user=fresh.alice, session_key="k2", ip_address="203.0.113.9", user_agent="Firefox"
    )
    assert len(told(fresh.alice, Kind.SIGN_IN)) == 1, "a known browser is not news"


def test_nobody_is_told_of_their_own_action_and_inactive_people_are_not_told(
    fresh: Cast,
) -> None:
    from coparent.notifications.services import Detail, notify

    fresh.bob.is_active = False
    fresh.bob.save(update_fields=["is_active"])
    made = notify(
        fresh.family_a,
        [fresh.alice, fresh.bob, fresh.alice],
        Kind.MESSAGE,
        link="/",
        detail=Detail("x"),
        actor=fresh.alice,
    )
    assert made == [] and not Notification.objects.exists()
