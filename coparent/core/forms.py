"""Form helpers shared by every app."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _lazy

from coparent.core.errors import ServiceError


def add_service_error(form: forms.Form, error: ServiceError) -> None:
    """Show a service's refusal next to the field it is about, or at the top of the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


# Dates people may ask about: outside these, date arithmetic overflows, and nobody plans there.
FIRST_DAY, LAST_DAY = dt.date(1970, 1, 1), dt.date(2200, 12, 31)
OUT_OF_RANGE = _lazy("Choose a date between 1970 and 2200.")


def day_in_range(day: dt.date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


class BoundedDateField(forms.DateField):
    """A date field that refuses years no calendar here can show, with a clear message."""

    widget = DateInput

    def validate(self, value: object) -> None:
        super().validate(value)
        if isinstance(value, dt.date) and not day_in_range(value):
            raise forms.ValidationError(OUT_OF_RANGE, code="out_of_range")
