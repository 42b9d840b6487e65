from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coparent.core.forms import BoundedDateField, TextField
from coparent.documents.models import Category, Visibility
from coparent.documents.services import MAX_NOTES, MAX_TITLE
from coparent.families.models import Child


class DocumentForm(forms.Form):
    title = TextField(label=_("Title"), max_length=MAX_TITLE, help_text=_("e.g. Kit's passport"))
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    visibility = forms.ChoiceField(
        label=_("Who may see it"),
        choices=Visibility.choices,
        initial=Visibility.PARENTS,
        widget=forms.RadioSelect,
    )
    children = forms.ModelMultipleChoiceField(
        label=_("Which children it is about"),
        queryset=Child.objects.none(),
        to_field_name="public_id",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    expires_on = BoundedDateField(
        label=_("Expiry date"),
        required=False,
        help_text=_("Reminders go out six months, one month and one week before."),
    )
    notes = TextField(
        label=_("Notes"),
        max_length=MAX_NOTES,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, family: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["children"].queryset = Child.objects.filter(family=family)  # type: ignore[attr-defined]


class DocumentUploadForm(DocumentForm):
    file = forms.FileField(
        label=_("File"),
        help_text=_("A PDF, or a PNG or JPEG picture. Location data and metadata are removed."),
    )


class VersionForm(forms.Form):
    file = forms.FileField(
        label=_("New version"),
        help_text=_("The earlier versions are kept."),
    )


class SearchForm(forms.Form):
    q = TextField(label=_("Search titles and notes"), max_length=200, required=False)
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("All categories")), *Category.choices],
        required=False,
    )
