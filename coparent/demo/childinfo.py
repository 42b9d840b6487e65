"""The demo children's information (fictional): what the Brightwater parents wrote down for
Robin and Sky, built through the real services, with a range of visibilities."""

from __future__ import annotations

from coparent.accounts.models import User
from coparent.childinfo import services
from coparent.childinfo.models import InfoItem
from coparent.families.models import Child, Family

# (child's first name, kind, values, visibility or None for the kind's default, child may see)
DEMO_INFO: list[tuple[str, str, dict[str, str], str | None, bool]] = [
    (
        "Robin",
        "allergy",
        {
            "allergen": "Peanuts",
            "severity": "life-threatening",
            "reaction": "Swelling, trouble breathing",
            "treatment": "EpiPen in the front pocket of the school bag; call 911, then a parent.",
        },
        None,
        True,
    ),
    (
        "Robin",
        "medication",
        {"name": "Cetirizine", "dose": "5 ml", "timing": "08:00 in hay-fever season"},
        None,
        False,
    ),
    ("Robin", "blood_type", {"blood_type": "O+"}, None, False),
    (
        "Robin",
        "emergency_contact",
        {"name": "Alex Brightwater", "relationship": "aunt", "phone": "+1 555 0142"},
        None,
        True,
    ),
    (
        "Robin",
        "doctor",
        {
            "name": "Dr. Imogen Vale",
            "practice": "Lakeside Children's Clinic",
            "phone": "+1 555 0170",
        },
        None,
        False,
    ),
    ("Robin", "dentist", {"name": "Dr. Theo Marsh", "phone": "+1 555 0181"}, None, False),
    (
        "Robin",
        "insurance",
        {
            "insurer": "Prairie Mutual Health",
            "policy_number": "PMH-448-20931",
            "member_number": "RB-0315",
            "phone": "+1 555 0110",
        },
        None,
        False,
    ),
    (
        "Robin",
        "vaccination",
        {"vaccine": "Tetanus booster", "given_on": "2024-09-12", "next_due": "2034-09-12"},
        None,
        False,
    ),
    (
        "Robin",
        "school",
        {"name": "Riverside Elementary", "grade": "Grade 5", "phone": "+1 555 0155"},
        "family",
        True,
    ),
    (
        "Robin",
        "teacher",
        {"name": "Ms. Okafor", "subject": "Class teacher", "email": "okafor@riverside.example"},
        None,
        True,
    ),
    (
        "Robin",
        "pickup_rules",
        {
            "rules": "Pickup from the side gate at 15:10. Staff release children only to people "
            "on the list; anyone else needs a pickup pass.",
            "allowed": "Morgan, Casey, Ellis (grandfather)",
        },
        None,
        False,
    ),
    (
        "Robin",
        "activity",
        {
            "name": "Swimming club",
            "place": "Northside pool",
            "days": "tue,thu",
            "starts_at": "17:00",
            "ends_at": "18:00",
            "notes": "Goggles and a towel; the bag is in the hall cupboard.",
        },
        None,
        True,
    ),
    ("Robin", "clothing_size", {"garment": "Tops", "size": "10-11 years"}, None, True),
    ("Robin", "shoe_size", {"size": "4", "system": "US"}, None, True),
    (
        "Sky",
        "condition",
        {"name": "Asthma (mild)", "care": "Inhaler before sport; watch for coughing at night."},
        None,
        False,
    ),
    (
        "Sky",
        "medication",
        {"name": "Salbutamol inhaler", "dose": "2 puffs", "timing": "before sport, or when wheezy"},
        None,
        False,
    ),
    (
        "Sky",
        "emergency_contact",
        {"name": "Alex Brightwater", "relationship": "aunt", "phone": "+1 555 0142"},
        None,
        False,
    ),
    ("Sky", "shoe_size", {"size": "13", "system": "US"}, None, False),
]


def demo_child_info(family: Family, parent: User) -> None:
    if InfoItem.objects.filter(family=family).exists():
        return
    children = {child.first_name: child for child in Child.objects.filter(family=family)}
    for name, kind, values, visibility, child_may_see in DEMO_INFO:
        if name in children:
            services.item_create(
                family=family,
                actor=parent,
                child=children[name],
                kind=kind,
                values=values,
                visibility=visibility,
                child_may_see=child_may_see,
            )
