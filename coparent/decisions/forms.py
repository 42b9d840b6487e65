"""Forms for decision pages; the services check the rules again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coparent.core.forms import BoundedDateTimeField, TextField
from coparent.decisions.models import Agreement, AnswerKind, Category, NoAnswer
from coparent.decisions.services import (
    MAX_COMMENT,
    MAX_DEFAULT,
    MAX_DETAILS,
    MAX_OPTION,
    MAX_OPTIONS,
    MAX_REASON,
    MAX_SOURCE,
    MAX_TITLE,
)
from coparent.families.models import Child, Family


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class AgreementChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.proposal.title} ({obj.outcome})"


class TermsForm(forms.Form):
    """What one version of a decision says: the same for a first proposal and a counter."""

    title = TextField(
        label=_("What is to be decided"),
        max_length=MAX_TITLE,
        help_text=_("e.g. Kit may have a TikTok account from 14, private, no face in videos"),
    )
    details = TextField(
        label=_("Details"), max_length=MAX_DETAILS, required=False, widget=forms.Textarea
    )
    answer_kind = forms.ChoiceField(
        label=_("How the other parent answers"),
        choices=AnswerKind.choices,
        initial=AnswerKind.YES_NO,
        widget=forms.RadioSelect,
    )
    options = TextField(
        label=_("Options"),
        required=False,
        max_length=(MAX_OPTION + 1) * MAX_OPTIONS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, when the other parent chooses one of them."),
    )
    respond_by = BoundedDateTimeField(
        label=_("Answer by"),
        widget=DateTimeLocalInput(),
        help_text=_("In your time zone."),
    )
    on_no_answer = forms.ChoiceField(
        label=_("If there is no answer by then"),
        choices=NoAnswer.choices,
        initial=NoAnswer.NOTHING,
        widget=forms.RadioSelect,
    )
    default_outcome = TextField(
        label=_("The default outcome the court order gives"),
        max_length=MAX_DEFAULT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when an order says what happens without an answer."),
    )
    default_source = TextField(
        label=_("Which order says so"),
        max_length=MAX_SOURCE,
        required=False,
        help_text=_("e.g. Order of 3 March 2025, paragraph 12"),
    )

    def option_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("options", "").splitlines()]


class ProposeForm(TermsForm):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    children = forms.ModelMultipleChoiceField(
        label=_("About which children"),
        queryset=Child.objects.none(),
        to_field_name="public_id",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: it is about the whole family."),
    )
    supersedes = AgreementChoiceField(
        label=_("Replaces an agreement"),
        queryset=Agreement.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=_("No, it is new"),
        help_text=_("Once agreed, the old agreement is kept and marked as replaced."),
    )

    field_order = ("title", "category", "children", "details", "answer_kind", "options")

    def __init__(self, *args: Any, family: Family, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["children"].queryset = Child.objects.filter(family=family)  # type: ignore[attr-defined]
        self.fields["supersedes"].queryset = Agreement.objects.filter(  # type: ignore[attr-defined]
            family=family, superseded_by__isnull=True
        ).select_related("proposal")


class AcceptForm(forms.Form):
    option = forms.ChoiceField(label=_("Your choice"), choices=(), widget=forms.RadioSelect)

    def __init__(self, *args: Any, options: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if options:
            self.fields["option"].choices = [(o, o) for o in options]  # type: ignore[attr-defined]
        else:
            del self.fields["option"]


class DeclineForm(forms.Form):
    reason = TextField(
        label=_("Why you decline"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CommentForm(forms.Form):
    body = TextField(
        label=_("Comment"), max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 3})
    )


class ShareForm(forms.Form):
    caregivers = forms.BooleanField(label=_("Caregivers"), required=False)
    children = forms.BooleanField(label=_("Children"), required=False)
