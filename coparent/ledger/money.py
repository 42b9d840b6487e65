"""Amounts as integers of the currency's minor unit (cents, yen, fils), and back to Decimal.

The number of decimals per ISO 4217 currency comes from the CLDR data that babel ships, not a
table of our own: JPY has 0, USD 2, BHD 3. An amount with more decimals than its currency has is
refused, never rounded: "12.345 USD" is a typing mistake, not a request for 12.35.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import cache

from babel.core import get_global
from babel.numbers import get_currency_precision

# Far beyond any family expense, well inside a 64-bit integer of minor units for every currency.
MAX_AMOUNT = Decimal("1000000000")


class MoneyError(ValueError):
    """An amount or currency that cannot be used; the message says why, for the person."""


@cache
def known_currencies() -> frozenset[str]:
    """Current ISO 4217 codes that some territory uses today (CLDR), e.g. USD, EUR, JPY."""
    territories = get_global("territory_currencies")
    found = set()
    for entries in territories.values():
        for code, _start, end, tender in entries:
            if end is None and tender:
                found.add(code)
    return frozenset(found)


def is_currency(code: str) -> bool:
    return code in known_currencies()


def digits(currency: str) -> int:
    """Decimals of the currency's minor unit (2 for USD, 0 for JPY, 3 for BHD)."""
    if not is_currency(currency):
        raise MoneyError(f"{currency!r} is not a currency code we know (ISO 4217, e.g. USD).")
    return int(get_currency_precision(currency))


def to_minor(amount: Decimal | str, currency: str) -> int:
    """12.34 USD -> 1234. Refuses non-numbers, more decimals than the currency has, and
    amounts outside the range; zero and negatives are the caller's to refuse or allow."""
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount).strip())
    except InvalidOperation:
        raise MoneyError("Give the amount as a number, e.g. 123.45.") from None
    if not value.is_finite():
        raise MoneyError("Give the amount as a number, e.g. 123.45.")
    places = digits(currency)
    if abs(value) > MAX_AMOUNT:
        raise MoneyError("That amount is too large.")
    scaled = value.scaleb(places)
    if scaled != scaled.to_integral_value():
        raise MoneyError(
            f"{currency} has {places} decimal place{'s' if places != 1 else ''}; "
            f"give the amount with at most that many."
        )
    return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    """1234 USD -> Decimal('12.34'), always with the currency's number of decimals."""
    places = digits(currency)
    return Decimal(minor).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def format_plain(minor: int, currency: str) -> str:
    """The decimal string the API and CSV use: "12.34", "1200" (JPY), "0.500" (BHD)."""
    return str(from_minor(minor, currency))
