"""Reads for attention: everything that waits for one person in one family, and the cheap count
the navigation shows on every page."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone

from coparent.attention.registry import Item, Viewer, providers_for
from coparent.families.models import Family, Membership

FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)


def _order(item: Item) -> tuple[dt.datetime, bool]:
    # Soonest deadline first; items with none after them, answers before things to know.
    return (item.deadline or FAR_FUTURE, not item.answer)


def items_for(family: Family, membership: Membership, now: dt.datetime | None = None) -> list[Item]:
    """What waits for the member, soonest deadline first, times written in their own zone. A
    professional (read-only) has nothing to act on and gets an empty list."""
    viewer = Viewer.of(family, membership, now or timezone.now())
    found: list[Item] = []
    for provider in providers_for(membership):
        found.extend(provider.items(viewer))
    return sorted(found, key=_order)


def answer_count(items: list[Item]) -> int:
    return sum(1 for item in items if item.answer)


def badge_count(family: Family, membership: Membership, now: dt.datetime | None = None) -> int:
    """How many items wait for the member's answer, in one query whatever the family's history:
    each provider's rows are counted in a scalar subquery of the same SELECT. The subqueries are
    compiled one by one and joined as text: nested in one queryset, Django re-prefixes every
    alias of every subquery against all the others, which cost more than the query itself."""
    viewer = Viewer.of(family, membership, now or timezone.now())
    parts, params = [], []
    for i, provider in enumerate(providers_for(membership)):
        rows = provider.badge(viewer)
        if rows is None:
            continue
        sql, values = rows.order_by().values("pk").query.sql_with_params()
        # Django compiled `sql`; every value stays a parameter.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) badge{i})")  # noqa: S608
        params.extend(values)
    if not parts:
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + " + ".join(parts), params)
        row = cursor.fetchone()
    return int(row[0]) if row else 0
