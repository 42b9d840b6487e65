"""Form helpers shared by every app."""

from __future__ import annotations

import datetime as dt

from django import forms

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
