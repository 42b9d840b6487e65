"""What an export may show of each entry beyond its leaf: apps register one function per kind.

The function gets the LogEntry and returns the readable parts: content bytes and the salt they
were hashed with (None when redacted or withheld), and a thread subject when there is one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coparent.records.models import LogEntry


@dataclass(frozen=True)
class Disclosure:
    content: bytes | None = None
    salt: bytes | None = None
    thread_subject: str | None = None
    thread_id: str | None = None


Discloser = Callable[["list[LogEntry]"], dict[int, Disclosure]]
_DISCLOSERS: dict[str, Discloser] = {}


def register_disclosure(kind: str) -> Callable[[Discloser], Discloser]:
    """Register a function that takes the entries of one kind (in bulk, to avoid a query per
    entry) and returns {entry index: Disclosure}."""

    def decorator(function: Discloser) -> Discloser:
        _DISCLOSERS[kind] = function
        return function

    return decorator


def disclose(entries: list[LogEntry]) -> dict[int, Disclosure]:
    by_kind: dict[str, list[LogEntry]] = {}
    for entry in entries:
        by_kind.setdefault(entry.kind, []).append(entry)
    found: dict[int, Disclosure] = {}
    for kind, group in by_kind.items():
        if kind in _DISCLOSERS:
            found.update(_DISCLOSERS[kind](group))
    return found
