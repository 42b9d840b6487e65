"""Who owes whom: the net of approved shares and confirmed payments between two members, per
currency. This is the oracle the property tests hold the database's SQL aggregate to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Debt:
    """`debtor` owes `creditor` `amount` minor units of `currency` (an approved share)."""

    currency: str
    debtor: str
    creditor: str
    amount: int


@dataclass(frozen=True)
class Payment:
    """A confirmed payment of `amount` from `payer` to `payee`."""

    currency: str
    payer: str
    payee: str
    amount: int


@dataclass(frozen=True)
class Balance:
    currency: str
    owed_by: str
    owed_to: str
    amount: int


def net(debts: Iterable[Debt], payments: Iterable[Payment]) -> list[Balance]:
    """One line per currency and pair of members that is not settled, sorted by currency then
    member ids; an empty list when everything is settled. A payment beyond what was owed turns
    the balance the other way (the receiver now owes it back), never into a negative amount."""
    sums: dict[tuple[str, str, str], int] = {}

    def add(currency: str, debtor: str, creditor: str, amount: int) -> None:
        low, high = sorted((debtor, creditor))
        sign = 1 if debtor == low else -1  # positive: `low` owes `high`
        sums[(currency, low, high)] = sums.get((currency, low, high), 0) + sign * amount

    for debt in debts:
        if debt.debtor != debt.creditor:
            add(debt.currency, debt.debtor, debt.creditor, debt.amount)
    for payment in payments:
        if payment.payer != payment.payee:
            add(payment.currency, payment.payer, payment.payee, -payment.amount)
    lines = []
    for (currency, low, high), amount in sorted(sums.items()):
        if amount > 0:
            lines.append(Balance(currency, low, high, amount))
        elif amount < 0:
            lines.append(Balance(currency, high, low, -amount))
    return lines
