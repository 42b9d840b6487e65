"""Reads for attention: everything that waits for one person in one family, and the cheap count
the navigation shows on every page."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, IntegerField, Subquery, Value
from django.db.models.functions import Coalesce
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
    each provider's rows are counted in a subquery of the same SELECT."""
    viewer = Viewer.of(family, membership, now or timezone.now())
    counts = {}
    for i, provider in enumerate(providers_for(membership)):
        rows = provider.badge(viewer)
        if rows is None:
            continue
        per_family = rows.order_by().values("family_id").annotate(n=Count("pk")).values("n")
        counts[f"n{i}"] = Coalesce(Subquery(per_family[:1], output_field=IntegerField()), Value(0))
    if not counts:
        return 0
    row = Family.objects.filter(pk=family.pk).annotate(**counts).values_list(*counts).first()
    return sum(row) if row else 0
