"""Reads for attention: everything that waits for one person in one family, and the cheap count
the navigation shows on every page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.cache import caches
from django.db import connection
from django.utils import timezone

from coparent.attention.registry import Item, Provider, Viewer, providers_for
from coparent.families.models import Family, Membership
from coparent.records.models import FamilyLog

FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)
# How long the navigation's count may be reused while the family's record has not grown.
BADGE_SECONDS = 30


def _order(item: Item) -> tuple[dt.datetime, bool]:
    # Soonest deadline first; items with none after them, answers before things to know.
    return (item.deadline or FAR_FUTURE, not item.answer)


def items_for(family: Family, membership: Membership, now: dt.datetime | None = None) -> list[Item]:
    """What waits for the member, soonest deadline first, times written in their own zone. A
    professional (read-only) has nothing to act on and gets an empty list.

    Every area's badge is counted first, in one query: an area whose count is zero and that
    lists only answers has nothing to show and is not asked, so a quiet family's home page costs
    a few queries rather than one or more per area."""
    viewer = Viewer.of(family, membership, now or timezone.now())
    providers = providers_for(membership)
    counts = _badge_counts(viewer, providers)
    found: list[Item] = []
    for provider in providers:
        if provider.informs or counts.get(provider.kind, 1):
            found.extend(provider.items(viewer))
    return sorted(found, key=_order)


def answer_count(items: list[Item]) -> int:
    return sum(item.stands_for for item in items if item.answer)


def badge_count(family: Family, membership: Membership, now: dt.datetime | None = None) -> int:
    """How many items wait for the member's answer, in one query whatever the family's history.

    The navigation asks on every page, and compiling a dozen areas' queries costs more than the
    page's own work, so the count is kept for the member until the family's record grows, and
    for BADGE_SECONDS at most, in the server process's memory. Every proposal, answer, payment
    and read receipt is an entry on the record, so it shows on the next page; what changes with
    the clock alone (a request expiring) shows within the half minute. Asked about a given
    moment, it is always counted."""
    if now is not None:
        return _badge_total(family, membership, now)
    if hasattr(membership, "record_size"):  # read with the membership by the tenancy gate
        size = membership.record_size
    else:
        size = FamilyLog.objects.filter(family=family).values_list("size", flat=True).first()
    key = f"attention:badge:{membership.pk}:{membership.role}:{size}"
    kept = caches["local"]
    total = kept.get(key)
    if total is None:
        total = _badge_total(family, membership, timezone.now())
        kept.set(key, total, BADGE_SECONDS)
    return int(total)


def _badge_total(family: Family, membership: Membership, now: dt.datetime) -> int:
    viewer = Viewer.of(family, membership, now)
    return sum(_badge_counts(viewer, providers_for(membership)).values())


def _badge_counts(viewer: Viewer, providers: list[Provider]) -> dict[str, int]:
    """{provider kind: its badge count} for the providers that have a badge, in one query: each
    provider's rows are counted in a scalar subquery of the same SELECT. The subqueries are
    compiled one by one and joined as text: nested in one queryset, Django re-prefixes every
    alias of every subquery against all the others, which cost more than the query itself."""
    kinds: list[str] = []
    parts: list[str] = []
    params: list[Any] = []
    for i, provider in enumerate(providers):
        rows = provider.badge(viewer)
        if rows is None:
            continue
        sql, values = rows.order_by().values("pk").query.sql_with_params()
        # Django compiled `sql`; every value stays a parameter.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) badge{i})")  # noqa: S608
        params.extend(values)
        kinds.append(provider.kind)
    if not parts:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {kind: int(n) for kind, n in zip(kinds, row, strict=True)}
