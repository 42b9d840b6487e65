from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coparent.core.forms import BoundedDateField, TextField
from coparent.families.models import Membership
from coparent.journal.models import JournalEntry
from coparent.journal.services import MAX_BODY, MAX_PHOTOS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultipleFileInput(attrs={"accept": "image/png,image/jpeg"})

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotosField, self).clean(item, initial) for item in items]


class EntryForm(forms.Form):
    body = TextField(
        label=_("What happened"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Only you can read this. Once saved it cannot be changed; you can add a correction."
        ),
    )
    photos = PhotosField(
        label=_("Photos"),
        required=False,
        help_text=_("Up to %(n)d PNG or JPEG photos. Location data is removed.")
        % {"n": MAX_PHOTOS},
    )


class ProfessionalChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user.display_name} ({obj.role_label})"


class EntryChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        first = obj.body.split("\n", 1)[0]
        return f"{obj.created_at:%Y-%m-%d %H:%M} UTC: {first[:60]}"


class ShareForm(forms.Form):
    professional = ProfessionalChoiceField(
        label=_("Share with"), queryset=Membership.objects.none(), to_field_name="public_id"
    )
    entry = EntryChoiceField(
        label=_("One entry"),
        queryset=JournalEntry.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=_("No single entry: share the period below"),
    )
    start = BoundedDateField(label=_("From (first day)"), required=False)
    end = BoundedDateField(label=_("To (last day)"), required=False)

    def __init__(self, *args: Any, professionals: Any, entries: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["professional"].queryset = professionals  # type: ignore[attr-defined]
        self.fields["entry"].queryset = entries  # type: ignore[attr-defined]
