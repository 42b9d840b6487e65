"""A child's information as a family would write it, with secrets the walks look for."""

from __future__ import annotations

from coparent.childinfo import services
from coparent.childinfo.models import InfoItem
from coparent.families.models import Membership, Role
from tests.cast import Cast, join, make_user

# Strings that only the parents may ever see (parents-only items or parents-only fields).
POLICY_NUMBER = "POL-7731-SECRET"
MEMBER_NUMBER = "MEM-5521-SECRET"
PARENTS_NOTE = "Parents-only-note-Zebra"
VACCINE = "Vaccine-Parents-Only-Quokka"
# Seen by caregivers but not by the mediator.
ALLERGEN = "Peanuts-Caregivers-Walrus"
EMERGENCY_PHONE = "+1 555 0199"
# Seen by everyone, the child too.
SCHOOL = "Riverside-Everyone-School"


def write_info(cast: Cast) -> dict[str, InfoItem]:
    family, alice, kit = cast.family_a, cast.alice, cast.kit

    def add(kind: str, values: dict[str, str], **extra: object) -> InfoItem:
        return services.item_create(
            family=family, actor=alice, child=kit, kind=kind, values=values, **extra
        )

    return {
        "allergy": add(
            "allergy",
            {"allergen": ALLERGEN, "severity": "severe", "treatment": "EpiPen in the red bag"},
        ),
        "emergency": add(
            "emergency_contact",
            {"name": "Aunt Robin", "relationship": "aunt", "phone": EMERGENCY_PHONE},
        ),
        # Everyone may see the insurer, never the numbers.
        "insurance": add(
            "insurance",
            {
                "insurer": "Acme Health",
                "policy_number": POLICY_NUMBER,
                "member_number": MEMBER_NUMBER,
            },
            visibility="family",
        ),
        "vaccination": add("vaccination", {"vaccine": VACCINE, "given_on": "2025-09-01"}),
        "note": add("note", {"title": "Custody", "text": PARENTS_NOTE}),
        "school": add(
            "school", {"name": SCHOOL, "grade": "4"}, visibility="family", child_may_see=True
        ),
    }


def child_account(cast: Cast) -> Membership:
    kid = make_user("kit@example.test", "Kit Child")
    return join(cast.family_a, cast.alice, kid, Role.CHILD, child=cast.kit)
