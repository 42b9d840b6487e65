"""The fixed test cast, built through the real services.

Family A: alice and bob (parents), gran (grandmother, caregiver), mediator (professional,
read-only), and one child, Kit. Family B: charlie (parent), the outsider, with a child of his own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from coparent.accounts.models import User
from coparent.families import services
from coparent.families.models import Child, Family, Membership, ProfessionalKind, Role

PASSWORD = "correct horse battery staple"


def make_user(email: str, name: str, zone: str = "America/Chicago") -> User:
    return User.objects.create_user(
        email, PASSWORD, display_name=name, timezone=zone, email_verified=True
    )


def join(family: Family, inviter: User, invitee: User, role: str, **extra: object) -> Membership:
    _invitation, token = services.invitation_create(
        family=family, actor=inviter, role=role, **extra
    )  # type: ignore[arg-type]
    return services.invitation_accept(token=token, user=invitee)


@dataclass
class Cast:
    alice: User
    bob: User
    gran: User
    mediator: User
    charlie: User
    family_a: Family
    family_b: Family
    kit: Child
    charlies_child: Child


def build_cast() -> Cast:
    alice = make_user("alice@example.test", "Alice Parent")
    bob = make_user("bob@example.test", "Bob Parent", "America/New_York")
    gran = make_user("gran@example.test", "Gran Caregiver")
    mediator = make_user("mediator@example.test", "Medi Ator")
    charlie = make_user("charlie@example.test", "Charlie Outsider", "Europe/London")

    family_a = services.family_create(actor=alice, name="Family A")
    kit = services.child_add(
        family=family_a, actor=alice, first_name="Kit", date_of_birth=dt.date(2016, 5, 1)
    )
    join(family_a, alice, bob, Role.PARENT)
    join(family_a, alice, gran, Role.CAREGIVER, relationship="Grandmother")
    join(
        family_a,
        alice,
        mediator,
        Role.PROFESSIONAL,
        professional_kind=ProfessionalKind.MEDIATOR,
        access_days=30,
    )

    family_b = services.family_create(actor=charlie, name="Family B")
    charlies_child = services.child_add(
        family=family_b, actor=charlie, first_name="Quinn", date_of_birth=dt.date(2019, 1, 2)
    )
    return Cast(alice, bob, gran, mediator, charlie, family_a, family_b, kit, charlies_child)
