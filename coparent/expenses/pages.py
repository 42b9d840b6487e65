"""Reads the money pages need beside the app's selectors: who may see which categories, the
family's choices for the forms, and the ledger's filtered, bounded lines. Every query here has a
fixed cost whatever the family's history (the ledger reads one page of lines at a time)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from coparent.expenses.models import (
    ANSWERABLE,
    BuiltInCategory,
    Category,
    CategoryShare,
    Expense,
    ExpenseStatus,
    Payment,
    PaymentStatus,
)
from coparent.families.models import Child, Family, Membership, Role

PAGE_SIZE = 20
WAITING_SHOWN = 5  # the rest are one click away (the ledger filtered by status)
PAYMENTS_SHOWN = 5
# Statuses a reader filters by; "corrected" rows are old versions and never listed.
FILTER_STATUSES = [
    (status.value, status.label) for status in ExpenseStatus if status != ExpenseStatus.CORRECTED
]
NOT_COUNTED_IN_TOTALS = (ExpenseStatus.WITHDRAWN, ExpenseStatus.CORRECTED)


def sees_money(membership: Membership) -> bool:
    """Parents and professionals see all of it; a caregiver only the categories shared with
    them (checked by `visible_categories`); a child nothing."""
    return membership.role in (Role.PARENT, Role.PROFESSIONAL, Role.CAREGIVER)


def sees_everything(membership: Membership) -> bool:
    return membership.role in (Role.PARENT, Role.PROFESSIONAL)


def visible_categories(membership: Membership) -> list[str] | None:
    """None: every category. A list: the only categories this caregiver may see (one query)."""
    if sees_everything(membership):
        return None
    if membership.role != Role.CAREGIVER:
        return []
    return list(
        CategoryShare.objects.filter(family_id=membership.family_id, member=membership)
        .values_list("category", flat=True)
        .order_by("category")
    )


def category_choices(family: Family, only: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """Built-in categories, then the family's own by name (one query)."""
    choices = [(c.value, str(c.label)) for c in BuiltInCategory]
    choices += [(c.key, c.name) for c in Category.objects.filter(family=family).order_by("name")]
    if only is not None:
        allowed = set(only)
        choices = [choice for choice in choices if choice[0] in allowed]
    return choices


def child_choices(family: Family) -> list[tuple[str, str]]:
    return [(str(c.public_id), c.first_name) for c in Child.objects.filter(family=family)]


def parents(family: Family) -> list[Membership]:
    return list(
        Membership.objects.active()
        .filter(family=family, role=Role.PARENT)
        .select_related("user")
        .order_by("created_at", "pk")
    )


def expenses_visible(family: Family, categories: list[str] | None) -> QuerySet[Expense]:
    """Current versions only (a correction replaces the old line; its page keeps the history)."""
    query = Expense.objects.filter(family=family, is_current=True)
    if categories is not None:
        query = query.filter(category__in=categories)
    return query


@dataclass(frozen=True)
class Filters:
    start: dt.date | None = None
    end: dt.date | None = None
    category: str = ""
    child: str = ""
    status: str = ""

    def apply(self, query: QuerySet[Expense]) -> QuerySet[Expense]:
        if self.start:
            query = query.filter(date__gte=self.start)
        if self.end:
            query = query.filter(date__lte=self.end)
        if self.category:
            query = query.filter(category=self.category)
        if self.child:
            query = query.filter(children__public_id=self.child)
        if self.status:
            query = query.filter(status=self.status)
        return query

    @property
    def active(self) -> bool:
        return any((self.start, self.end, self.category, self.child, self.status))


def _lines(query: QuerySet[Expense]) -> QuerySet[Expense]:
    return query.select_related("paid_by__user", "debtor__user").prefetch_related(
        Prefetch("children", queryset=Child.objects.only("id", "first_name"))
    )


def ledger_page(
    family: Family, categories: list[str] | None, filters: Filters, page: int
) -> tuple[list[Expense], bool]:
    """One page of lines (newest first) and whether there are older ones: two queries (the
    lines and their children), whatever the history."""
    query = filters.apply(expenses_visible(family, categories))
    if filters.child:
        query = query.distinct()
    start = (page - 1) * PAGE_SIZE
    rows = list(
        _lines(query.order_by("-date", "-created_at", "-pk"))[start : start + PAGE_SIZE + 1]
    )
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def waiting_for(family: Family, membership: Membership) -> tuple[list[Expense], bool]:
    """Requests this parent is asked to answer, oldest deadline first, and whether there are
    more than shown."""
    if membership.role != Role.PARENT:
        return [], False
    rows = list(
        _lines(
            expenses_visible(family, None).filter(debtor=membership, status__in=ANSWERABLE)
        ).order_by("respond_by", "pk")[: WAITING_SHOWN + 1]
    )
    return rows[:WAITING_SHOWN], len(rows) > WAITING_SHOWN


def payments_to_confirm(family: Family, membership: Membership) -> list[Payment]:
    if membership.role != Role.PARENT:
        return []
    return list(
        Payment.objects.filter(family=family, payee=membership, status=PaymentStatus.PENDING)
        .select_related("payer__user", "payee__user")
        .order_by("date", "pk")[:10]
    )


def payments_latest(family: Family, filters: Filters) -> tuple[list[Payment], bool]:
    query = Payment.objects.filter(family=family)
    if filters.start:
        query = query.filter(date__gte=filters.start)
    if filters.end:
        query = query.filter(date__lte=filters.end)
    rows = list(
        query.select_related("payer__user", "payee__user").order_by("-date", "-created_at", "-pk")[
            : PAYMENTS_SHOWN + 1
        ]
    )
    return rows[:PAYMENTS_SHOWN], len(rows) > PAYMENTS_SHOWN


def decorate(expenses: Iterable[Expense], labels: dict[str, str]) -> None:
    """Words the line template shows: the category's name, the children, who paid."""
    for expense in expenses:
        expense.category_label = labels.get(expense.category, expense.category)  # type: ignore[attr-defined]
        expense.child_names = ", ".join(c.first_name for c in expense.children.all())  # type: ignore[attr-defined]
        expense.paid_by_name = expense.paid_by.user.display_name  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Total:
    key: str
    label: str
    currency: str
    amount_minor: int
    count: int


def totals_by_category(
    family: Family, categories: list[str] | None, start: dt.date, end: dt.date
) -> list[dict[str, Any]]:
    """Spending per currency and category in the period (withdrawn requests left out): one
    SQL aggregate."""
    rows = (
        expenses_visible(family, categories)
        .filter(date__gte=start, date__lte=end)
        .exclude(status__in=NOT_COUNTED_IN_TOTALS)
        .values("currency", "category")
        .annotate(total=Sum("amount_minor"), count=Sum(1))
        .order_by("currency", "-total", "category")
    )
    return [dict(row) for row in rows]


def totals_by_child(
    family: Family, categories: list[str] | None, start: dt.date, end: dt.date
) -> list[dict[str, Any]]:
    """Spending per currency and child; an expense for two children counts for each."""
    rows = (
        expenses_visible(family, categories)
        .filter(date__gte=start, date__lte=end)
        .exclude(status__in=NOT_COUNTED_IN_TOTALS)
        .filter(Q(children__isnull=False))
        .values("currency", "children__first_name", "children__public_id")
        .annotate(total=Sum("amount_minor"), count=Sum(1))
        .order_by("currency", "-total", "children__first_name")
    )
    return [dict(row) for row in rows]


def status_label(status: str) -> str:
    for value, label in FILTER_STATUSES:
        if value == status:
            return str(label)
    return _("Unknown")
