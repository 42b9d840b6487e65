"""Two unrelated, fictional families, built through the real services.

Family A has two parents, two children, a grandparent and a mediator; family B has its own two
parents and a child, so tenancy can be seen by signing in as each.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from coparent.accounts.models import User
from coparent.families import services
from coparent.families.models import Child, Family, Membership, ProfessionalKind, Role

DEMO_PASSWORD = "coparent-demo-2026"

DEMO_PEOPLE = {
    "morgan": ("morgan@demo.coparent.test", "Morgan Brightwater", "America/Chicago"),
    "casey": ("casey@demo.coparent.test", "Casey Fenwick", "America/New_York"),
    "ellis": ("ellis@demo.coparent.test", "Ellis Brightwater", "America/Chicago"),
    "dana": ("dana@demo.coparent.test", "Dana Quillfeather", "America/Chicago"),
    "riley": ("riley@demo.coparent.test", "Riley Hollowmere", "Europe/London"),
    "sam": ("sam@demo.coparent.test", "Sam Thistledown", "Europe/London"),
}


def _user(key: str) -> User:
    email, name, zone = DEMO_PEOPLE[key]
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email, DEMO_PASSWORD, display_name=name, timezone=zone, email_verified=True
        )
    return user


def _join(family: Family, inviter: User, invitee: User, role: str, **extra: object) -> None:
    if Membership.objects.active().filter(family=family, user=invitee).exists():
        return
    _invitation, token = services.invitation_create(
        family=family,
        actor=inviter,
        role=role,
        **extra,  # type: ignore[arg-type]
    )
    services.invitation_accept(token=token, user=invitee)


@transaction.atomic
def load_demo() -> bool:
    """Creates whatever part of the demo is missing; returns False when all of it was there."""
    if (
        Family.objects.filter(
            name__in=["Brightwater and Fenwick", "Hollowmere and Thistledown"]
        ).count()
        == 2
    ):
        return False
    people = {key: _user(key) for key in DEMO_PEOPLE}

    family_a = Family.objects.filter(
        name="Brightwater and Fenwick"
    ).first() or services.family_create(actor=people["morgan"], name="Brightwater and Fenwick")
    if not Child.objects.filter(family=family_a).exists():
        services.child_add(
            family=family_a,
            actor=people["morgan"],
            first_name="Robin",
            last_name="Brightwater",
            date_of_birth=dt.date(2015, 3, 14),
        )
        services.child_add(
            family=family_a,
            actor=people["morgan"],
            first_name="Sky",
            last_name="Brightwater",
            date_of_birth=dt.date(2018, 9, 2),
        )
    _join(family_a, people["morgan"], people["casey"], Role.PARENT)
    _join(family_a, people["morgan"], people["ellis"], Role.CAREGIVER, relationship="Grandfather")
    _join(
        family_a,
        people["morgan"],
        people["dana"],
        Role.PROFESSIONAL,
        professional_kind=ProfessionalKind.MEDIATOR,
        access_days=365,
    )

    family_b = Family.objects.filter(
        name="Hollowmere and Thistledown"
    ).first() or services.family_create(actor=people["riley"], name="Hollowmere and Thistledown")
    if not Child.objects.filter(family=family_b).exists():
        services.child_add(
            family=family_b,
            actor=people["riley"],
            first_name="Juniper",
            last_name="Hollowmere",
            date_of_birth=dt.date(2019, 6, 21),
        )
    _join(family_b, people["riley"], people["sam"], Role.PARENT)
    return True
