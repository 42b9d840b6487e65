from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coparent.core.forms import BoundedDateField, TextField
from coparent.families.models import Child, Membership
from coparent.messaging.services import MAX_BODY
from coparent.safety import structured
from coparent.safety.services import MAX_REASON, MAX_REFERENCE


class ModeratorField(forms.ModelChoiceField[Membership]):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user.display_name} ({obj.role_label})"


class ProtectionForm(forms.Form):
    reference = TextField(
        label=_("The order's reference"),
        max_length=MAX_REFERENCE,
        help_text=_("As it is written on the order, e.g. its case or order number."),
    )
    moderator = ModeratorField(
        label=_("Moderator"),
        queryset=Membership.objects.none(),
        required=False,
        empty_label=_("Nobody yet: the other parent can use the message forms only"),
        help_text=_(
            "A professional in this family who reads the other parent's free-text messages "
            "before you do."
        ),
    )
    document = forms.FileField(
        label=_("A copy of the order (optional)"),
        required=False,
        help_text=_("PDF or photo. Only you can open it here."),
    )

    def __init__(self, *args: Any, professionals: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["moderator"]
        assert isinstance(field, ModeratorField)
        field.queryset = professionals if professionals is not None else Membership.objects.none()


class ModeratorForm(forms.Form):
    moderator = ModeratorField(
        label=_("Moderator"),
        queryset=Membership.objects.none(),
        required=False,
        empty_label=_("Nobody: the other parent can use the message forms only"),
    )

    def __init__(self, *args: Any, professionals: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["moderator"]
        assert isinstance(field, ModeratorField)
        field.queryset = professionals if professionals is not None else Membership.objects.none()


class HoldForm(forms.Form):
    body = TextField(
        label=_("Your message, for the moderator to deliver"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("approved", _("Deliver")),
            ("edited", _("Deliver my edit")),
            ("rejected", _("Reject")),
        ]
    )
    edited = TextField(
        label=_("Edited message"),
        max_length=MAX_BODY,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reason = TextField(
        label=_("Reason, for the sender"),
        max_length=MAX_REASON,
        required=False,
        help_text=_("Needed when you reject; the sender reads it."),
    )


def structured_form(topic: str, children: list[Child]) -> type[forms.Form]:
    """A form with exactly the blanks this topic needs."""
    needs = structured.TOPICS[topic].needs
    fields: dict[str, forms.Field] = {}
    if "child" in needs:
        fields["child"] = forms.ChoiceField(
            label=_("Child"), choices=[(str(c.public_id), c.first_name) for c in children]
        )
    if "date" in needs:
        fields["date"] = BoundedDateField(label=_("Date"))
    if "time" in needs:
        fields["time"] = forms.TimeField(
            label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"})
        )
    if "minutes" in needs:
        fields["minutes"] = forms.IntegerField(
            label=_("About how many minutes late"), min_value=1, max_value=structured.MAX_MINUTES
        )
    if "items" in needs:
        fields["items"] = forms.MultipleChoiceField(
            label=_("What to pack"),
            choices=list(structured.ITEMS.items()),
            widget=forms.CheckboxSelectMultiple,
        )
    if "symptom" in needs:
        fields["symptom"] = forms.ChoiceField(
            label=_("What is wrong"), choices=list(structured.SYMPTOMS.items())
        )
    if "medicine" in needs:
        fields["medicine"] = TextField(label=_("Medicine"), max_length=structured.MAX_MEDICINE)
    if "appointment" in needs:
        fields["appointment"] = forms.ChoiceField(
            label=_("Appointment with"), choices=list(structured.APPOINTMENTS.items())
        )
    return type("StructuredForm", (forms.Form,), fields)


class ContactForm(forms.Form):
    phone = TextField(label=_("Phone"), max_length=40, required=False)
    address = TextField(
        label=_("Address"),
        max_length=300,
        required=False,
        help_text=_("Optional. coparent never needs it; share it only if it helps the family."),
    )
    confidential = forms.BooleanField(
        label=_("Keep my address, and every place I enter, from the other parent"),
        required=False,
        help_text=_(
            "Only you will see them: events' places and pickup passes' places you enter show "
            "as “a confidential place” to everyone else, and exchanges cannot be at a home."
        ),
    )
