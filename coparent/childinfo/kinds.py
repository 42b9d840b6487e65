"""What each kind of child-information item holds: its section, its fields (each checked here,
the one place the pages and the API share), who sees it unless a parent chooses otherwise, and
which fields stay with the parents whatever the item's visibility (policy numbers)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coparent.core.inputs import EMPTY_TEXT, day_in_range, text_problem

# Who may see an item, or one of its fields (a field never shows to more people than its item).
PARENTS, CAREGIVERS, FAMILY = "parents", "caregivers", "family"
VISIBILITIES = (PARENTS, CAREGIVERS, FAMILY)  # narrowest first


def narrower(first: str, second: str) -> str:
    return min(first, second, key=VISIBILITIES.index)


WEEKDAYS: tuple[tuple[str, Promise], ...] = (
    ("mon", _("Monday")),
    ("tue", _("Tuesday")),
    ("wed", _("Wednesday")),
    ("thu", _("Thursday")),
    ("fri", _("Friday")),
    ("sat", _("Saturday")),
    ("sun", _("Sunday")),
)
WEEKDAY_NAMES = tuple(key for key, _label in WEEKDAYS)
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
SHORT, LONG = 200, 2000


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: Promise
    type: str = "text"  # text, long, date, time, weekdays, choice, phone, email
    required: bool = False
    sensitive: bool = False  # parents only unless a parent chooses otherwise
    choices: tuple[tuple[str, Promise | str], ...] = ()
    help: Promise | str = ""

    @property
    def max_length(self) -> int:
        return LONG if self.type == "long" else SHORT


@dataclass(frozen=True)
class KindSpec:
    key: str
    section: str
    label: Promise
    fields: tuple[FieldSpec, ...]
    default_visibility: str = CAREGIVERS
    add_label: Promise | str = ""
    field_names: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "field_names", frozenset(f.name for f in self.fields))

    @property
    def medical(self) -> bool:
        return self.section == "medical" or self.key in MEDICAL_ELSEWHERE

    def default_field_visibility(self) -> dict[str, str]:
        """Fields narrower than their item unless a parent says otherwise: policy numbers."""
        return {f.name: PARENTS for f in self.fields if f.sensitive}

    def field_level(self, name: str, item_level: str, field_visibility: Mapping[str, str]) -> str:
        """Who sees this field: the narrower of the item's visibility and the field's own."""
        return narrower(item_level, field_visibility.get(name, item_level))

    def title(self, values: Mapping[str, str]) -> str:
        """The item's name on the page: its first field's value, or the kind's name."""
        return values.get(self.fields[0].name, "") or str(self.label)


class FieldProblem(ValueError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def _contact(
    first: str, first_label: Promise, *, required_phone: bool = False
) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec(first, first_label, required=True),
        FieldSpec("phone", _("phone"), "phone", required=required_phone),
        FieldSpec("email", _("email"), "email"),
    )


SEVERITIES = (
    ("mild", _("Mild")),
    ("moderate", _("Moderate")),
    ("severe", _("Severe")),
    ("life-threatening", _("Life-threatening")),
)
BLOOD_TYPES = tuple((value, value) for value in ("A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"))
SHOE_SYSTEMS = (("EU", "EU"), ("UK", "UK"), ("US", "US"))

SECTIONS: tuple[tuple[str, Promise], ...] = (
    ("essentials", _("Allergies, medications and conditions")),
    ("emergency", _("Emergency contacts")),
    ("medical", _("Doctors, insurance and vaccinations")),
    ("school", _("School")),
    ("activities", _("Activities")),
    ("sizes", _("Clothing and shoe sizes")),
    ("notes", _("Notes")),
)
# Kinds whose changes the other parent hears about (the medical ones).
MEDICAL_ELSEWHERE = frozenset({"allergy", "medication", "condition", "blood_type"})

