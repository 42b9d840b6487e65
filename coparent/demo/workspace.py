"""Demo data for the professionals' workspace: a parenting coordinator who asked the Hollowmere
family for access and got it, and the mediator's request to the same family, which needs both
parents there and waits for the second one (so Sam's home has it to answer)."""

from __future__ import annotations

from coparent.accounts.models import User
from coparent.families import services
from coparent.families.models import (
    AccessApproval,
    AccessRequest,
    Family,
    ProfessionalKind,
)

COORDINATOR = ("avery@demo.coparent.test", "Avery Lindqvist", "Europe/London")


def load_workspace_demo(family: Family, people: dict[str, User], password: str) -> None:
    if AccessRequest.objects.filter(family=family).exists():
        return
    email, name, zone = COORDINATOR
    avery = User.objects.filter(email=email).first() or User.objects.create_user(
        email, password, display_name=name, timezone=zone, email_verified=True
    )
    riley, sam = people["riley"], people["sam"]
    granted = services.access_request_create(
        actor=avery,
        email=riley.email,
        professional_kind=ProfessionalKind.PARENTING_COORDINATOR,
        access_days=120,
        note="Appointed by the family court, case HT-2026-0412.",
    )
    services.access_request_approve(family=family, actor=riley, request=granted)
    services.family_policy_update(
        family=family,
        actor=sam,
        access_approval=AccessApproval.BOTH_PARENTS,
        deletion_hold=False,
    )
    waiting = services.access_request_create(
        actor=people["dana"],
        email=riley.email,
        professional_kind=ProfessionalKind.MEDIATOR,
        access_days=60,
        note="Mediation sessions in July.",
    )
    services.access_request_approve(family=family, actor=riley, request=waiting)
