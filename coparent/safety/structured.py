"""The structured messages a restricted parent may send without the moderator: exchange
logistics, a child's health and the schedule. Each is a choice of fixed sentences with a few
bounded blanks, so nothing can be said in them but what they are for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ITEMS = {
    "school-bag": gettext_lazy("school bag"),
    "medication": gettext_lazy("medication"),
    "sports-kit": gettext_lazy("sports kit"),
    "instrument": gettext_lazy("musical instrument"),
    "comfort-item": gettext_lazy("comfort toy or blanket"),
    "homework": gettext_lazy("homework"),
    "clothes": gettext_lazy("clothes"),
    "charger": gettext_lazy("phone or tablet charger"),
}
SYMPTOMS = {
    "fever": gettext_lazy("a fever"),
    "cold": gettext_lazy("a cold"),
    "stomach": gettext_lazy("an upset stomach"),
    "injury": gettext_lazy("an injury"),
    "allergy": gettext_lazy("an allergic reaction"),
    "other": gettext_lazy("an illness"),
}
APPOINTMENTS = {
    "doctor": gettext_lazy("doctor"),
    "dentist": gettext_lazy("dentist"),
    "therapist": gettext_lazy("therapist"),
    "optician": gettext_lazy("optician"),
    "hospital": gettext_lazy("hospital"),
}


@dataclass(frozen=True)
class Topic:
    form: str
    label: StrOrPromise
    needs: tuple[str, ...]


TOPICS: dict[str, Topic] = {
    "late": Topic("exchange", gettext_lazy("I am running late"), ("date", "minutes")),
    "arrived": Topic("exchange", gettext_lazy("I am at the exchange place"), ("date",)),
    "items": Topic(
        "exchange", gettext_lazy("Please pack these for the exchange"), ("date", "items")
    ),
    "confirm": Topic("exchange", gettext_lazy("Please confirm the exchange"), ("date",)),
    "ill": Topic("health", gettext_lazy("A child is unwell"), ("child", "symptom")),
    "medicine": Topic(
        "health", gettext_lazy("A child was given medicine"), ("child", "medicine", "time")
    ),
    "appointment": Topic(
        "health",
        gettext_lazy("A child has an appointment"),
        ("child", "appointment", "date", "time"),
    ),
    "better": Topic("health", gettext_lazy("A child is feeling better"), ("child",)),
    "swap": Topic("schedule", gettext_lazy("I sent a swap request"), ("date",)),
    "closure": Topic("schedule", gettext_lazy("School is closed"), ("date",)),
    "calendar": Topic("schedule", gettext_lazy("Please look at the calendar"), ("date",)),
}
FORMS = {
    "exchange": gettext_lazy("Exchange logistics"),
    "health": gettext_lazy("A child's health"),
    "schedule": gettext_lazy("The schedule"),
}
MAX_MINUTES = 240
MAX_MEDICINE = 60


class StructuredError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def compose(topic: str, values: Mapping[str, object], children: Mapping[str, str]) -> str:
    """The message's text, from the topic and its blanks. `children` maps a child's id to their
    first name. Raises StructuredError naming the field that is missing or wrong."""
    if topic not in TOPICS:
        raise StructuredError(_("Choose what the message is about."), "topic")
    for name in TOPICS[topic].needs:
        if values.get(name) in (None, "", [], ()):
            raise StructuredError(_("This is needed for that message."), name)

    def day() -> str:
        value = values["date"]
        if not isinstance(value, dt.date):
            raise StructuredError(_("Give a date."), "date")
        return formats.date_format(value, "DATE_FORMAT")

    def clock() -> str:
        value = values["time"]
        if not isinstance(value, dt.time):
            raise StructuredError(_("Give a time."), "time")
        return formats.time_format(value, "TIME_FORMAT")

    def child() -> str:
        value = str(values["child"])
        if value not in children:
            raise StructuredError(_("Choose one of the children."), "child")
        return children[value]

    def pick(name: str, table: Mapping[str, object]) -> str:
        value = str(values[name])
        if value not in table:
            raise StructuredError(_("Choose one of the options."), name)
        return str(table[value])

    if topic == "late":
        minutes = values["minutes"]
        if not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
            raise StructuredError(
                _("Give the minutes, from 1 to %(n)d.") % {"n": MAX_MINUTES}, "minutes"
            )
        return _("I am running about %(minutes)d minutes late for the exchange on %(day)s.") % {
            "minutes": minutes,
            "day": day(),
        }
    if topic == "arrived":
        return _("I am at the exchange place for the exchange on %(day)s.") % {"day": day()}
    if topic == "items":
        chosen = values["items"]
        if not isinstance(chosen, (list, tuple)) or any(str(i) not in ITEMS for i in chosen):
            raise StructuredError(_("Choose from the list."), "items")
        things = ", ".join(str(ITEMS[str(i)]) for i in chosen)
        return _("For the exchange on %(day)s, please pack: %(things)s.") % {
            "day": day(),
            "things": things,
        }
    if topic == "confirm":
        return _("Please confirm the exchange on %(day)s at the agreed time and place.") % {
            "day": day()
        }
    if topic == "ill":
        return _("%(child)s is unwell with %(symptom)s.") % {
            "child": child(),
            "symptom": pick("symptom", SYMPTOMS),
        }
    if topic == "medicine":
        medicine = " ".join(str(values["medicine"]).split())
        if not medicine or len(medicine) > MAX_MEDICINE or not medicine.isprintable():
            raise StructuredError(
                _("Name the medicine in at most %(n)d characters.") % {"n": MAX_MEDICINE},
                "medicine",
            )
        return _("%(child)s was given %(medicine)s at %(time)s.") % {
            "child": child(),
            "medicine": medicine,
            "time": clock(),
        }
    if topic == "appointment":
        return _("%(child)s has a %(kind)s appointment on %(day)s at %(time)s.") % {
            "child": child(),
            "kind": pick("appointment", APPOINTMENTS),
            "day": day(),
            "time": clock(),
        }
    if topic == "better":
        return _("%(child)s is feeling better.") % {"child": child()}
    if topic == "swap":
        return _("I have sent a swap request for %(day)s. Please answer it in the calendar.") % {
            "day": day()
        }
    if topic == "closure":
        return _("School is closed on %(day)s.") % {"day": day()}
    return _("Please look at the calendar for %(day)s.") % {"day": day()}
