"""Forms for the plan's pages: one per kind of provision (its `terms()` is the payload the
provisions schema checks), the answer forms and time away."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coparent.core.forms import BoundedDateTimeField, TextField, TimezoneField
from coparent.plan.provisions import JOINT, Provision

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _days(label: Any, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=365, **kwargs)


class ProposalFields(forms.Form):
    """What every proposal of a provision carries besides its terms."""

    respond_by = BoundedDateTimeField(
        label=_("Answer by"),
        widget=DATETIME,
        help_text=_("In your time zone. Without an answer by then, nothing changes."),
    )
    details = TextField(
        label=_("Why (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note = TextField(
        label=_("Anything else the provision says (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, parents: list[tuple[str, str]] | None = None, **kwargs: Any):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault(
            "respond_by",
            timezone.localtime().replace(second=0, microsecond=0) + dt.timedelta(days=7),
        )
        super().__init__(*args, **kwargs)
        self.parents = parents or []

    def terms(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"note": data.get("note", "")} | self.provision_terms(data)

    def provision_terms(self, data: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def initial_from(cls, provision: Provision) -> dict[str, Any]:
        return provision.model_dump(mode="json")


class FirstRefusalForm(ProposalFields):
    hours = forms.IntegerField(
        label=_("Hours away before the other parent is offered the time"),
        min_value=1,
        max_value=336,
        initial=8,
        help_text=_("Common choices are 4, 8 or 24 hours."),
    )
    respond_hours = forms.IntegerField(
        label=_("Hours the other parent has to answer an offer"),
        min_value=1,
        max_value=168,
        initial=24,
    )

    def provision_terms(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"hours": data["hours"], "respond_hours": data["respond_hours"]}


class NewPartnersForm(ProposalFields):
    introduction_notice_days = _days(
        _("Days of notice before introducing a new partner"), initial=14
    )
    overnight_notice_days = _days(
        _("Days of notice before overnights with a new partner present"), initial=14
    )
    minimum_months_together = forms.IntegerField(
        label=_("Months together before introductions (0 for none)"),
        min_value=0,
        max_value=120,
        initial=0,
    )

    def provision_terms(self, data: dict[str, Any]) -> dict[str, Any]:
        return {
            k: data[k]
            for k in (
                "introduction_notice_days",
                "overnight_notice_days",
                "minimum_months_together",
            )
        }


class ChildrenOnlineForm(ProposalFields):
    photos = forms.ChoiceField(
        label=_("Photos of the children online"),
        choices=[
            ("both", _("Either parent may post photos of the children")),
            ("with_consent", _("Only with the other parent's consent")),
            ("neither", _("Neither parent posts photos of the children")),
        ],
        widget=forms.RadioSelect,
    )
    platforms = TextField(
        label=_("Platforms the children may use"),
        required=False,
        max_length=1000,
        help_text=_("Separated by commas, e.g. YouTube Kids, Messenger Kids"),
    )
    own_account_age = forms.IntegerField(
        label=_("Age for the children's own accounts"), min_value=0, max_value=21, initial=13
    )
    not_posted = TextField(
        label=_("What may not be posted"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. school name, location, bath photos, makeup videos"),
    )

    def provision_terms(self, data: dict[str, Any]) -> dict[str, Any]:
        platforms = [p.strip() for p in data["platforms"].split(",") if p.strip()]
        return {
            "photos": data["photos"],
            "platforms": platforms,
            "own_account_age": data["own_account_age"],
            "not_posted": data["not_posted"],
        }

    @classmethod
    def initial_from(cls, provision: Provision) -> dict[str, Any]:
        initial = super().initial_from(provision)
        initial["platforms"] = ", ".join(initial.get("platforms", []))
        return initial


class _ParentChoice(forms.ChoiceField):
    pass


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class TravelForm(ProposalFields):
    notice_days = _days(_("Days of notice before travelling with the children"), initial=14)
    international_itinerary = forms.BooleanField(
        label=_("An itinerary and contacts are given for travel abroad"),
        required=False,
        initial=True,
    )
    passports_held_by = _ParentChoice(label=_("Who keeps the passports"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "passports_held_by", [("", _("Not said")), *self.parents])

    def provision_terms(self, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "notice_days": data["notice_days"],
            "international_itinerary": data["international_itinerary"],
            "passports_held_by": data["passports_held_by"],
        }


class RelocationForm(ProposalFields):
    notice_days = _days(_("Days of notice before a move"), initial=60)

    def provision_terms(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"notice_days": data["notice_days"]}


class CallsForm(ProposalFields):
    timezone = TimezoneField(label=_("Times are in"), detect="fill")
    days_1 = forms.TypedMultipleChoiceField(
        label=_("Call days"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    start_1 = forms.TimeField(label=pgettext_lazy("date range", "From"), widget=TIME)
    end_1 = forms.TimeField(label=_("Until"), widget=TIME)
    days_2 = forms.TypedMultipleChoiceField(
        label=_("Other call days (optional)"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    start_2 = forms.TimeField(
        label=pgettext_lazy("date range", "From"), widget=TIME, required=False
    )
    end_2 = forms.TimeField(label=_("Until"), widget=TIME, required=False)

    def provision_terms(self, data: dict[str, Any]) -> dict[str, Any]:
        windows = []
        for n in (1, 2):
            days, start, end = data.get(f"days_{n}"), data.get(f"start_{n}"), data.get(f"end_{n}")
            if days and start and end:
                windows.append(
                    {
                        "weekdays": days,
                        "start": start.strftime("%H:%M"),
                        "end": end.strftime("%H:%M"),
                    }
                )
        return {"timezone": data["timezone"], "windows": windows}

    @classmethod
    def initial_from(cls, provision: Provision) -> dict[str, Any]:
        initial = super().initial_from(provision)
        for n, window in enumerate(initial.pop("windows", [])[:2], start=1):
            initial[f"days_{n}"] = window["weekdays"]
            initial[f"start_{n}"] = window["start"]
            initial[f"end_{n}"] = window["end"]
        return initial


class AuthorityForm(ProposalFields):
    education = _ParentChoice(label=_("Education decisions"))
    medical = _ParentChoice(label=_("Medical decisions (not emergencies)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(JOINT, _("Both parents, jointly"))] + [
            (pid, _("%(name)s alone") % {"name": name}) for pid, name in self.parents
        ]
        _set_choices(self, "education", choices)
        _set_choices(self, "medical", choices)

    def provision_terms(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"education": data["education"], "medical": data["medical"]}


FORMS: dict[str, type[ProposalFields]] = {
    "first_refusal": FirstRefusalForm,
    "new_partners": NewPartnersForm,
    "online": ChildrenOnlineForm,
    "travel": TravelForm,
    "relocation": RelocationForm,
    "calls": CallsForm,
    "authority": AuthorityForm,
}


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("decline", _("Decline")), ("withdraw", _("Withdraw"))]
    )
    reason = TextField(label=_("Why you decline"), required=False, max_length=1000)


class TimeAwayForm(forms.Form):
    plan = forms.ChoiceField(label=_("Schedule"))
    starts_at = BoundedDateTimeField(label=_("Away from"), widget=DATETIME)
    ends_at = BoundedDateTimeField(label=_("Back at"), widget=DATETIME)
    note = TextField(
        label=_("Note for the other parent (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, plans: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "plan", list(plans))
        if len(plans) == 1:
            self.fields["plan"].initial = plans[0][0]
            self.fields["plan"].widget = forms.HiddenInput()


class OfferAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("decline", _("Decline")), ("withdraw", _("Withdraw"))]
    )
    response = TextField(label=_("Reply (optional)"), required=False, max_length=1000)
