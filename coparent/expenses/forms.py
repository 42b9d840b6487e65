"""The money pages' forms. Choices that depend on the family (its categories, children and
parents) are passed in by the view; amounts are checked against their currency here, and the
service checks everything again (it is the one that refuses)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coparent.core.forms import BoundedDateField, DateInput, TextField
from coparent.expenses.fields import (
    AmountField,
    CurrencyField,
    PercentField,
    ReceiptsField,
    check_decimals,
)
from coparent.expenses.models import PaymentMethod

Choices = list[tuple[str, str]]

MAX_DESCRIPTION = 200
MAX_NOTE = 2000
MAX_REASON = 2000
METHODS = PaymentMethod.choices


def _split_fields(form: forms.Form, parents: Choices, *, required: bool = False) -> list[str]:
    """One percentage field per parent, named split_<member id>."""
    names = []
    for member_id, name in parents:
        field_name = f"split_{member_id}"
        form.fields[field_name] = PercentField(
            label=_("%(name)s's share (%%)") % {"name": name}, required=required
        )
        names.append(field_name)
    return names


def _percents(form: forms.Form, names: list[str]) -> dict[str, Decimal] | None:
    """{member id: percent} when any was given; an error at the top when they do not add up."""
    values = {name.removeprefix("split_"): form.cleaned_data.get(name) for name in names}
    if all(value is None for value in values.values()):
        return None
    given = {key: (value or Decimal(0)) for key, value in values.items()}
    if sum(given.values(), Decimal(0)) != Decimal(100):
        form.add_error(names[0], _("The shares must add up to exactly 100%."))
        return None
    return given


class ExpenseForm(forms.Form):
    description = TextField(
        label=_("What was it for?"),
        max_length=MAX_DESCRIPTION,
        help_text=_("e.g. “Dentist check-up” or “School trip to the coast”"),
    )
    category = forms.ChoiceField(label=_("Category"), choices=[])
    children = forms.MultipleChoiceField(
        label=_("For"), required=False, widget=forms.CheckboxSelectMultiple, choices=[]
    )
    date = BoundedDateField(label=_("Date paid"), widget=DateInput())
    amount = AmountField(label=_("Amount"))
    currency = CurrencyField(label=_("Currency"))
    paid_by = forms.ChoiceField(label=_("Paid by"), choices=[])
    receipts = ReceiptsField(
        label=_("Receipts"),
        help_text=_(
            "Up to 10 PNG or JPEG pictures or PDFs, 10 MB each. Location data in photos is removed."
        ),
    )
    note = TextField(
        label=_("Note"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        categories: Choices,
        children: Choices,
        parents: Choices,
        with_receipts: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = categories  # type: ignore[attr-defined]
        self.fields["children"].choices = children  # type: ignore[attr-defined]
        self.fields["paid_by"].choices = parents  # type: ignore[attr-defined]
        if not children:
            del self.fields["children"]
        if not with_receipts:
            del self.fields["receipts"]
        self.split_names = _split_fields(self, parents)
        for name in self.split_names:
            self.fields[name].help_text = ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_decimals(self, "amount", data.get("currency"))
        data["split"] = _percents(self, self.split_names)
        return data

    def split_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.split_names]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.split_names]


class ApproveForm(forms.Form):
    """Approve all of it (no amount), or part of it: an amount and a reason."""

    amount = AmountField(
        label=_("Amount you approve"),
        required=False,
        help_text=_("Leave empty to approve the whole share."),
    )
    reason = TextField(
        label=_("Reason"),
        max_length=MAX_REASON,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when you approve only part of it."),
    )

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_decimals(self, "amount", self.currency)
        if data.get("amount") is not None and not data.get("reason"):
            self.add_error("reason", _("Say why you approve only part of it."))
        return data


class ReasonForm(forms.Form):
    reason = TextField(
        label=_("Reason"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why, so the other parent can answer.")},
    )


class OptionalReasonForm(forms.Form):
    reason = TextField(
        label=_("Reason"),
        max_length=MAX_REASON,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PaymentForm(forms.Form):
    to = forms.ChoiceField(label=_("Paid to"), choices=[])
    amount = AmountField(label=_("Amount"))
    currency = CurrencyField(label=_("Currency"))
    date = BoundedDateField(label=_("Date paid"), widget=DateInput())
    method = forms.ChoiceField(label=_("How"), choices=METHODS)
    app_name = TextField(
        label=_("Which app"), max_length=60, required=False, help_text=_("e.g. Venmo, PayPal")
    )
    reference = TextField(
        label=_("Reference"),
        max_length=200,
        required=False,
        help_text=_("e.g. the transfer's reference or the check number"),
    )
    proof = forms.FileField(
        label=pgettext_lazy("payment proof", "Proof"),
        required=False,
        help_text=_("A screenshot or PDF of the transfer, up to 10 MB."),
    )
    expenses = forms.MultipleChoiceField(
        label=_("Pays for"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[],
        help_text=_("Leave all unticked to pay the oldest open requests first."),
    )
    note = TextField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, payees: Choices, open_expenses: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = payees  # type: ignore[attr-defined]
        self.fields["expenses"].choices = open_expenses  # type: ignore[attr-defined]
        if not open_expenses:
            del self.fields["expenses"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_decimals(self, "amount", data.get("currency"))
        if data.get("method") == "app" and not data.get("app_name"):
            self.add_error("app_name", _("Name the app."))
        return data


class RulesForm(forms.Form):
    """A proposed set of split rules: the default split, then any overrides per category or per
    child, and pre-approval limits, in force from a date."""

    effective_from = BoundedDateField(label=_("In force from"), widget=DateInput())
    note = TextField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        categories: Choices,
        children: Choices,
        parents: Choices,
        currency: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.parents = parents
        self.currency = currency
        self.default_names = [f"default_{member}" for member, _name in parents]
        for (_member, name), field_name in zip(parents, self.default_names, strict=True):
            self.fields[field_name] = PercentField(
                label=_("%(name)s (%%)") % {"name": name}, required=True
            )
        # Overrides: one row per category and per child, each a percentage per parent, blank
        # when the default applies.
        self.override_rows: list[tuple[str, str, list[str]]] = []
        for kind, rows in (("category", categories), ("child", children)):
            for key, _row_label in rows:
                names = []
                for member, name in parents:
                    field_name = f"{kind}_{key}_{member}"
                    self.fields[field_name] = PercentField(
                        label=_("%(name)s (%%)") % {"name": name}, required=False
                    )
                    names.append(field_name)
                self.override_rows.append((kind, key, names))
        self.override_labels = {
            **{("category", key): label for key, label in categories},
            **{("child", key): label for key, label in children},
        }
        self.limit_names = []
        for key, _category in categories:
            field_name = f"limit_{key}"
            self.fields[field_name] = AmountField(
                label=_("Consent needed above (%(currency)s)") % {"currency": currency},
                required=False,
            )
            self.limit_names.append((key, field_name))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        default = _percents(self, self.default_names) if not self.errors else None
        data["default"] = {k.removeprefix("default_"): v for k, v in (default or {}).items()}
        overrides: list[tuple[str, str, dict[str, Decimal]]] = []
        for kind, key, names in self.override_rows:
            values = {name: data.get(name) for name in names}
            if all(value is None for value in values.values()):
                continue
            given = {
                name.rsplit("_", 1)[1]: (value or Decimal(0)) for name, value in values.items()
            }
            if sum(given.values(), Decimal(0)) != Decimal(100):
                self.add_error(names[0], _("The shares must add up to exactly 100%."))
                continue
            overrides.append((kind, key, given))
        data["overrides"] = overrides
        limits = {}
        for key, field_name in self.limit_names:
            check_decimals(self, field_name, self.currency)
            if data.get(field_name) is not None:
                limits[key] = data[field_name]
        data["limits"] = limits
        return data

    def default_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.default_names]

    def override_groups(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        return [
            (kind, str(self.override_labels[(kind, key)]), [self[name] for name in names])
            for kind, key, names in self.override_rows
        ]

    def limit_fields(self) -> list[tuple[str, forms.BoundField]]:
        labels = {
            key: label for (kind, key), label in self.override_labels.items() if kind == "category"
        }
        return [(str(labels[key]), self[name]) for key, name in self.limit_names]


class SettingsForm(forms.Form):
    default_currency = CurrencyField(label=_("Default currency"))
    respond_by_days = forms.IntegerField(
        label=_("Days to answer a request"),
        min_value=1,
        max_value=90,
        help_text=_("After this, a request is marked overdue. It is never approved by silence."),
    )


class ShareForm(forms.Form):
    """Which categories one caregiver may see."""

    categories = forms.MultipleChoiceField(
        label=_("Categories they may see"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[],
    )

    def __init__(self, *args: Any, categories: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = categories  # type: ignore[attr-defined]


class LedgerFilterForm(forms.Form):
    """The ledger's filters, read from the query string; a bad value is ignored with a note."""

    start = BoundedDateField(
        label=pgettext_lazy("date range", "From"), required=False, widget=DateInput()
    )
    end = BoundedDateField(label=_("Until"), required=False, widget=DateInput())
    category = forms.ChoiceField(label=_("Category"), required=False, choices=[])
    child = forms.ChoiceField(label=_("Child"), required=False, choices=[])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[])

    def __init__(
        self, *args: Any, categories: Choices, children: Choices, statuses: Choices, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["category"].choices = everything + categories  # type: ignore[attr-defined]
        self.fields["child"].choices = everything + children  # type: ignore[attr-defined]
        self.fields["status"].choices = everything + statuses  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.add_error("end", _("The end date must be on or after the start date."))
        return data


class CategoryForm(forms.Form):
    name = TextField(label=_("New category"), max_length=60, help_text=_("e.g. Orthodontics"))


class SettleForm(forms.Form):
    """Settling up: the amount is exactly the balance, so only how and when."""

    date = BoundedDateField(label=_("Date paid"), widget=DateInput())
    method = forms.ChoiceField(label=_("How"), choices=METHODS)
    app_name = TextField(
        label=_("Which app"), max_length=60, required=False, help_text=_("e.g. Venmo, PayPal")
    )
    reference = TextField(label=_("Reference"), max_length=200, required=False)
    note = TextField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("method") == "app" and not data.get("app_name"):
            self.add_error("app_name", _("Name the app."))
        return data


MAX_PERIOD_DAYS = 3700  # ten years and a bit


class PeriodForm(forms.Form):
    start = BoundedDateField(label=pgettext_lazy("date range", "From"), widget=DateInput())
    end = BoundedDateField(label=_("Until (included)"), widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date):
            if end < start:
                self.add_error("end", _("The end date must be on or after the start date."))
            elif (end - start).days > MAX_PERIOD_DAYS:
                self.add_error("end", _("Choose a period of at most ten years."))
        return data


# Repeat choices a parent picks from, as RFC 5545 rules from the start date.
REPEATS = [
    ("FREQ=MONTHLY", _("Every month, on the start date's day")),
    ("FREQ=WEEKLY", _("Every week")),
    ("FREQ=WEEKLY;INTERVAL=2", _("Every two weeks")),
    ("FREQ=MONTHLY;INTERVAL=3", _("Every three months")),
    ("FREQ=YEARLY", _("Every year")),
]


class RecurringForm(forms.Form):
    description = TextField(
        label=_("What is it?"),
        max_length=MAX_DESCRIPTION,
        help_text=_("e.g. “School tuition” or “Health insurance”"),
    )
    category = forms.ChoiceField(label=_("Category"), choices=[])
    children = forms.MultipleChoiceField(
        label=_("For"), required=False, widget=forms.CheckboxSelectMultiple, choices=[]
    )
    amount = AmountField(label=_("Amount each time"))
    currency = CurrencyField(label=_("Currency"))
    paid_by = forms.ChoiceField(label=_("Paid by"), choices=[])
    rrule = forms.ChoiceField(label=_("Repeats"), choices=REPEATS)
    starts_on = BoundedDateField(label=_("First date"), widget=DateInput())
    note = TextField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, categories: Choices, children: Choices, parents: Choices, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = categories  # type: ignore[attr-defined]
        self.fields["children"].choices = children  # type: ignore[attr-defined]
        self.fields["paid_by"].choices = parents  # type: ignore[attr-defined]
        if not children:
            del self.fields["children"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_decimals(self, "amount", data.get("currency"))
        return data


class ReceiptAddForm(forms.Form):
    receipts = ReceiptsField(
        label=_("Add receipts"),
        required=True,
        help_text=_("PNG or JPEG pictures or PDFs, 10 MB each. Location data is removed."),
    )


class ConsentRequestForm(forms.Form):
    description = TextField(
        label=_("What do you want to spend on?"),
        max_length=MAX_DESCRIPTION,
        help_text=_("e.g. “Summer camp, two weeks”"),
    )
    category = forms.ChoiceField(label=_("Category"), choices=[])
    amount = AmountField(label=_("Up to"))
    currency = CurrencyField(label=_("Currency"))

    def __init__(self, *args: Any, categories: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = categories  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_decimals(self, "amount", data.get("currency"))
        return data
