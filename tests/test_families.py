"""Families, roles, invitations and professional access, through services and pages."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from coparent.accounts.models import User
from coparent.core.errors import Conflict, ServiceError
from coparent.families import services
from coparent.families.models import (
    AccessLogEntry,
    Child,
    Invitation,
    Membership,
    ProfessionalKind,
    Role,
)
from tests.cast import Cast, make_user

pytestmark = pytest.mark.django_db


def test_creating_a_family_makes_you_its_parent(cast: Cast) -> None:
    family = services.family_create(actor=cast.charlie, name="  Second family ")
    membership = Membership.objects.get(family=family, user=cast.charlie)
    assert family.name == "Second family" and membership.role == Role.PARENT


def test_an_unconfirmed_email_cannot_create_a_family(db: None) -> None:
    user = User.objects.create_user("x@example.test", "a fine passphrase", display_name="X")
    with pytest.raises(ServiceError, match="Confirm your email"):
        services.family_create(actor=user, name="F")


def test_the_invitation_decides_the_role_never_the_invitee(cast: Cast) -> None:
    newcomer = make_user("new@example.test", "Newcomer")
    _invitation, token = services.invitation_create(
        family=cast.family_a, actor=cast.alice, role=Role.CAREGIVER, relationship="Nanny"
    )
    membership = services.invitation_accept(token=token, user=newcomer)
    assert (membership.role, membership.role_label) == (Role.CAREGIVER, "Nanny")
    with pytest.raises(Conflict, match="already been used"):
        services.invitation_accept(token=token, user=make_user("other@example.test", "Other"))


def test_a_family_has_at_most_two_parents(cast: Cast) -> None:
    with pytest.raises(ServiceError, match="two parents"):
        services.invitation_create(
            family=cast.family_b, actor=cast.charlie, role=Role.PARENT
        ) and None
        services.invitation_create(family=cast.family_a, actor=cast.alice, role=Role.PARENT)


def test_two_parent_invitations_accepted_in_turn_make_only_one_parent(cast: Cast) -> None:
    _one, first = services.invitation_create(
        family=cast.family_b, actor=cast.charlie, role=Role.PARENT
    )
    _two, second = services.invitation_create(
        family=cast.family_b, actor=cast.charlie, role=Role.PARENT
    )
    services.invitation_accept(token=first, user=make_user("p2@example.test", "P2"))
    with pytest.raises(Conflict, match="two parents"):
        services.invitation_accept(token=second, user=make_user("p3@example.test", "P3"))
    assert Membership.objects.active().filter(family=cast.family_b, role=Role.PARENT).count() == 2


@pytest.mark.django_db(transaction=True)
def test_simultaneous_acceptances_of_one_invitation_give_exactly_one_member() -> None:
    from tests.cast import build_cast

    cast = build_cast()
    _invitation, token = services.invitation_create(
        family=cast.family_b, actor=cast.charlie, role=Role.CAREGIVER
    )
    people = [make_user(f"racer{i}@example.test", f"Racer {i}") for i in range(4)]
    outcomes: list[str] = []
    barrier = threading.Barrier(len(people))

    def accept(user: User) -> None:
        barrier.wait()
        try:
            services.invitation_accept(token=token, user=user)
            outcomes.append("joined")
        except Conflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["joined", "refused", "refused", "refused"]
    assert Membership.objects.filter(family=cast.family_b, role=Role.CAREGIVER).count() == 1


def test_withdrawn_and_expired_invitations_do_not_work(cast: Cast) -> None:
    invitation, token = services.invitation_create(
        family=cast.family_a, actor=cast.alice, role=Role.CAREGIVER
    )
    services.invitation_revoke(family=cast.family_a, actor=cast.bob, invitation=invitation)
    with pytest.raises(Conflict, match="withdrawn"):
        services.invitation_accept(token=token, user=make_user("n@example.test", "N"))
    invitation, token = services.invitation_create(
        family=cast.family_a, actor=cast.alice, role=Role.CAREGIVER
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with pytest.raises(Conflict, match="expired"):
        services.invitation_accept(token=token, user=make_user("m@example.test", "M"))


def test_an_invitation_sent_to_an_address_needs_that_address(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, token = services.invitation_create(
            family=cast.family_a, actor=cast.alice, role=Role.CAREGIVER, email="Cousin@Example.test"
        )
    assert mail.outbox[-1].to == ["cousin@example.test"]
    assert token in mail.outbox[-1].body
    with pytest.raises(ServiceError, match="another email address"):
        services.invitation_accept(token=token, user=make_user("someone@example.test", "Someone"))
    assert (
        services.invitation_accept(
            token=token, user=make_user("cousin@example.test", "Cousin")
        ).role
        == Role.CAREGIVER
    )


def test_only_parents_invite_add_children_or_end_access(cast: Cast) -> None:
    for actor in (cast.gran, cast.mediator, cast.charlie):
        with pytest.raises(ServiceError, match="Only a parent"):
            services.invitation_create(family=cast.family_a, actor=actor, role=Role.CAREGIVER)
        with pytest.raises(ServiceError, match="Only a parent"):
            services.child_add(
                family=cast.family_a, actor=actor, first_name="X", date_of_birth=dt.date(2020, 1, 1)
            )


def test_either_parent_ends_a_professionals_access_and_it_is_gone_at_once(
    cast: Cast, client_for
) -> None:
    mediator = client_for(cast.mediator)
    url = f"/f/{cast.family_a.public_id}/"
    assert mediator.get(url).status_code == 200
    membership = Membership.objects.get(family=cast.family_a, user=cast.mediator)
    client_for(cast.bob).post(
        f"/f/{cast.family_a.public_id}/people/{membership.public_id}/end-access/"
    )
    assert mediator.get(url).status_code == 404


def test_professional_access_expires_on_its_date(cast: Cast, client_for) -> None:
    Membership.objects.filter(user=cast.mediator).update(
        access_until=timezone.now() - dt.timedelta(minutes=1)
    )
    assert client_for(cast.mediator).get(f"/f/{cast.family_a.public_id}/").status_code == 404


def test_a_parent_cannot_remove_the_other_parent(cast: Cast) -> None:
    bob = Membership.objects.get(family=cast.family_a, user=cast.bob)
    with pytest.raises(ServiceError, match="cannot be removed"):
        services.membership_revoke(family=cast.family_a, actor=cast.alice, membership=bob)


def test_professional_access_is_limited_in_time(cast: Cast) -> None:
    with pytest.raises(ServiceError, match="1 to 366 days"):
        services.invitation_create(
            family=cast.family_a,
            actor=cast.alice,
            role=Role.PROFESSIONAL,
            professional_kind=ProfessionalKind.ATTORNEY,
            access_days=1000,
        )
    membership = Membership.objects.get(user=cast.mediator)
    assert membership.access_until is not None
    assert dt.timedelta(days=29) < membership.access_until - timezone.now() <= dt.timedelta(days=30)


def test_every_professional_visit_is_in_the_access_log_parents_read(cast: Cast, client_for) -> None:
    mediator = client_for(cast.mediator)
    mediator.get(f"/f/{cast.family_a.public_id}/")
    mediator.get(f"/api/v1/families/{cast.family_a.public_id}/children")
    client_for(cast.alice).get(f"/f/{cast.family_a.public_id}/")
    entries = list(AccessLogEntry.objects.filter(family=cast.family_a).order_by("at"))
    assert [(e.user, e.via_api) for e in entries] == [(cast.mediator, False), (cast.mediator, True)]
    page = client_for(cast.bob).get(f"/f/{cast.family_a.public_id}/access-log/")
    log = page.content.decode().split('data-testid="access-log"')[1]  # after the people filter
    assert log.count("Medi Ator") == 2


def test_children_bad_input_changes_nothing(cast: Cast, client_for) -> None:
    client = client_for(cast.alice)
    url = f"/f/{cast.family_a.public_id}/children/add/"
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(url, {"first_name": "Future", "date_of_birth": tomorrow.isoformat()})
    assert "cannot be in the future" in response.content.decode()
    response = client.post(url, {"first_name": "", "date_of_birth": "2020-01-01"})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert Child.objects.filter(family=cast.family_a).count() == 1
    assert client.post(url, {"first_name": "Lee", "date_of_birth": "2021-02-03"}).status_code == 302
    assert Child.objects.filter(family=cast.family_a, first_name="Lee").exists()


def test_a_person_in_two_families_switches_between_them(cast: Cast, client_for) -> None:
    _inv, token = services.invitation_create(
        family=cast.family_b, actor=cast.charlie, role=Role.PARENT
    )
    services.invitation_accept(token=token, user=cast.alice)
    client = client_for(cast.alice)
    page = client.get(f"/f/{cast.family_b.public_id}/").content.decode()
    assert "Family A" in page and "Family B" in page, "the switcher lists both families"
    assert client.get("/").url == f"/f/{cast.family_b.public_id}/", (
        "home opens the family used last"
    )
    client.get(f"/f/{cast.family_a.public_id}/")
    assert client.get("/").url == f"/f/{cast.family_a.public_id}/"


def test_invitation_page_flow_for_a_new_person(
    cast: Cast, client_for, django_capture_on_commit_callbacks
) -> None:
    alice = client_for(cast.alice)
    response = alice.post(
        f"/f/{cast.family_a.public_id}/people/invite/",
        {
            "role": "caregiver",
            "relationship": "Uncle",
            "email": "",
            "access_days": "",
            "professional_kind": "",
            "child": "",
        },
    )
    link = response.context["link"]
    path = link.removeprefix("http://testserver")
    anonymous = Client()
    assert "Create an account" in anonymous.get(path).content.decode()
    uncle = make_user("uncle@example.test", "Uncle")
    client = client_for(uncle)
    assert client.post(path).status_code == 302
    assert Membership.objects.get(user=uncle).role_label == "Uncle"
    assert "already been used" in client.get(path).content.decode()
    assert Client().get("/invite/not-a-real-token/").status_code == 404


def test_professional_access_is_counted_from_acceptance(cast: Cast) -> None:
    _inv, token = services.invitation_create(
        family=cast.family_a,
        actor=cast.alice,
        role=Role.PROFESSIONAL,
        professional_kind=ProfessionalKind.ATTORNEY,
        access_days=10,
    )
    Invitation.objects.filter(public_id=_inv.public_id).update(
        created_at=timezone.now() - dt.timedelta(days=5)
    )
    membership = services.invitation_accept(token=token, user=make_user("law@example.test", "Law"))
    assert (
        dt.timedelta(days=9, hours=23)
        < membership.access_until - timezone.now()
        <= dt.timedelta(days=10)
    )


def test_one_child_gets_one_account_even_with_two_invitations(cast: Cast) -> None:
    _one, first = services.invitation_create(
        family=cast.family_a, actor=cast.alice, role=Role.CHILD, child=cast.kit
    )
    _two, second = services.invitation_create(
        family=cast.family_a, actor=cast.bob, role=Role.CHILD, child=cast.kit
    )
    services.invitation_accept(token=first, user=make_user("kit1@example.test", "Kit"))
    with pytest.raises(Conflict, match="already has an account"):
        services.invitation_accept(token=second, user=make_user("kit2@example.test", "Kit again"))
