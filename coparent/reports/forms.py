"""The report form: period, sections, conversations, Bates prefix, paper."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coparent.core.forms import BoundedDateField, DateInput, TextField
from coparent.families.models import Membership
from coparent.reports.sections import section_list


class ReportForm(forms.Form):
    start = BoundedDateField(label=_("First day"), widget=DateInput())
    end = BoundedDateField(label=_("Last day (included)"), widget=DateInput())
    sections = forms.MultipleChoiceField(
        label=_("Sections"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    threads = forms.MultipleChoiceField(
        label=_("Conversations"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        choices=(),
        help_text=_("None ticked: every conversation you are in."),
    )
    journal_entries = forms.MultipleChoiceField(
        label=_("Journal entries"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        choices=(),
        help_text=_(
            "Only your own private journal, only in your own report. None ticked: every entry "
            "you wrote in the period."
        ),
    )
    bates_prefix = TextField(
        label=_("Bates prefix"),
        max_length=20,
        required=False,
        help_text=_("Printed before each page number, such as FENWICK-000123."),
    )
    paper = forms.ChoiceField(
        label=_("Paper"), choices=[("A4", "A4"), ("Letter", _("US Letter"))], required=False
    )

    def __init__(
        self,
        *args: Any,
        threads: list[tuple[str, str]],
        journal_entries: list[tuple[str, str]] | None = None,
        reader: Membership | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        sections = self.fields["sections"]
        assert isinstance(sections, forms.MultipleChoiceField)
        sections.choices = [(s.key, s.title) for s in section_list(reader)]
        chosen = self.fields["threads"]
        assert isinstance(chosen, forms.MultipleChoiceField)
        chosen.choices = threads
        if journal_entries:
            journal = self.fields["journal_entries"]
            assert isinstance(journal, forms.MultipleChoiceField)
            journal.choices = journal_entries
        else:
            del self.fields["journal_entries"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The last day must not be before the first."))
        return data
