"""Splitting an amount into shares that sum exactly to it.

Percentages have at most two decimals and add up to 100. Each share is the exact share rounded
DOWN to the minor unit; the leftover minor units (at most one per member but one) go to the
member named in `remainder_to` (the payer, so the person asked to pay back never owes more than
their exact share), or, if that member has no share, one each to the members with the largest
percentages, ties broken by their id in sorted order. The same inputs always give the same shares.

An expense for several children whose rules differ is split child by child: the amount is first
divided equally among the children (leftover minor units to the children in the order given),
then each part by that child's percentages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

HUNDRED = Decimal(100)


class SplitError(ValueError):
    pass


def check_percents(percents: Mapping[str, Decimal]) -> None:
    """Refuses percentages that are negative, have more than two decimals or do not add up to
    exactly 100."""
    if not percents:
        raise SplitError("Give at least one share.")
    for value in percents.values():
        if not value.is_finite() or value < 0 or value > HUNDRED:
            raise SplitError("Each share is a percentage between 0 and 100.")
        if value != value.quantize(Decimal("0.01")):
            raise SplitError("Percentages have at most two decimals, e.g. 33.33.")
    if sum(percents.values(), Decimal(0)) != HUNDRED:
        raise SplitError("The shares must add up to exactly 100%.")


def split(
    amount: int, percents: Mapping[str, Decimal], *, remainder_to: str | None = None
) -> dict[str, int]:
    """Shares in minor units, one per member in `percents`, summing exactly to `amount`."""
    check_percents(percents)
    if amount < 0:
        raise SplitError("Only a positive amount is split.")
    # percent has two decimals: amount * (percent * 100) / 10000 is exact in integers.
    shares = {key: amount * int(value * 100) // 10000 for key, value in sorted(percents.items())}
    leftover = amount - sum(shares.values())
    if leftover:
        if remainder_to is not None and percents.get(remainder_to, Decimal(0)) > 0:
            shares[remainder_to] += leftover
        else:
            order = sorted(
                (key for key in percents if percents[key] > 0),
                key=lambda key: (-percents[key], key),
            )
            for index in range(leftover):
                shares[order[index % len(order)]] += 1
    return shares


def divide_equally(amount: int, parts: int) -> list[int]:
    """`amount` in `parts` nearly equal integers, the larger ones first, summing to `amount`."""
    if parts < 1:
        raise SplitError("Divide into at least one part.")
    base, leftover = divmod(amount, parts)
    return [base + (1 if index < leftover else 0) for index in range(parts)]


def split_by_children(
    amount: int,
    rules: Sequence[Mapping[str, Decimal]],
    *,
    remainder_to: str | None = None,
) -> dict[str, int]:
    """Split for several children, each with the percentages that apply to that child. When they
    are all the same the result is exactly `split(amount, rules[0])`."""
    if not rules:
        raise SplitError("Give at least one rule.")
    first = dict(rules[0])
    if all(dict(rule) == first for rule in rules):
        return split(amount, first, remainder_to=remainder_to)
    total: dict[str, int] = {}
    for part, rule in zip(divide_equally(amount, len(rules)), rules, strict=True):
        for key, value in split(part, rule, remainder_to=remainder_to).items():
            total[key] = total.get(key, 0) + value
    return total
