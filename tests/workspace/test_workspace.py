"""The professionals' workspace: every family with when access ends, asking a family for access
by a parent's email (one-parent and both-parents rules), and the parents' per-professional log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from coparent.core.errors import ServiceError
from coparent.families import services
from coparent.families.models import (
    AccessRequest,
    AccessRequestStatus,
    Membership,
    ProfessionalKind,
    Role,
)
from coparent.records.models import LogEntry
from tests.cast import Cast, join
from tests.tasks import committing, sent_mail
from tests.workspace.helpers import ask, coordinator, granted


def kinds(family) -> list[str]:
    return list(LogEntry.objects.filter(family=family).values_list("kind", flat=True))


def test_the_workspace_lists_every_family_with_when_access_ends(cast: Cast, client_for) -> None:
    join(
        cast.family_b,
        cast.charlie,
        cast.mediator,
        Role.PROFESSIONAL,
        professional_kind=ProfessionalKind.PARENTING_COORDINATOR,
        access_days=10,
    )
    page = client_for(cast.mediator).get("/workspace/")
    assert page.status_code == 200
    text = page.content.decode().split('data-testid="workspace-families"')[1]
    assert text.count('data-testid="workspace-family"') == 2
    # Soonest to end first: Family B (10 days) before Family A (30 days).
    assert text.index("Family B") < text.index("Family A")
    assert "Parenting coordinator" in text and "Mediator" in text
    assert text.count("Access ends") == 2


def test_the_workspace_leaves_out_ended_and_other_access(cast: Cast, client_for) -> None:
    membership = Membership.objects.get(family=cast.family_a, user=cast.mediator)
    services.membership_revoke(family=cast.family_a, actor=cast.alice, membership=membership)
    text = client_for(cast.mediator).get("/workspace/").content.decode()
    assert 'data-testid="workspace-family"' not in text
    # A parent's own families are not professional access.
    alice_text = client_for(cast.alice).get("/workspace/").content.decode()
    assert 'data-testid="workspace-family"' not in alice_text


def test_the_workspace_query_count_does_not_grow(
    cast: Cast, client_for, django_assert_num_queries
) -> None:
    client = client_for(cast.mediator)
    client.get("/workspace/")
    with django_assert_num_queries(6):
        assert client.get("/workspace/").status_code == 200
    for n in range(3):
        ask(cast.mediator, email=f"someone{n}@example.test")
        join(
            cast.family_b if n == 0 else services.family_create(actor=cast.charlie, name=f"F{n}"),
            cast.charlie,
            cast.mediator,
            Role.PROFESSIONAL,
            professional_kind=ProfessionalKind.ATTORNEY,
        )
    with django_assert_num_queries(6):
        assert client.get("/workspace/").status_code == 200


def test_asking_says_the_same_whether_or_not_the_address_has_an_account(
    cast: Cast, client_for
) -> None:
    pro = coordinator()
    client = client_for(pro)
    answers = []
    for email in ("alice@example.test", "nobody@example.test"):
        with committing():
            response = client.post(
                "/workspace/ask/",
                {"email": email, "professional_kind": "mediator", "access_days": "45", "note": ""},
                follow=True,
            )
        assert response.status_code == 200
        answers.append(response.content.decode().split("<main")[1].split("</h1>")[0])
    assert answers[0] == answers[1]
    mail = sent_mail()
    assert [m.to for m in mail] == [["alice@example.test"]]
    assert "Pat Coordinator" in mail[0].subject
    request = AccessRequest.objects.get(email="alice@example.test")
    assert f"/access-requests/{request.public_id}/" in mail[0].body


def test_one_parents_approval_grants_time_limited_access(cast: Cast, client_for) -> None:
    pro = coordinator()
    request = ask(pro, days=45)
    alice = client_for(cast.alice)
    page = alice.get(f"/access-requests/{request.public_id}/")
    assert page.status_code == 200
    assert "Case 2026-FC-118" in page.content.decode()
    with committing():
        response = alice.post(
            f"/access-requests/{request.public_id}/",
            {"family": str(cast.family_a.public_id), "action": "approve"},
        )
    assert response.status_code == 302
    membership = Membership.objects.active().get(family=cast.family_a, user=pro)
    assert membership.role == Role.PROFESSIONAL
    assert membership.professional_kind == ProfessionalKind.PARENTING_COORDINATOR
    assert membership.access_until == pytest.approx(
        timezone.now() + dt.timedelta(days=45), abs=dt.timedelta(seconds=30)
    )
    request.refresh_from_db()
    assert request.status == AccessRequestStatus.GRANTED and request.family == cast.family_a
    assert kinds(cast.family_a)[-3:] == [
        "access_request.filed",
        "access_request.approved",
        "access_request.granted",
    ]
    # The other parent is told, and the professional sees the family in their workspace.
    subjects = [m.subject for m in sent_mail() if m.to == ["bob@example.test"]]
    assert subjects, "Bob was not told"
    assert "Family A" in client_for(pro).get("/workspace/").content.decode()
    assert client_for(pro).get(f"/f/{cast.family_a.public_id}/").status_code == 200


def test_both_parents_rule_waits_for_the_second_parent(cast: Cast, client_for) -> None:
    services.family_policy_update(
        family=cast.family_a, actor=cast.bob, access_approval="both", deletion_hold=False
    )
    pro = coordinator()
    request = ask(pro)
    with committing():
        services.access_request_approve(family=cast.family_a, actor=cast.alice, request=request)
    assert not Membership.objects.filter(family=cast.family_a, user=pro).exists()
    with pytest.raises(ServiceError):
        services.access_request_approve(family=cast.family_a, actor=cast.alice, request=request)
    # Bob is told and answers on the family's page for the request.
    bob_mail = [m for m in sent_mail() if m.to == ["bob@example.test"]]
    assert bob_mail
    review = f"/f/{cast.family_a.public_id}/access-requests/{request.public_id}/"
    bob = client_for(cast.bob)
    assert "Alice Parent" in bob.get(review).content.decode()  # who approved already
    response = bob.post(review, {"family": str(cast.family_a.public_id), "action": "approve"})
    assert response.status_code == 302
    assert Membership.objects.active().filter(family=cast.family_a, user=pro).exists()
    assert kinds(cast.family_a).count("access_request.approved") == 2


def test_one_parents_no_declines_even_under_the_both_rule(cast: Cast) -> None:
    services.family_policy_update(
        family=cast.family_a, actor=cast.alice, access_approval="both", deletion_hold=False
    )
    pro = coordinator()
    request = ask(pro)
    services.access_request_approve(family=cast.family_a, actor=cast.alice, request=request)
    with committing():
        services.access_request_decline(family=cast.family_a, actor=cast.bob, request=request)
    request.refresh_from_db()
    assert request.status == AccessRequestStatus.DECLINED
    assert not Membership.objects.filter(family=cast.family_a, user=pro).exists()
    assert any(m.to == ["pc@example.test"] for m in sent_mail())


def test_the_request_page_is_404_to_anyone_but_its_addressee(cast: Cast, client_for) -> None:
    request = ask(coordinator())
    for user in (cast.bob, cast.charlie, cast.gran, cast.mediator):
        assert client_for(user).get(f"/access-requests/{request.public_id}/").status_code == 404
    assert client_for(cast.alice).get("/access-requests/not-a-uuid/").status_code == 404
    # A parent cannot answer for a family they are not a parent of.
    with pytest.raises(ServiceError):
        services.access_request_approve(family=cast.family_b, actor=cast.alice, request=request)


def test_an_expired_or_withdrawn_request_cannot_be_approved(
    cast: Cast, client_for, time_machine
) -> None:
    pro = coordinator()
    request = ask(pro)
    response = client_for(pro).post(f"/workspace/requests/{request.public_id}/withdraw/")
    assert response.status_code == 302
    with pytest.raises(ServiceError):
        services.access_request_approve(family=cast.family_a, actor=cast.alice, request=request)
    later = ask(pro)
    time_machine.shift(dt.timedelta(days=15))
    with pytest.raises(ServiceError, match="expired"):
        services.access_request_approve(family=cast.family_a, actor=cast.alice, request=later)


def test_the_policy_setting_is_on_the_record(cast: Cast, client_for) -> None:
    client = client_for(cast.alice)
    url = f"/f/{cast.family_a.public_id}/settings/"
    response = client.post(
        url, {"form": "policy", "access_approval": "both", "deletion_hold": "on"}
    )
    assert response.status_code == 302
    cast.family_a.refresh_from_db()
    assert cast.family_a.access_approval == "both" and cast.family_a.deletion_hold
    assert kinds(cast.family_a)[-2:] == ["family.access_approval_changed", "family.hold_placed"]
    assert client_for(cast.mediator).post(url, {"form": "policy"}).status_code in (403, 404)


def test_parents_see_what_each_professional_opened(
    cast: Cast, client_for, django_assert_num_queries
) -> None:
    pro = coordinator()
    granted(cast, pro)
    family = cast.family_a.public_id
    client_for(pro).get(f"/f/{family}/calendar/?month=2026-07")
    client_for(cast.mediator).get(f"/f/{family}/people/")
    mine = Membership.objects.get(family=cast.family_a, user=pro)
    alice = client_for(cast.alice)
    alice.get(f"/f/{family}/access-log/{mine.public_id}/")
    with django_assert_num_queries(8):
        page = alice.get(f"/f/{family}/access-log/{mine.public_id}/")
    text = page.content.decode()
    assert "What Pat Coordinator opened" in text
    assert "Pat Coordinator viewed the calendar (July 2026)" in text
    assert "Medi Ator" not in text.split('data-testid="access-log"')[1]
    for _ in range(3):
        client_for(pro).get(f"/f/{family}/people/")
    alice.get(f"/f/{family}/access-log/{mine.public_id}/")  # the visits grew the record
    with django_assert_num_queries(8):
        alice.get(f"/f/{family}/access-log/{mine.public_id}/")
    # Gran's membership is no professional's: 404, as for a made-up one.
    gran = Membership.objects.get(family=cast.family_a, user=cast.gran)
    assert alice.get(f"/f/{family}/access-log/{gran.public_id}/").status_code == 404
    assert client_for(cast.bob).get(f"/f/{family}/access-log/").status_code == 200


def test_a_request_waiting_for_bob_is_on_his_home_and_badge(cast: Cast, client_for) -> None:
    from coparent.attention.selectors import badge_count

    services.family_policy_update(
        family=cast.family_a, actor=cast.alice, access_approval="both", deletion_hold=False
    )
    bob_membership = Membership.objects.get(family=cast.family_a, user=cast.bob)
    before = badge_count(cast.family_a, bob_membership)
    request = ask(coordinator())
    services.access_request_approve(family=cast.family_a, actor=cast.alice, request=request)
    assert badge_count(cast.family_a, bob_membership) == before + 1
    home = client_for(cast.bob).get(f"/f/{cast.family_a.public_id}/").content.decode()
    assert "Pat Coordinator asks for read-only access" in home
    services.access_request_approve(family=cast.family_a, actor=cast.bob, request=request)
    assert badge_count(cast.family_a, bob_membership) == before


def test_the_demo_has_a_coordinator_with_access_and_a_request_waiting_for_sam(
    db: None, client_for
) -> None:
    from coparent.demo.data import load_demo
    from coparent.demo.models import DemoFamily

    load_demo()
    family = DemoFamily.objects.get(key="b").family
    avery = Membership.objects.active().get(
        family=family, professional_kind="parenting-coordinator"
    )
    assert avery.access_until is not None
    waiting = AccessRequest.objects.get(family=family, status=AccessRequestStatus.PENDING)
    sam = Membership.objects.get(family=family, user__email="sam@demo.coparent.test")
    home = client_for(sam.user).get(f"/f/{family.public_id}/").content.decode()
    assert f"{waiting.requester.display_name} asks for read-only access" in home
    assert load_demo() is False


def test_the_workspace_is_linked_for_professionals_and_from_the_family_list(
    cast: Cast, client_for
) -> None:
    family_page = f"/f/{cast.family_a.public_id}/"
    assert 'href="/workspace/"' in client_for(cast.mediator).get(family_page).content.decode()
    assert 'href="/workspace/"' not in client_for(cast.alice).get(family_page).content.decode()
    newcomer = coordinator()
    assert 'href="/workspace/"' in client_for(newcomer).get("/families/").content.decode()
