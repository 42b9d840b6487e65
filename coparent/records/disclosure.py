"""What an export may show of each entry beyond its leaf: apps register one function per kind.

The function gets the LogEntry and returns the readable parts: content bytes and the salt they
were hashed with (None when redacted or withheld), and a thread subject when there is one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coparent.families.models import Membership
    from coparent.records.models import LogEntry


@dataclass(frozen=True)
class Disclosure:
    content: bytes | None = None
    salt: bytes | None = None
    thread_subject: str | None = None
    thread_id: str | None = None
    # Only members with one of these roles get the content in their export (None: anyone who
    # may export): a professional's export of a child's information shows what they may see.
    roles: frozenset[str] | None = None


Discloser = Callable[["list[LogEntry]"], dict[int, Disclosure]]
_DISCLOSERS: dict[str, Discloser] = {}
# (reader, thread ids) -> the ids among them the reader may read. Content of other threads is
# left out of that reader's export (its entries stay, as leaves, so the bundle still verifies).
ThreadVisibility = Callable[["Membership", set[str]], set[str]]
_VISIBILITY: list[ThreadVisibility] = []


def register_thread_visibility(function: ThreadVisibility) -> ThreadVisibility:
    _VISIBILITY.append(function)
    return function


def visible_threads(reader: Membership | None, thread_ids: set[str]) -> set[str]:
    """All of them for an operator's export (no reader); otherwise what every registered rule
    allows this member to read."""
    visible = set(thread_ids)
    if reader is not None:
        for rule in _VISIBILITY:
            visible &= rule(reader, thread_ids)
    return visible


def register_disclosure(kind: str) -> Callable[[Discloser], Discloser]:
    """Register a function that takes the entries of one kind (in bulk, to avoid a query per
    entry) and returns {entry index: Disclosure}."""

    def decorator(function: Discloser) -> Discloser:
        _DISCLOSERS[kind] = function
        return function

    return decorator


def disclose(entries: list[LogEntry], reader: Membership | None = None) -> dict[int, Disclosure]:
    by_kind: dict[str, list[LogEntry]] = {}
    for entry in entries:
        by_kind.setdefault(entry.kind, []).append(entry)
    found: dict[int, Disclosure] = {}
    for kind, group in by_kind.items():
        if kind in _DISCLOSERS:
            found.update(_DISCLOSERS[kind](group))
    threads = {d.thread_id for d in found.values() if d.thread_id}
    hidden = threads - visible_threads(reader, threads)
    return {
        index: Disclosure(thread_id=d.thread_id)
        if d.thread_id in hidden
        or (reader is not None and d.roles is not None and reader.role not in d.roles)
        else d
        for index, d in found.items()
    }
