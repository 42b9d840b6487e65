"""The pieces of the money pages that need no rows: the SVG chart, amounts written the reader's
way, and the amount, currency, percentage and receipt fields."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coparent.expenses import money
from coparent.expenses.chart import Bar, bar_chart
from coparent.expenses.fields import (
    AmountField,
    CurrencyField,
    PercentField,
    ReceiptsField,
    check_decimals,
)

SVG = "{http://www.w3.org/2000/svg}"


def test_the_chart_is_an_image_with_a_title_and_a_description():
    svg = bar_chart(
        title="Spending by category",
        description="Medical $30.00, School $10.00",
        bars=[Bar("Medical", Decimal("30"), "$30.00"), Bar("School", Decimal("10"), "$10.00")],
        chart_id="c1",
    )
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Spending by category"
    assert root.find(f"{SVG}desc").text == "Medical $30.00, School $10.00"
    widths = [int(rect.get("width")) for rect in root.iter(f"{SVG}rect")]
    assert widths[0] == 2 * widths[1] + widths[0] % 2 or widths[0] > widths[1]
    assert widths[0] == 250  # the largest bar takes the room left of its amount


def test_the_chart_escapes_what_people_typed():
    svg = bar_chart(
        title="<script>", description="&", bars=[Bar('"a<b>', Decimal(1), "<1>")], chart_id="x"
    )
    assert "<script>" not in svg
    root = ET.fromstring(svg)
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert labels == ['"a<b>', "<1>"]


def test_an_empty_or_zero_chart_draws_no_bars():
    assert "<rect" not in bar_chart(title="t", description="d", bars=[], chart_id="e")
    svg = bar_chart(title="t", description="d", bars=[Bar("a", Decimal(0), "0")], chart_id="z")
    assert 'width="0"' in svg


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.integers(0, 10**11).map(lambda cents: Decimal(cents) / 100), min_size=1, max_size=9)
)
def test_bars_keep_the_order_of_the_amounts(values):
    svg = bar_chart(
        title="t",
        description="d",
        bars=[Bar(str(i), v, str(v)) for i, v in enumerate(values)],
        chart_id="p",
    )
    widths = [int(rect.get("width")) for rect in ET.fromstring(svg).iter(f"{SVG}rect")]
    pairs = list(zip(values, widths, strict=True))
    for (a, wa), (b, wb) in itertools.pairwise(pairs):
        if a > b:
            assert wa >= wb
    assert all(0 <= w <= 250 for w in widths)


def test_amounts_are_written_with_the_currency_s_own_decimals():
    assert money.money(Decimal("1234.5"), "USD", "en") == "$1,234.50"
    assert money.money(Decimal("1235"), "JPY", "en") == "¥1,235"
    assert money.money(Decimal("1.25"), "BHD", "en") == "BHD\xa01.250"
    assert money.money(Decimal("12.34"), "EUR", "de_DE") == "12,34\xa0€"
    assert (money.decimals("JPY"), money.decimals("USD"), money.decimals("BHD")) == (0, 2, 3)


def test_the_money_filter_writes_the_reader_s_way():
    out = Template("{% load money %}{{ a|money:'USD' }}|{{ b|money:'USD' }}").render(
        Context({"a": Decimal("12.3"), "b": None})
    )
    assert out == "$12.30|"


def test_the_currency_list_starts_with_the_common_ones_and_knows_every_active_code():
    codes = [code for code, _label in money.currency_choices("en")]
    assert codes[:3] == ["USD", "EUR", "GBP"]
    assert {"JPY", "BHD", "SEK", "BRL"} <= set(codes)
    assert "XXX" not in codes and len(codes) == len(set(codes))


class MoneyForm(forms.Form):
    amount = AmountField()
    currency = CurrencyField()
    percent = PercentField(required=False)

    def clean(self):
        data = super().clean()
        check_decimals(self, "amount", data.get("currency"))
        return data


@pytest.mark.parametrize(
    ("amount", "currency", "error"),
    [
        ("0", "USD", "more than zero"),
        ("-5", "USD", "more than zero"),
        ("1.234", "USD", "2 decimal places at most"),
        ("100.5", "JPY", "no decimals"),
        ("1.2345", "BHD", "at most 3 decimal places"),
        ("abc", "USD", "such as 12.34"),
        ("1e400", "USD", "too large"),
        ("5", "ZZZ", None),
    ],
)
def test_bad_amounts_get_a_message_next_to_the_field(amount, currency, error):
    form = MoneyForm({"amount": amount, "currency": currency})
    assert not form.is_valid()
    if error:
        assert error in " ".join(form.errors["amount"])
    else:
        assert "Choose a currency from the list" in " ".join(form.errors["currency"])


@pytest.mark.parametrize(
    ("amount", "currency"), [("12.34", "USD"), ("12.3", "USD"), ("1500", "JPY"), ("1.125", "BHD")]
)
def test_good_amounts_pass(amount, currency):
    form = MoneyForm({"amount": amount, "currency": currency.lower()})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == Decimal(amount)
    assert form.cleaned_data["currency"] == currency


def test_percentages_have_two_decimals_at_most():
    assert not MoneyForm({"amount": "1", "currency": "USD", "percent": "33.333"}).is_valid()
    assert not MoneyForm({"amount": "1", "currency": "USD", "percent": "101"}).is_valid()
    assert MoneyForm({"amount": "1", "currency": "USD", "percent": "33.33"}).is_valid()


def test_at_most_ten_receipts():
    field = ReceiptsField()
    files = [SimpleUploadedFile(f"r{i}.pdf", b"%PDF-1.4") for i in range(11)]
    with pytest.raises(forms.ValidationError, match="at most 10"):
        field.clean(files)
    assert len(field.clean(files[:10])) == 10
    assert field.clean([]) == []
    with pytest.raises(forms.ValidationError):
        field.clean([SimpleUploadedFile("bad\x00name.pdf", b"%PDF-1.4")])
