from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coparent.core.forms import BoundedDateTimeField, TextField
from coparent.families.models import Child
from coparent.passes.models import Gate


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class PassForm(forms.Form):
    person_name = TextField(
        label=_("Who will pick up"), max_length=100, help_text=_("Their full name, as on their ID.")
    )
    person_relationship = TextField(
        label=_("Relationship to the children"),
        max_length=60,
        required=False,
        help_text=_("e.g. cousin, grandmother"),
    )
    children = forms.ModelMultipleChoiceField(
        label=_("Which children"),
        queryset=Child.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    gate = forms.ModelChoiceField(
        label=_("Place"),
        queryset=Gate.objects.none(),
        required=False,
        empty_label=_("Another place…"),
    )
    place = TextField(
        label=_("Other place"),
        max_length=120,
        required=False,
        help_text=_("If the place is not in the list above."),
    )
    starts_at = BoundedDateTimeField(label=_("Valid from"), widget=DateTimeLocalInput())
    ends_at = BoundedDateTimeField(label=_("Valid until"), widget=DateTimeLocalInput())
    photo = forms.ImageField(
        label=_("Photo of the person"),
        required=False,
        help_text=_("Optional. Helps staff recognise them. Location data is removed."),
    )

    def __init__(self, *args: Any, family: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["children"].queryset = Child.objects.filter(family=family)  # type: ignore[attr-defined]
        self.fields["gate"].queryset = Gate.objects.filter(family=family, revoked_at__isnull=True)  # type: ignore[attr-defined]


class GateForm(forms.Form):
    name = TextField(
        label=_("Name of the place"),
        max_length=120,
        help_text=_("e.g. Riverside School, main gate"),
    )


class CodeForm(forms.Form):
    code = TextField(
        label=_("Pass code"),
        max_length=20,
        help_text=_("The 12-character code on the pass, e.g. 7K2M-QX4P-9DRT"),
    )
