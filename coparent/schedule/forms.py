"""Forms for the schedule builder, imports, swaps, events and the report. Parent choices are
labelled with names; the engine's "A" and "B" never reach the page."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coparent.core.forms import (
    OUT_OF_RANGE,
    BoundedDateField,
    BoundedDateTimeField,
    DateInput,
    TextField,
    day_in_range,
)
from coparent.engine import COMMON_HOLIDAYS, TEMPLATES
from coparent.schedule.models import EventKind
from coparent.schedule.specs import AGREED_ROTATION
from coparent.schedule.specs import holiday_field_keys as holiday_field_names

TEMPLATE_LABELS = {
    "7-7": _("Alternating weeks (7-7): one week each"),
    "2-2-3": _("2-2-3: 2 days, 2 days, 3 days; weekdays flip each week"),
    "2-2-5-5": _("2-2-5-5: fixed weekdays for each parent, weekends alternate"),
    "5-2-2-5": _("5-2-2-5: like 2-2-5-5, starting on a Wednesday"),
    "3-4-4-3": _("3-4-4-3: 3 days, 4 days, then 4 and 3"),
    "4-3": _("4-3: four days with the first parent, three with the other, every week"),
    "every-weekend": _("Every weekend with the other parent"),
    "every-other-weekend": _("Every other weekend (Friday to Sunday) with the other parent"),
    "every-third-week": _("Two weeks with the first parent, the third with the other"),
}

ZONES = sorted(zoneinfo.available_timezones())


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _parent_choices(names: dict[str, str]) -> list[tuple[str, str]]:
    return [("A", names.get("A", "")), ("B", names.get("B", ""))]


class ScheduleBuilderForm(forms.Form):
    child = forms.ChoiceField(label=_("Who follows this schedule"), choices=[])
    template = forms.ChoiceField(
        label=_("Pattern"),
        choices=[(name, TEMPLATE_LABELS.get(name, name)) for name in TEMPLATES],
        initial="2-2-3",
        widget=forms.RadioSelect,
    )
    first = forms.ChoiceField(
        label=_("Who has the children at the start of the pattern"), choices=[]
    )
    anchor = BoundedDateField(
        label=_("First day of the pattern"),
        widget=DateInput(),
        help_text=_("The pattern repeats from this day, in both directions."),
    )
    exchange_time = forms.TimeField(
        label=_("Exchange time"),
        initial=dt.time(18, 0),
        widget=TimeInput(),
        help_text=_("Custody days run from one exchange to the next."),
    )
    timezone = forms.ChoiceField(
        label=_("Governing time zone"),
        choices=[(z, z) for z in ZONES],
        help_text=_("The plan's times are in this zone; everyone sees them in their own."),
    )
    exchange_place = TextField(
        label=_("Usual exchange place"),
        max_length=120,
        required=False,
        help_text=_("e.g. school, or the library car park. Not included in calendar feeds."),
    )
    effective_date = BoundedDateField(
        label=_("The change starts on"),
        widget=DateInput(),
        required=False,
        help_text=_("At the exchange time. Until then the agreed schedule stays as it is."),
    )
    school_periods = TextField(
        label=_("School breaks"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line: first day, last day, name, e.g. “2026-12-19 2027-01-03 Winter "
            "break”. The first parent has them in even years, the other in odd years."
        ),
    )
    school_calendar = forms.FileField(
        label=_("Or import the school calendar (.ics file)"),
        required=False,
        help_text=_("Its events are added to the school breaks above when you preview."),
    )
    note = TextField(
        label=_("Note to the other parent"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        names: dict[str, str],
        children: list[tuple[str, str]],
        agreed_pattern: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.names = names
        parents = _parent_choices(names)
        self.fields["child"].choices = children  # type: ignore[attr-defined]
        if agreed_pattern:
            # An agreed rotation the templates cannot show stays choosable as it is.
            self.fields["template"].choices = [  # type: ignore[attr-defined]
                (
                    AGREED_ROTATION,
                    _("The agreed pattern (%(pattern)s)") % {"pattern": agreed_pattern},
                ),
                *self.fields["template"].choices,  # type: ignore[attr-defined]
            ]
        self.fields["first"].choices = parents  # type: ignore[attr-defined]
        for index, holiday in enumerate(COMMON_HOLIDAYS):
            keys = holiday_field_names(index)
            self.fields[keys["on"]] = forms.BooleanField(label=holiday.name, required=False)
            always = holiday.assignment in ("mother", "father")
            self.fields[keys["parent"]] = forms.ChoiceField(
                label=_("Always with") if always else _("In even years with"),
                choices=parents,
                initial="B" if holiday.assignment == "father" else "A",
            )
            self.fields[keys["start_days"]] = forms.IntegerField(
                label=_("Starts (days from the holiday)"),
                min_value=-7,
                max_value=7,
                initial=holiday.start["days"],
            )
            self.fields[keys["start_time"]] = forms.TimeField(
                label=_("at"),
                initial=holiday.start["time"],
                widget=TimeInput(),
            )
            self.fields[keys["end_days"]] = forms.IntegerField(
                label=_("Ends (days from the holiday)"),
                min_value=-7,
                max_value=14,
                initial=holiday.end["days"],
            )
            self.fields[keys["end_time"]] = forms.TimeField(
                label=_("at"),
                initial=holiday.end["time"],
                widget=TimeInput(),
            )

    def main_fields(self) -> list[forms.BoundField]:
        return [
            self[name]
            for name in (
                "child",
                "template",
                "first",
                "anchor",
                "exchange_time",
                "timezone",
                "exchange_place",
                "effective_date",
            )
            if name in self.fields
        ]

    def holiday_rows(self) -> list[dict[str, Any]]:
        rows = []
        for index, holiday in enumerate(COMMON_HOLIDAYS):
            keys = holiday_field_names(index)
            rows.append(
                {
                    "holiday": holiday,
                    "split": holiday.assignment == "split",
                    **{key: self[name] for key, name in keys.items()},
                }
            )
        return rows

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        periods = []
        for number, line in enumerate((data.get("school_periods") or "").splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            parts = line.split(None, 2)
            try:
                first = dt.date.fromisoformat(parts[0])
                last = dt.date.fromisoformat(parts[1]) if len(parts) > 1 else first
            except ValueError:
                self.add_error(
                    "school_periods",
                    _("Line %(n)d: start with two dates like 2026-12-19 2027-01-03.")
                    % {"n": number},
                )
                continue
            if not (day_in_range(first) and day_in_range(last)):
                self.add_error(
                    "school_periods", _("Line %(n)d: %(why)s") % {"n": number, "why": OUT_OF_RANGE}
                )
                continue
            if last < first:
                self.add_error(
                    "school_periods",
                    _("Line %(n)d: the last day is before the first.") % {"n": number},
                )
                continue
            name = parts[2].strip() if len(parts) > 2 else str(_("School break"))
            periods.append((first, last, name[:60]))
        data["periods"] = periods
        return data


class ImportForm(forms.Form):
    child = forms.ChoiceField(label=_("Who follows this schedule"), choices=[])
    spec_text = TextField(
        label=_("Schedule (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        help_text=_("The same format as the export and `coparent schedule preview`."),
    )
    spec_file = forms.FileField(label=_("Or a .json file"), required=False)
    effective_date = BoundedDateField(
        label=_("The change starts on"),
        widget=DateInput(),
        required=False,
        help_text=_("Needed when a schedule is already agreed; it starts at midnight."),
    )
    note = TextField(label=_("Note to the other parent"), max_length=500, required=False)

    def __init__(self, *args: Any, children: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = children  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("spec_file")
        text = upload.read().decode("utf-8", "replace") if upload else data.get("spec_text", "")
        if not text.strip():
            self.add_error("spec_text", _("Paste a schedule or choose a file."))
            return data
        try:
            data["spec"] = json.loads(text)
        except json.JSONDecodeError as error:
            self.add_error(
                "spec_text",
                _("This is not valid JSON (line %(line)d, column %(col)d).")
                % {"line": error.lineno, "col": error.colno},
            )
        return data


class SwapForm(forms.Form):
    plan = forms.ChoiceField(label=_("Whose schedule"), choices=[])
    start_at = BoundedDateTimeField(
        label=_("You would have the children from"), widget=DateTimeInput()
    )
    end_at = BoundedDateTimeField(label=_("You would have them until"), widget=DateTimeInput())
    offer_start_at = BoundedDateTimeField(
        label=_("In return, the other parent has them from"),
        widget=DateTimeInput(),
        required=False,
    )
    offer_end_at = BoundedDateTimeField(
        label=_("The other parent has them until"), widget=DateTimeInput(), required=False
    )
    respond_by = BoundedDateTimeField(
        label=_("Please answer by"),
        widget=DateTimeInput(),
        help_text=_("Without an answer by then, the request expires."),
    )
    reason = TextField(
        label=_("Reason"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, plans: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = plans  # type: ignore[attr-defined]
        if len(plans) <= 1:
            self.fields["plan"].widget = forms.HiddenInput()
            if plans:
                self.fields["plan"].initial = plans[0][0]


class AnswerForm(forms.Form):
    response = TextField(
        label=_("Message"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EventForm(forms.Form):
    title = TextField(label=_("What"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    starts_at = BoundedDateTimeField(label=_("Starts"), widget=DateTimeInput())
    ends_at = BoundedDateTimeField(label=_("Ends"), widget=DateTimeInput(), required=False)
    place = TextField(label=_("Place"), max_length=200, required=False)
    place_is_home = forms.BooleanField(
        label=_("This place is someone's home (keep it out of calendar feeds)"), required=False
    )
    children = forms.MultipleChoiceField(
        label=_("Which children"), required=False, widget=forms.CheckboxSelectMultiple
    )
    attendees = forms.MultipleChoiceField(
        label=_("Who goes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    notes = TextField(
        label=_("Notes"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        children: list[tuple[str, str]],
        members: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["children"].choices = children  # type: ignore[attr-defined]
        self.fields["attendees"].choices = members  # type: ignore[attr-defined]


class ReportForm(forms.Form):
    date_from = BoundedDateField(label=pgettext_lazy("date range", "From"), widget=DateInput())
    date_to = BoundedDateField(
        label=_("To (not included)"), widget=DateInput(), help_text=_("Up to 5 years.")
    )
    rule = forms.ChoiceField(
        label=_("Count days as"),
        choices=[
            ("tennessee", _("Tennessee: more than 12 consecutive hours is a day")),
            ("arizona", _("Arizona: 24 h a day; 12 h = 1, 6-11 h = ½, 3-5 h = ¼")),
        ],
        initial="tennessee",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("date_from"), data.get("date_to")
        if first and last:
            if last <= first:
                self.add_error("date_to", _("The end must be after the start."))
            elif (last - first).days > 366 * 5:
                self.add_error("date_to", _("Choose a period of at most 5 years."))
        return data
