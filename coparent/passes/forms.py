from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coparent.core.forms import BoundedDateTimeField, TextField
from coparent.families.models import Child, Membership, Role
from coparent.passes.models import Gate


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class CaregiverChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user.display_name} ({obj.role_label})"


class PassForm(forms.Form):
    """Two either-or pairs (a caregiver or a typed name; a registered place or a typed one):
    the template shows each pair as one question, and clean() asks for one of the two."""

    holder = CaregiverChoiceField(
        label=_("A caregiver in the family"),
        queryset=Membership.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label=_("Someone else (type their name below)"),
        help_text=_("They will see the pass on their own passes page, to show it at the gate."),
    )
    person_name = TextField(
        label=_("Full name"),
        max_length=100,
        required=False,
        help_text=_("As on their ID."),
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
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
    )
    gate = forms.ModelChoiceField(
        label=_("One of your schools and gates"),
        queryset=Gate.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label=_("Another place (type it below)"),
    )
    place = TextField(
        label=_("Place"),
        max_length=120,
        required=False,
        help_text=_("e.g. Riverside School, front gate"),
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
        caregivers = list(
            Membership.objects.active()
            .filter(family=family, role=Role.CAREGIVER)
            .select_related("user")
        )
        gates = list(Gate.objects.filter(family=family, revoked_at__isnull=True))
        # With nothing to choose from, the choice is left out and the typed field is the question.
        if caregivers:
            holder = self.fields["holder"]
            assert isinstance(holder, CaregiverChoiceField)
            holder.queryset = Membership.objects.filter(pk__in=[m.pk for m in caregivers])
            holder.choices = [("", holder.empty_label)] + [
                (str(m.public_id), holder.label_from_instance(m)) for m in caregivers
            ]
        else:
            del self.fields["holder"]
            self.fields["person_name"].label = _("Who will pick up")
            self.fields["person_name"].help_text = _("Their full name, as on their ID.")
            self.fields["person_name"].required = True
        if gates:
            gate = self.fields["gate"]
            assert isinstance(gate, forms.ModelChoiceField)
            gate.queryset = Gate.objects.filter(pk__in=[g.pk for g in gates])
            gate.choices = [("", gate.empty_label)] + [(str(g.public_id), g.name) for g in gates]
        else:
            del self.fields["gate"]
            self.fields["place"].label = _("Where")
            self.fields["place"].required = True
        self.fields["person_name"].error_messages["required"] = _(
            "Enter the name of the person who will pick up."
        )
        self.fields["place"].error_messages["required"] = _(
            "Say where the pickup happens, e.g. the school's front gate."
        )

    @property
    def has_holder_choice(self) -> bool:
        return "holder" in self.fields

    @property
    def has_gate_choice(self) -> bool:
        return "gate" in self.fields

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        no_person = not data.get("holder") and not data.get("person_name")
        if self.has_holder_choice and no_person and "person_name" not in self.errors:
            self.add_error(
                "person_name",
                _("Choose a caregiver, or type the name of the person who will pick up."),
            )
        no_place = not data.get("gate") and not data.get("place")
        if self.has_gate_choice and no_place and "place" not in self.errors:
            self.add_error(
                "place", _("Choose one of your places, or type where the pickup happens.")
            )
        return data


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
