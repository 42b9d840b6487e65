"""The form for one item, built from its kind's fields; the service checks the values again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from coparent.childinfo import kinds
from coparent.childinfo.models import Visibility
from coparent.core.forms import BoundedDateField, TextField

VISIBILITY_HELP = _(
    "Caregivers are grandparents, nannies and others the family invited; professionals are "
    "mediators and lawyers with read-only access. Below, a field can be kept to fewer people "
    "(policy and member numbers are for the parents unless you change it)."
)


FIELD_CHOICES = [
    ("", _("Whoever sees the item")),
    (kinds.PARENTS, _("Parents only")),
    (kinds.CAREGIVERS, _("Parents and caregivers")),
]


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


def _field(spec: kinds.FieldSpec) -> forms.Field:
    common: dict[str, Any] = {"label": capfirst(str(spec.label)), "required": spec.required}
    if spec.help:
        common["help_text"] = spec.help
    if spec.type == "date":
        return BoundedDateField(**common)
    if spec.type == "time":
        return forms.TimeField(widget=TimeInput(), **common)
    if spec.type == "weekdays":
        return forms.MultipleChoiceField(
            choices=kinds.WEEKDAYS, widget=forms.CheckboxSelectMultiple, **common
        )
    if spec.type == "choice":
        return forms.ChoiceField(choices=[("", "—"), *spec.choices], **common)
    widget: forms.Widget | None = None
    if spec.type == "long":
        widget = forms.Textarea(attrs={"rows": 4})
    elif spec.type == "phone":
        widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})
    elif spec.type == "email":
        widget = forms.EmailInput()
    return TextField(max_length=spec.max_length, widget=widget, **common)


class ItemForm(forms.Form):
    def __init__(
        self,
        kind: kinds.KindSpec,
        *args: Any,
        item_values: dict[str, str] | None = None,
        field_visibility: dict[str, str] | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.kind = kind
        for spec in kind.fields:
            self.fields[spec.name] = _field(spec)
            if item_values and spec.name in item_values and not self.is_bound:
                value: Any = item_values[spec.name]
                if spec.type == "weekdays":
                    value = value.split(",")
                self.initial[spec.name] = value
        self.fields["visibility"] = forms.ChoiceField(
            label=_("Who may see this"),
            choices=Visibility.choices,
            widget=forms.RadioSelect,
            help_text=VISIBILITY_HELP,
        )
        self.fields["child_may_see"] = forms.BooleanField(
            label=_("The child may see this on their own account"), required=False
        )
        chosen = kind.default_field_visibility() if field_visibility is None else field_visibility
        for spec in kind.fields:
            self.fields[f"seen_{spec.name}"] = forms.ChoiceField(
                label=str(_("Who sees “%(field)s”") % {"field": spec.label}),
                choices=FIELD_CHOICES,
                required=False,
                initial=chosen.get(spec.name, ""),
            )

    def value_fields(self) -> list[forms.BoundField]:
        return [self[spec.name] for spec in self.kind.fields]

    def seen_fields(self) -> list[forms.BoundField]:
        return [self[f"seen_{spec.name}"] for spec in self.kind.fields]

    def field_visibility(self) -> dict[str, str]:
        return {
            spec.name: self.cleaned_data[f"seen_{spec.name}"]
            for spec in self.kind.fields
            if self.cleaned_data.get(f"seen_{spec.name}")
        }

    def values(self) -> dict[str, str]:
        """The kind's fields as the service takes them: strings, empty for blank."""
        found: dict[str, str] = {}
        for spec in self.kind.fields:
            value = self.cleaned_data.get(spec.name)
            if value in (None, "", []):
                found[spec.name] = ""
            elif isinstance(value, dt.date):
                found[spec.name] = value.isoformat()
            elif isinstance(value, dt.time):
                found[spec.name] = value.strftime("%H:%M")
            elif isinstance(value, list):
                found[spec.name] = ",".join(value)
            else:
                found[spec.name] = str(value)
        return found
