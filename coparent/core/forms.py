"""Form helpers shared by every app."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cache
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coparent.core.errors import ServiceError
from coparent.core.inputs import (
    BAD_TEXT,
    FIRST_DAY,
    LAST_DAY,
    OUT_OF_RANGE,
    day_in_range,
    instant_problem,
    text_problem,
)

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "OUT_OF_RANGE",
    "BoundedDateField",
    "BoundedDateTimeField",
    "DateInput",
    "TextField",
    "TimezoneField",
    "add_service_error",
    "day_in_range",
]


def add_service_error(form: forms.Form, error: ServiceError) -> None:
    """Show a service's refusal next to the field it is about, or at the top of the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class BoundedDateField(forms.DateField):
    """A date field that refuses years no calendar here can show, with a clear message."""

    widget = DateInput

    def validate(self, value: object) -> None:
        super().validate(value)
        if isinstance(value, dt.date) and not day_in_range(value):
            raise forms.ValidationError(OUT_OF_RANGE, code="out_of_range")


class BoundedDateTimeField(forms.DateTimeField):
    """A date and time (the viewer's zone when the browser sends none) in the project's range."""

    def validate(self, value: object) -> None:
        super().validate(value)
        if isinstance(value, dt.datetime):
            problem = instant_problem(value)
            if problem:
                raise forms.ValidationError(problem, code="out_of_range")


class TextField(forms.CharField):
    """A CharField that also refuses control and broken characters (Django refuses NUL only)."""

    def validate(self, value: object) -> None:
        super().validate(value)
        if isinstance(value, str) and text_problem(value):
            raise forms.ValidationError(BAD_TEXT, code="bad_text")


TIMEZONE_REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


@cache
def known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@cache
def timezone_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The zones a person picks from, grouped by region (the select without script); old
    aliases such as US/Eastern are still accepted but not listed twice."""
    groups: dict[str, list[tuple[str, str]]] = {region: [] for region in TIMEZONE_REGIONS}
    for name in sorted(known_timezones()):
        region, _slash, place = name.partition("/")
        if region in groups and place:
            groups[region].append((name, place.replace("_", " ").replace("/", " / ")))
    return [(region, zones) for region, zones in groups.items() if zones]


class TimezoneField(forms.ChoiceField):
    """An IANA time zone the server knows. The page fills it from the browser (Intl API) and
    offers a search; without script it is a select grouped by region. A bad value gets one
    plain message and is never echoed back."""

    default_error_messages = {
        "invalid_choice": _("Choose a time zone from the list, e.g. America/Chicago."),
        "required": _("Choose your time zone."),
    }

    def __init__(self, *, detect: str = "fill", **kwargs: Any) -> None:
        super().__init__(choices=self.zone_choices, **kwargs)
        self.widget.attrs.update({"data-timezone": detect, "autocomplete": "off"})

    @staticmethod
    def zone_choices() -> list[Any]:
        return [("", _("Choose your time zone")), ("UTC", "UTC"), *timezone_groups()]

    def valid_value(self, value: object) -> bool:
        return isinstance(value, str) and value in known_timezones()

    def include(self, zone: str) -> None:
        """Lists a zone the select would not show (an old alias someone already uses)."""
        if zone and zone not in {"UTC"} and "/" in zone:
            listed = {name for _region, zones in timezone_groups() for name, _label in zones}
            if zone not in listed:
                self.choices = [(zone, zone), *self.zone_choices()]
