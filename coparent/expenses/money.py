"""Money as a reader sees it: amounts written by the reader's locale (babel, CLDR data), the
currency list a person picks from, and how many decimals each currency has.

Amounts stay Decimal from the database to the page; nothing here rounds or converts."""

from __future__ import annotations

import re
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency
from django.conf import settings
from django.utils import translation

from coparent.ledger import money as ledger_money

# Offered first in the currency list; every other ISO 4217 currency follows, by name.
COMMON = ("USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "JPY", "INR", "MXN", "ZAR")


_CODE_AGAINST_DIGITS = re.compile(r"^([A-Z]{3})(?=[-\d])")


def reader_locale() -> str:
    """Django's active language as a babel locale name ("en-gb" -> "en_GB", "es" -> "es_419" by
    settings.COPARENT_CLDR_LOCALES), "en" when babel does not know it."""
    language = translation.get_language() or "en"
    name = settings.COPARENT_CLDR_LOCALES.get(language) or translation.to_locale(language)
    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        return "en"
    return name


def money(amount: Decimal | int | str, currency: str, locale: str | None = None) -> str:
    """ "$1,234.50", "¥1,235", "BHD 1.250" - with exactly the currency's decimals."""
    text = format_currency(Decimal(amount), currency, locale=locale or reader_locale())
    # CLDR writes a bare code against the digits ("BHD1.250"); a space reads better.
    return _CODE_AGAINST_DIGITS.sub("\\1\xa0", text)


def is_currency(code: str) -> bool:
    """An ISO 4217 currency in use today (the ledger's list, so a page never offers what the
    service refuses)."""
    return ledger_money.is_currency(code)


def decimals(currency: str) -> int:
    """Minor-unit digits (USD 2, JPY 0, BHD 3)."""
    return ledger_money.digits(currency)


def currency_choices(locale: str | None = None) -> list[tuple[str, str]]:
    """(code, "US dollar (USD)") with the common ones first, then every other by name."""
    names = Locale.parse(locale or reader_locale()).currencies

    def label(code: str) -> str:
        name = names.get(code)
        return f"{name} ({code})" if name else code

    common = [(code, label(code)) for code in COMMON]
    rest = sorted(
        ((code, label(code)) for code in ledger_money.known_currencies() if code not in COMMON),
        key=lambda pair: pair[1].casefold(),
    )
    return common + rest


def from_minor(minor: int, currency: str) -> Decimal:
    """1234 USD -> Decimal("12.34")."""
    return ledger_money.from_minor(minor, currency)


def money_minor(minor: int, currency: str) -> str:
    """Minor units (cents) written as money: 1234 USD -> "$12.34"."""
    return money(from_minor(minor, currency), currency)
