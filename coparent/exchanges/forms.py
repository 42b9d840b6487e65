from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coparent.core.forms import BoundedDateField, DateInput, TextField
from coparent.exchanges.models import PlaceKind
from coparent.exchanges.services import REMINDER_CHOICES


class TermsForm(forms.Form):
    place_kind = forms.ChoiceField(
        label=_("Where exchanges happen"), choices=PlaceKind.choices, widget=forms.RadioSelect
    )
    place_name = TextField(
        label=_("Name of the place"),
        max_length=120,
        help_text=_("e.g. Riverside School, front entrance"),
    )
    grace_minutes = forms.IntegerField(
        label=_("Grace period (minutes)"),
        min_value=0,
        max_value=240,
        initial=15,
        help_text=_("How late someone can be before it counts as late."),
    )
    transport = TextField(
        label=_("Who drives"),
        max_length=200,
        required=False,
        help_text=_("e.g. the receiving parent picks up"),
    )
    conduct = TextField(
        label=_("How exchanges go"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("e.g. the receiving parent waits at the curb and does not enter the home"),
    )
    latitude = forms.DecimalField(
        label=_("Latitude of the place"),
        required=False,
        max_digits=8,
        decimal_places=5,
        help_text=_("Optional: lets a phone confirm a check-in happened there."),
    )
    longitude = forms.DecimalField(
        label=_("Longitude of the place"), required=False, max_digits=8, decimal_places=5
    )


class CheckInForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("arrived", "arrived"), ("handed_over", "handed over"), ("received", "received")]
    )
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)


def _minutes_label(minutes: int) -> str:
    if minutes >= 60:
        hours = minutes // 60
        return (
            str(_("1 day before"))
            if hours == 24
            else (str(_("%(n)d hour(s) before")) % {"n": hours})
        )
    return str(_("%(n)d minutes before")) % {"n": minutes}


class RemindersForm(forms.Form):
    minutes_before = forms.TypedMultipleChoiceField(
        label=_("Remind me"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(m, _minutes_label(m)) for m in REMINDER_CHOICES],
    )
    by_email = forms.BooleanField(label=_("Also by email"), required=False, initial=True)


MAX_PERIOD_DAYS = 400


class PeriodForm(forms.Form):
    start = BoundedDateField(label=pgettext_lazy("date range", "From"), widget=DateInput())
    end = BoundedDateField(label=_("Until (not included)"), widget=DateInput())

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end <= start:
                raise forms.ValidationError(_("The end date must be after the start date."))
            if (end - start).days > MAX_PERIOD_DAYS:
                raise forms.ValidationError(_("Choose a period of at most 400 days."))
            if start.year < 1970 or end.year > 2100:
                raise forms.ValidationError(_("Choose dates between 1970 and 2100."))
        return data
