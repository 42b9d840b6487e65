from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coparent.core.forms import BoundedDateField, DateInput, TextField
from coparent.families.models import AccessApproval, ProfessionalKind, Role


class FamilyForm(forms.Form):
    name = TextField(
        label=_("Family name"),
        max_length=100,
        help_text=_("Only your family sees it, e.g. “Robin and Sky”."),
    )


class ChildForm(forms.Form):
    first_name = TextField(label=_("First name"), max_length=60)
    last_name = TextField(label=_("Last name"), max_length=60, required=False)
    date_of_birth = BoundedDateField(label=_("Date of birth"), widget=DateInput())


ROLE_HELP = {
    Role.PARENT: _("Full rights. A family has at most two parents."),
    Role.CAREGIVER: _(
        "Grandparent, new partner, nanny, cousin: sees what parents share with them."
    ),
    Role.CHILD: _("Sees their own calendar and messages sent to them."),
    Role.PROFESSIONAL: _(
        "Attorney, mediator, guardian ad litem: read-only, for a limited time, every visit logged."
    ),
}


class InvitationForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(role.value, f"{role.label} — {ROLE_HELP[role]}") for role in Role],
        widget=forms.RadioSelect,
        initial=Role.PARENT,
    )
    email = forms.EmailField(
        label=_("Their email address"),
        required=False,
        help_text=_("We email them the link. Leave empty to get a link you share yourself."),
    )
    relationship = TextField(
        label=_("Relationship"),
        max_length=60,
        required=False,
        help_text=_("e.g. grandmother, nanny"),
    )
    professional_kind = forms.ChoiceField(
        label=_("Kind of professional"),
        choices=[("", "—"), *ProfessionalKind.choices],
        required=False,
    )
    access_days = forms.IntegerField(
        label=_("Access lasts (days)"),
        min_value=1,
        max_value=366,
        initial=90,
        required=False,
        help_text=_("Either parent can end it earlier."),
    )
    child = forms.ChoiceField(label=_("Which child"), required=False, choices=[])

    def __init__(
        self, *args: object, children: list[tuple[str, str]] | None = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["child"].choices = [("", "—"), *(children or [])]  # type: ignore[attr-defined]


class FamilyPolicyForm(forms.Form):
    access_approval = forms.ChoiceField(
        label=_("When a professional asks for access"),
        choices=AccessApproval.choices,
        widget=forms.RadioSelect,
    )
    deletion_hold = forms.BooleanField(
        label=_("Keep this family's data even if everyone leaves (e.g. during a court case)"),
        required=False,
        help_text=_(
            "Without a hold, a family whose last member deletes their account is deleted, "
            "with its record and files, 30 days later."
        ),
    )


class AccessRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("A parent's email address"),
        max_length=254,
        help_text=_("We email them your request; they choose the family and answer it."),
    )
    professional_kind = forms.ChoiceField(label=_("You are"), choices=ProfessionalKind.choices)
    access_days = forms.IntegerField(
        label=_("Access for (days)"),
        min_value=1,
        max_value=366,
        initial=90,
        help_text=_("Read-only, every page you open is shown to the parents."),
    )
    note = TextField(
        label=_("A note for the parents"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("e.g. your case number or who referred you."),
    )


class AccessAnswerForm(forms.Form):
    family = forms.ChoiceField(label=_("Which family"), choices=[])
    action = forms.ChoiceField(choices=[("approve", "approve"), ("decline", "decline")])

    def __init__(self, *args: object, families: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["family"].choices = families  # type: ignore[attr-defined]
