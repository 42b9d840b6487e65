"""Allocating a payment to the open requests it pays: oldest first, or the ones the payer chose
(in the order chosen). What is left after every chosen request is paid stays unallocated (a
payment on account), never spread by guesswork."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Open:
    """One request still owed: its id, its date (for "oldest first") and what is outstanding."""

    key: str
    date: str  # ISO date, or anything that sorts the way the dates do
    outstanding: int
    approved: bool = True  # only approved requests are paid by a payment not allocated by hand


def allocate(
    amount: int, open_requests: Sequence[Open], chosen: Sequence[str] | None = None
) -> tuple[dict[str, int], int]:
    """({request key: minor units}, unallocated minor units). With `chosen`, only those requests
    in that order; otherwise the oldest first (by date, then key)."""
    if amount < 0:
        raise ValueError("A payment is a positive amount.")
    by_key = {item.key: item for item in open_requests}
    if chosen is not None:
        order = [by_key[key] for key in dict.fromkeys(chosen) if key in by_key]
    else:
        order = sorted(open_requests, key=lambda item: (item.date, item.key))
    allocations: dict[str, int] = {}
    left = amount
    for item in order:
        if left <= 0:
            break
        take = min(left, max(item.outstanding, 0))
        if take:
            allocations[item.key] = take
            left -= take
    return allocations, left
