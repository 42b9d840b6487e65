"""Form fields for money, following core/forms.py: an amount that is a positive Decimal with no
more decimals than its currency has, a currency from ISO 4217, a percentage with up to two
decimals, and up to ten receipt files in one input."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from coparent.core.inputs import BAD_TEXT, text_problem
from coparent.expenses import money
from coparent.expenses.models import MAX_RECEIPTS

MAX_AMOUNT = Decimal("999999999")  # a billion of anything is a typo here


class AmountField(forms.DecimalField):
    """A positive amount. Its currency lives in another field, so the form calls
    `check_decimals(form, "amount", currency)` in its clean() once both are known."""

    default_error_messages = {
        "invalid": _("Write an amount such as 12.34."),
        "required": _("Write the amount."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 15)
        kwargs.setdefault("decimal_places", 3)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "step": "any", "min": "0"})
        self.error_messages["max_decimal_places"] = _(
            "Use at most %(max)s decimal places for this currency."
        )
        self.error_messages["max_digits"] = _("That amount is too large.")
        self.error_messages["max_whole_digits"] = _("That amount is too large.")

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs["step"] = "any"  # the currency decides the decimals, checked on the server
        return attrs

    def validate(self, value: Any) -> None:
        super().validate(value)
        if isinstance(value, Decimal):
            if value <= 0:
                raise forms.ValidationError(_("The amount must be more than zero."), "positive")
            if value > MAX_AMOUNT:
                raise forms.ValidationError(_("That amount is too large."), "too_large")


def check_decimals(form: forms.Form, field: str, currency: str | None) -> None:
    """Adds an error next to `field` when its amount has more decimals than `currency` allows
    (JPY none, USD two, BHD three)."""
    amount = form.cleaned_data.get(field)
    if not isinstance(amount, Decimal) or not currency or not money.is_currency(currency):
        return
    allowed = money.decimals(currency)
    exponent = amount.normalize().as_tuple().exponent
    used = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if used > allowed:
        if allowed == 0:
            message = _("%(currency)s has no decimals: write a whole amount.") % {
                "currency": currency
            }
        else:
            message = _("%(currency)s has %(n)s decimal places at most.") % {
                "currency": currency,
                "n": allowed,
            }
        form.add_error(field, message)


class CurrencyField(forms.ChoiceField):
    """An ISO 4217 code from the list, the common ones first."""

    default_error_messages = {
        "invalid_choice": _("Choose a currency from the list, e.g. USD."),
        "required": _("Choose a currency."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=money.currency_choices, **kwargs)

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).strip().upper()

    def valid_value(self, value: object) -> bool:
        return isinstance(value, str) and money.is_currency(value)


class PercentField(forms.DecimalField):
    """0 to 100 with up to two decimals (60, 33.33)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 5)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_value", Decimal(100))
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "step": "0.01"})
        self.error_messages["max_decimal_places"] = _("Use at most two decimal places.")
        self.error_messages["invalid"] = _("Write a percentage such as 50 or 33.33.")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ReceiptsField(forms.FileField):
    """Up to ten files in one input. Their content is checked by the service (messaging's
    clean_upload: images re-encoded without location, PDFs rewritten); here only their number
    and names."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"accept": "image/png,image/jpeg,application/pdf"})

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[Any]]:
        files = list(data) if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_RECEIPTS:
            raise forms.ValidationError(
                _("Attach at most %(n)s receipts.") % {"n": MAX_RECEIPTS}, "too_many"
            )
        cleaned = [super(ReceiptsField, self).clean(upload, initial) for upload in files]
        for upload in cleaned:
            if upload is not None and text_problem(upload.name or ""):
                raise forms.ValidationError(BAD_TEXT, code="bad_text")
        if self.required and not cleaned:
            raise forms.ValidationError(self.error_messages["required"], "required")
        return [upload for upload in cleaned if upload is not None]