KINDS: dict[str, KindSpec] = {
    spec.key: spec
    for spec in (
        KindSpec(
            "allergy",
            "essentials",
            _("Allergy"),
            (
                FieldSpec("allergen", _("allergic to"), required=True),
                FieldSpec("severity", _("severity"), "choice", choices=SEVERITIES),
                FieldSpec("reaction", _("reaction")),
                FieldSpec("treatment", _("what to do"), "long"),
            ),
        ),
        KindSpec(
            "medication",
            "essentials",
            _("Medication"),
            (
                FieldSpec("name", _("medicine"), required=True),
                FieldSpec("dose", _("dose"), required=True, help=_("e.g. 5 ml, 1 tablet")),
                FieldSpec(
                    "timing", _("when"), required=True, help=_("e.g. 8:00 and 20:00, with food")
                ),
                FieldSpec("reason", _("for")),
                FieldSpec("starts_on", _("from"), "date"),
                FieldSpec("ends_on", _("until"), "date"),
            ),
        ),
        KindSpec(
            "condition",
            "essentials",
            _("Condition"),
            (
                FieldSpec("name", _("condition"), required=True),
                FieldSpec("care", _("care and what to watch for"), "long"),
            ),
        ),
        KindSpec(
            "blood_type",
            "essentials",
            _("Blood type"),
            (
                FieldSpec(
                    "blood_type", _("blood type"), "choice", required=True, choices=BLOOD_TYPES
                ),
            ),
        ),
        KindSpec(
            "emergency_contact",
            "emergency",
            _("Emergency contact"),
            (
                FieldSpec("name", _("name"), required=True),
                FieldSpec("relationship", _("relationship")),
                FieldSpec("phone", _("phone"), "phone", required=True),
                FieldSpec("other_phone", _("other phone"), "phone"),
                FieldSpec("notes", _("notes"), "long"),
            ),
        ),
        KindSpec(
            "doctor",
            "medical",
            _("Doctor"),
            (
                *_contact("name", _("name")),
                FieldSpec("practice", _("practice")),
                FieldSpec("address", pgettext_lazy("contact address", "address")),
            ),
        ),
        KindSpec(
            "dentist",
            "medical",
            _("Dentist"),
            (
                *_contact("name", _("name")),
                FieldSpec("practice", _("practice")),
                FieldSpec("address", pgettext_lazy("contact address", "address")),
            ),
        ),
        KindSpec(
            "insurance",
            "medical",
            _("Insurance"),
            (
                FieldSpec("insurer", _("insurer"), required=True),
                FieldSpec("policy_number", _("policy number"), sensitive=True),
                FieldSpec("member_number", _("member number"), sensitive=True),
                FieldSpec("phone", _("insurer's phone"), "phone"),
                FieldSpec("notes", _("notes"), "long"),
            ),
            default_visibility=PARENTS,
        ),
        KindSpec(
            "vaccination",
            "medical",
            _("Vaccination"),
            (
                FieldSpec("vaccine", _("vaccine"), required=True),
                FieldSpec("given_on", _("given on"), "date", required=True),
                FieldSpec("next_due", _("next due"), "date"),
                FieldSpec("notes", _("notes")),
            ),
            default_visibility=PARENTS,
        ),
        KindSpec(
            "school",
            "school",
            _("School"),
            (
                FieldSpec("name", _("school"), required=True),
                FieldSpec("grade", _("grade or class")),
                FieldSpec("address", pgettext_lazy("contact address", "address")),
                FieldSpec("phone", _("office phone"), "phone"),
                FieldSpec("email", _("office email"), "email"),
            ),
        ),
        KindSpec(
            "teacher",
            "school",
            _("Teacher"),
            (*_contact("name", _("name")), FieldSpec("subject", _("class or subject"))),
        ),
        KindSpec(
            "school_contact",
            "school",
            _("School contact"),
            (*_contact("name", _("name")), FieldSpec("role", _("role"))),
        ),
        KindSpec(
            "timetable",
            "school",
            _("Timetable"),
            (
                FieldSpec("title", _("title"), required=True, help=_("e.g. Autumn term")),
                FieldSpec("details", _("timetable"), "long", required=True),
            ),
        ),
        KindSpec(
            "pickup_rules",
            "school",
            _("Pickup rules"),
            (
                FieldSpec("rules", _("pickup rules"), "long", required=True),
                FieldSpec("allowed", _("who may collect"), "long"),
            ),
        ),
        KindSpec(
            "activity",
            "activities",
            _("Activity"),
            (
                FieldSpec("name", _("activity"), required=True),
                FieldSpec("place", _("where")),
                FieldSpec("days", _("days"), "weekdays"),
                FieldSpec("starts_at", _("starts at"), "time"),
                FieldSpec("ends_at", _("ends at"), "time"),
                FieldSpec("first_day", _("first session"), "date"),
                FieldSpec("last_day", _("last session"), "date"),
                FieldSpec("contact", _("coach or contact")),
                FieldSpec("notes", _("what to bring, notes"), "long"),
            ),
        ),
        KindSpec(
            "clothing_size",
            "sizes",
            _("Clothing size"),
            (
                FieldSpec("garment", _("clothing"), required=True, help=_("e.g. tops, trousers")),
                FieldSpec("size", _("size"), required=True),
            ),
        ),
        KindSpec(
            "shoe_size",
            "sizes",
            _("Shoe size"),
            (
                FieldSpec("size", _("size"), required=True),
                FieldSpec("system", _("sizing"), "choice", choices=SHOE_SYSTEMS),
            ),
        ),
        KindSpec(
            "note",
            "notes",
            _("Note"),
            (
                FieldSpec("title", _("title"), required=True),
                FieldSpec("text", _("note"), "long"),
            ),
            default_visibility=PARENTS,
        ),
    )
}
KIND_NAMES = tuple(KINDS)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"[0-9+()./\- ]{3,40}(\s*(ext\.?|x)\s*\d{1,6})?", re.IGNORECASE)


