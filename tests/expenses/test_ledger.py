"""The pure money maths: minor units, exact splits, allocation and the balance oracle."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coparent.ledger import money
from coparent.ledger.allocate import Open, allocate
from coparent.ledger.balance import Balance, Debt, Payment, net
from coparent.ledger.split import (
    SplitError,
    check_percents,
    divide_equally,
    split,
    split_by_children,
)


def test_it_knows_each_currencys_decimals_from_cldr() -> None:
    assert money.digits("USD") == 2
    assert money.digits("JPY") == 0
    assert money.digits("BHD") == 3
    assert not money.is_currency("XYZ")
    assert not money.is_currency("usd")


def test_it_converts_to_and_from_minor_units() -> None:
    assert money.to_minor("123.45", "USD") == 12345
    assert money.to_minor(Decimal("1200"), "JPY") == 1200
    assert money.to_minor("0.5", "BHD") == 500
    assert money.format_plain(12345, "USD") == "123.45"
    assert money.format_plain(5, "USD") == "0.05"
    assert money.format_plain(1200, "JPY") == "1200"
    assert money.format_plain(500, "BHD") == "0.500"


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("1.234", "USD"),
        ("1.5", "JPY"),
        ("abc", "USD"),
        ("NaN", "USD"),
        ("Infinity", "USD"),
        ("1e30", "USD"),
        ("1", "XYZ"),
    ],
)
def test_it_refuses_what_is_not_an_amount_of_the_currency(amount: str, currency: str) -> None:
    with pytest.raises(money.MoneyError):
        money.to_minor(amount, currency)


def test_a_leftover_minor_unit_goes_to_the_payer() -> None:
    assert split(1001, {"a": Decimal(50), "b": Decimal(50)}, remainder_to="a") == {
        "a": 501,
        "b": 500,
    }
    assert split(1001, {"a": Decimal(50), "b": Decimal(50)}, remainder_to="b") == {
        "a": 500,
        "b": 501,
    }


def test_without_a_payer_share_the_leftover_goes_to_the_largest_share_then_by_id() -> None:
    assert split(100, {"a": Decimal("33.33"), "b": Decimal("33.33"), "c": Decimal("33.34")}) == {
        "a": 33,
        "b": 33,
        "c": 34,
    }
    assert split(1, {"b": Decimal(50), "a": Decimal(50)}) == {"a": 1, "b": 0}


@pytest.mark.parametrize(
    "percents",
    [
        {"a": Decimal(60), "b": Decimal(30)},
        {"a": Decimal("50.001"), "b": Decimal("49.999")},
        {"a": Decimal(-10), "b": Decimal(110)},
        {},
    ],
)
def test_it_refuses_splits_that_do_not_add_up(percents: dict[str, Decimal]) -> None:
    with pytest.raises(SplitError):
        check_percents(percents)


percent_pairs = st.integers(min_value=0, max_value=10000).map(
    lambda hundredths: {"a": Decimal(hundredths) / 100, "b": Decimal(10000 - hundredths) / 100}
)


@given(
    amount=st.integers(min_value=0, max_value=10**12),
    percents=percent_pairs,
    payer=st.sampled_from(["a", "b", None]),
)
def test_shares_always_sum_exactly_to_the_amount(
    amount: int, percents: dict[str, Decimal], payer: str | None
) -> None:
    shares = split(amount, percents, remainder_to=payer)
    assert sum(shares.values()) == amount
    for key, share in shares.items():
        exact = Decimal(amount) * percents[key] / 100
        assert abs(Decimal(share) - exact) < 1 + (1 if payer is None else 0)
        if key != payer and payer is not None and percents[payer] > 0:
            assert share <= exact  # the one asked never owes more than their exact share


@given(
    amount=st.integers(min_value=0, max_value=10**9),
    rules=st.lists(percent_pairs, min_size=1, max_size=4),
)
def test_splits_by_child_sum_exactly_too(amount: int, rules: list[dict[str, Decimal]]) -> None:
    assert sum(split_by_children(amount, rules, remainder_to="a").values()) == amount


@given(amount=st.integers(min_value=0, max_value=10**9), parts=st.integers(1, 12))
def test_equal_division_is_exact_and_fair(amount: int, parts: int) -> None:
    pieces = divide_equally(amount, parts)
    assert sum(pieces) == amount and max(pieces) - min(pieces) <= 1


def test_allocation_pays_the_oldest_first_and_keeps_what_is_left() -> None:
    requests = [Open("late", "2026-03-01", 500), Open("early", "2026-01-01", 300)]
    assert allocate(600, requests) == ({"early": 300, "late": 300}, 0)
    assert allocate(1000, requests) == ({"early": 300, "late": 500}, 200)


def test_allocation_follows_the_chosen_order() -> None:
    requests = [Open("late", "2026-03-01", 500), Open("early", "2026-01-01", 300)]
    assert allocate(600, requests, ["late", "early"]) == ({"late": 500, "early": 100}, 0)
    assert allocate(600, requests, ["late"]) == ({"late": 500}, 100)


def test_the_balance_nets_debts_and_payments_per_currency() -> None:
    lines = net(
        [
            Debt("USD", "bob", "alice", 1000),
            Debt("USD", "alice", "bob", 300),
            Debt("EUR", "alice", "bob", 50),
        ],
        [Payment("USD", "bob", "alice", 200)],
    )
    assert lines == [Balance("EUR", "alice", "bob", 50), Balance("USD", "bob", "alice", 500)]
    assert net([Debt("USD", "bob", "alice", 100)], [Payment("USD", "bob", "alice", 100)]) == []
    assert net([], [Payment("USD", "bob", "alice", 100)]) == [Balance("USD", "alice", "bob", 100)]
