"""Reads the money pages need beside the app's selectors: who may see which categories, the
family's choices for the forms, and the ledger's filtered, bounded lines. Every query here has a
fixed cost whatever the family's history (the ledger reads one page of lines at a time)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from coparent.expenses import money as formatting
from coparent.expenses.models import (
    ANSWERABLE,
    BuiltInCategory,
    Category,
    CategoryShare,
    Expense,
    ExpenseChild,
    ExpenseStatus,
    Payment,
    PaymentMethod,
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


def children_of(family: Family) -> list[Child]:
    return list(Child.objects.filter(family=family).only("id", "public_id", "first_name"))


def child_choices(family: Family, children: Iterable[Child] | None = None) -> list[tuple[str, str]]:
    chosen = children_of(family) if children is None else children
    return [(str(c.public_id), c.first_name) for c in chosen]


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


# The columns a line shows, read as tuples: a ledger page builds forty lines, and model
# instances with their parents' memberships and users joined in cost more than the page's SQL.
_EXPENSE_COLUMNS = (
    "id",
    "public_id",
    "description",
    "category",
    "date",
    "paid_by_id",
    "status",
    "over_limit",
    "respond_by",
    "amount_minor",
    "requested_minor",
    "currency",
)
_PAYMENT_COLUMNS = (
    "public_id",
    "payer_id",
    "payee_id",
    "date",
    "method",
    "app_name",
    "settle_up",
    "status",
    "amount_minor",
    "currency",
)
_EXPENSE_STATUS = dict(ExpenseStatus.choices)
_PAYMENT_STATUS = dict(PaymentStatus.choices)
_PAYMENT_METHOD = dict(PaymentMethod.choices)


@dataclass(frozen=True)
class ExpenseLine:
    """An expense as a line of the money page shows it, every word ready."""

    public_id: uuid.UUID
    description: str
    date: dt.date
    category: str
    children: str
    paid_by: str
    status: str
    over_limit: bool
    respond_by: dt.datetime | None
    amount: str
    share: str

    @property
    def status_label(self) -> str:
        return str(_EXPENSE_STATUS.get(self.status, self.status))


@dataclass(frozen=True)
class PaymentLine:
    public_id: uuid.UUID
    payer: str
    payee: str
    date: dt.date
    method: str
    app_name: str
    settle_up: bool
    status: str
    amount: str

    @property
    def status_label(self) -> str:
        return str(_PAYMENT_STATUS.get(self.status, self.status))

    @property
    def method_label(self) -> str:
        return str(_PAYMENT_METHOD.get(self.method, self.method))


@dataclass(frozen=True)
class Names:
    """What lines name instead of ids: members, children and categories (read once a page)."""

    members: dict[int, str]
    children: dict[int, str]
    categories: dict[str, str]

    @classmethod
    def of(cls, family: Family, children: Iterable[Child], categories: dict[str, str]) -> Names:
        members = dict(
            Membership.objects.filter(family=family).values_list("id", "user__display_name")
        )
        return cls(members, {c.pk: c.first_name for c in children}, categories)


def _money(minor: int | None, currency: str) -> str:
    return "" if minor is None else formatting.money_minor(minor, currency)


def expense_lines(rows: list[tuple[Any, ...]], names: Names) -> list[ExpenseLine]:
    """Lines from `_EXPENSE_COLUMNS` rows, with their children's names (one query for all)."""
    children: dict[int, list[str]] = {}
    for expense_id, child_id in ExpenseChild.objects.filter(
        expense_id__in=[row[0] for row in rows]
    ).values_list("expense_id", "child_id"):
        children.setdefault(expense_id, []).append(names.children.get(child_id, ""))
    return [
        ExpenseLine(
            public_id=public_id,
            description=description,
            date=date,
            category=names.categories.get(category, category),
            children=", ".join(sorted(children.get(pk, []))),
            paid_by=names.members.get(paid_by, ""),
            status=status,
            over_limit=over_limit,
            respond_by=respond_by,
            amount=_money(amount, currency),
            share=_money(requested or None, currency),
        )
        for (
            pk,
            public_id,
            description,
            category,
            date,
            paid_by,
            status,
            over_limit,
            respond_by,
            amount,
            requested,
            currency,
        ) in rows
    ]


def payment_lines(rows: Iterable[tuple[Any, ...]], names: Names) -> list[PaymentLine]:
    return [
        PaymentLine(
            public_id=public_id,
            payer=names.members.get(payer, ""),
            payee=names.members.get(payee, ""),
            date=date,
            method=method,
            app_name=app_name,
            settle_up=settle_up,
            status=status,
            amount=_money(amount, currency),
        )
        for (
            public_id,
            payer,
            payee,
            date,
            method,
            app_name,
            settle_up,
            status,
            amount,
            currency,
        ) in rows
    ]


def ledger_rows(
    family: Family, categories: list[str] | None, filters: Filters
) -> QuerySet[Expense, tuple[Any, ...]]:
    """The ledger's expense rows as `_EXPENSE_COLUMNS` tuples, newest first, to be read a page
    at a time (`core.paging.page_of`)."""
    query = filters.apply(expenses_visible(family, categories))
    if filters.child:
        query = query.distinct()
    return query.order_by("-date", "-created_at", "-pk").values_list(*_EXPENSE_COLUMNS)


def waiting_for(family: Family, membership: Membership) -> tuple[list[tuple[Any, ...]], bool]:
    """Requests this parent is asked to answer, oldest deadline first, and whether there are
    more than shown."""
    if membership.role != Role.PARENT:
        return [], False
    rows = list(
        expenses_visible(family, None)
        .filter(debtor=membership, status__in=ANSWERABLE)
        .order_by("respond_by", "pk")
        .values_list(*_EXPENSE_COLUMNS)[: WAITING_SHOWN + 1]
    )
    return rows[:WAITING_SHOWN], len(rows) > WAITING_SHOWN


def payments_to_confirm(family: Family, membership: Membership) -> Iterable[tuple[Any, ...]]:
    if membership.role != Role.PARENT:
        return []
    return (
        Payment.objects.filter(family=family, payee=membership, status=PaymentStatus.PENDING)
        .order_by("date", "pk")
        .values_list(*_PAYMENT_COLUMNS)[:10]
    )


def payments_latest(family: Family, filters: Filters) -> tuple[list[tuple[Any, ...]], bool]:
    query = Payment.objects.filter(family=family)
    if filters.start:
        query = query.filter(date__gte=filters.start)
    if filters.end:
        query = query.filter(date__lte=filters.end)
    rows = list(
        query.order_by("-date", "-created_at", "-pk").values_list(*_PAYMENT_COLUMNS)[
            : PAYMENTS_SHOWN + 1
        ]
    )
    return rows[:PAYMENTS_SHOWN], len(rows) > PAYMENTS_SHOWN


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
