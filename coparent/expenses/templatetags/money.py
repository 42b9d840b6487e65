"""`{{ amount|money:currency }}`: an amount written the reader's way ("$12.34", "¥1,235")."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from coparent.expenses import money as formatting

register = template.Library()


@register.filter(name="money")
def money_filter(amount: object, currency: str) -> str:
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return ""
    return formatting.money(value, currency)


@register.filter(name="money_minor")
def money_minor_filter(minor: object, currency: str) -> str:
    """`{{ expense.amount_minor|money_minor:expense.currency }}`: minor units (cents) written as
    money."""
    if minor is None or minor == "" or not isinstance(minor, int):
        return ""
    return formatting.money_minor(minor, currency)