def clean_values(kind: KindSpec, raw: Mapping[str, object]) -> dict[str, str]:
    """The item's values checked and normalised (text stripped, empty fields left out), or a
    FieldProblem naming the first field that is wrong."""
    for name in raw:
        if name not in kind.field_names:
            raise FieldProblem(
                "fields", str(_("%(kind)s has no field of that name.") % {"kind": kind.label})
            )
    values: dict[str, str] = {}
    for spec in kind.fields:
        value = raw.get(spec.name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise FieldProblem(spec.name, str(_("Give this as text.")))
        if text_problem(value):
            raise FieldProblem(spec.name, str(text_problem(value)))
        value = value.strip()
        if not value:
            if spec.required:
                raise FieldProblem(spec.name, str(EMPTY_TEXT))
            continue
        if len(value) > spec.max_length:
            raise FieldProblem(
                spec.name,
                str(_("Keep this under %(n)d characters.") % {"n": spec.max_length}),
            )
        values[spec.name] = _checked(spec, value)
    for start, end in (
        ("starts_on", "ends_on"),
        ("first_day", "last_day"),
        ("starts_at", "ends_at"),
    ):
        if start in values and end in values and values[end] < values[start]:
            raise FieldProblem(end, str(_("This must not come before the start.")))
    return values


def clean_field_visibility(kind: KindSpec, raw: Mapping[str, object]) -> dict[str, str]:
    """A parent's choice of who sees each field (only narrowing matters: a field never shows
    to anyone its item does not)."""
    found: dict[str, str] = {}
    for name, level in raw.items():
        if name not in kind.field_names:
            raise FieldProblem(
                "field_visibility",
                str(_("%(kind)s has no field of that name.") % {"kind": kind.label}),
            )
        if level not in VISIBILITIES:
            raise FieldProblem("field_visibility", str(_("Choose who may see this.")))
        found[name] = str(level)
    return found


def _checked(spec: FieldSpec, value: str) -> str:
    if spec.type == "date":
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise FieldProblem(spec.name, str(_("Write the date as 2026-01-31."))) from None
        if len(value) != 10 or not day_in_range(day):
            raise FieldProblem(spec.name, str(_("Choose a date between 1970 and 2200.")))
        return day.isoformat()
    if spec.type == "time":
        if not _TIME.fullmatch(value):
            raise FieldProblem(spec.name, str(_("Write the time as 16:30.")))
        return value
    if spec.type == "weekdays":
        days = [d.strip().lower() for d in value.split(",") if d.strip()]
        if not days or any(d not in WEEKDAY_NAMES for d in days):
            raise FieldProblem(
                spec.name, str(_("Name the days as mon, tue, wed, thu, fri, sat, sun."))
            )
        return ",".join(d for d in WEEKDAY_NAMES if d in days)
    if spec.type == "choice":
        if value not in {key for key, _label in spec.choices}:
            raise FieldProblem(spec.name, str(_("Choose one of the options.")))
        return value
    if spec.type == "email" and not _EMAIL.fullmatch(value):
        raise FieldProblem(spec.name, str(_("Enter an email address like name@example.org.")))
    if spec.type == "phone" and not _PHONE.fullmatch(value):
        raise FieldProblem(spec.name, str(_("Enter a phone number, e.g. +1 555 0100.")))
    return value


def display(spec: FieldSpec, value: str) -> str:
    """A stored value as a person reads it."""
    if spec.type == "weekdays":
        names = dict(WEEKDAYS)
        return ", ".join(str(names[d]) for d in value.split(",") if d in names)
    if spec.type == "choice":
        return str(dict(spec.choices).get(value, value))
    if spec.type == "date":
        return formats.date_format(dt.date.fromisoformat(value))
    return value
