"""Reads for shared expenses, each taking the family and, where what one sees depends on who
asks, the viewer's membership.

Who sees what: parents and professionals see the whole ledger; a caregiver sees only the
expenses of categories a parent shared with them (never balances or payments); a child sees
nothing. The balance is an SQL aggregate per currency and pair of members, never a loop over
rows, so it costs the same with ten years of history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from coparent.core import csv as safe_csv
from coparent.expenses.models import (
    COUNTED,
    AgreementStatus,
    BuiltInCategory,
    Category,
    CategoryShare,
    Expense,
    ExpenseEvent,
    ExpenseSettings,
    ExpenseShare,
    ExpenseStatus,
    Payment,
    PaymentAllocation,
    PaymentStatus,
    Preapproval,
    Receipt,
    RecurringExpense,
    SplitAgreement,
)
from coparent.families.models import Child, Family, Membership, Role
from coparent.ledger import balance as oracle
from coparent.ledger import money

# ---- who sees what ------------------------------------------------------------------------------


def sees_everything(viewer: Membership) -> bool:
    """Parents and professionals (read-only) see the whole ledger, balances and payments."""
    return viewer.role in (Role.PARENT, Role.PROFESSIONAL)


def visible_categories(viewer: Membership) -> set[str] | None:
    """None: every category. A caregiver: the categories shared with them. A child: none."""
    if sees_everything(viewer):
        return None
    if viewer.role == Role.CAREGIVER:
        return set(
            CategoryShare.objects.filter(family_id=viewer.family_id, member=viewer).values_list(
                "category", flat=True
            )
        )
    return set()


def can_see_expenses(viewer: Membership) -> bool:
    """Whether the expense pages exist for this member at all (else they get 404)."""
    categories = visible_categories(viewer)
    return categories is None or bool(categories)


def require_money_view(viewer: Membership) -> set[str] | None:
    """The viewer's visible categories, or 404 for someone who may see no money at all."""
    categories = visible_categories(viewer)
    if categories is not None and not categories:
        raise Http404
    return categories


def require_full_view(viewer: Membership) -> None:
    """Balances, payments and split rules: parents and professionals only (404 otherwise)."""
    if not sees_everything(viewer):
        raise Http404


# ---- settings and categories --------------------------------------------------------------------


def settings_get(family: Family) -> ExpenseSettings:
    return ExpenseSettings.objects.filter(family=family).first() or ExpenseSettings(family=family)


@dataclass(frozen=True)
class CategoryOption:
    key: str
    name: str
    built_in: bool


def category_list(family: Family) -> list[CategoryOption]:
    """Built-in categories first, in their fixed order, then the family's own by name."""
    return [CategoryOption(key, str(label), True) for key, label in BuiltInCategory.choices] + [
        CategoryOption(c.key, c.name, False) for c in Category.objects.filter(family=family)
    ]


def category_names(family: Family) -> dict[str, str]:
    return {option.key: option.name for option in category_list(family)}


def category_shares(family: Family) -> dict[int, list[str]]:
    """{caregiver membership pk: [category keys shared with them]}."""
    found: dict[int, list[str]] = {}
    for member_id, category in CategoryShare.objects.filter(family=family).values_list(
        "member_id", "category"
    ):
        found.setdefault(member_id, []).append(category)
    return found


# ---- split agreements ---------------------------------------------------------------------------


def agreement_list(family: Family) -> QuerySet[SplitAgreement]:
    return (
        SplitAgreement.objects.filter(family=family)
        .select_related("proposed_by", "decided_by")
        .prefetch_related("rules__child", "limits")
        .order_by("-proposed_at")
    )


def agreement_in_force(family: Family, on: dt.date) -> SplitAgreement | None:
    """The accepted agreement that applies to an expense dated `on`."""
    return (
        SplitAgreement.objects.filter(
            family=family, status=AgreementStatus.ACCEPTED, effective_from__lte=on
        )
        .order_by("-effective_from", "-decided_at", "-id")
        .prefetch_related("rules__child", "limits")
        .first()
    )


def agreement_pending(family: Family) -> SplitAgreement | None:
    return (
        SplitAgreement.objects.filter(family=family, status=AgreementStatus.PROPOSED)
        .select_related("proposed_by")
        .prefetch_related("rules__child", "limits")
        .first()
    )


# ---- expenses -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerFilter:
    """What a ledger page, export or report asks for; None means any."""

    start: dt.date | None = None
    end: dt.date | None = None  # inclusive
    category: str | None = None
    child: Child | None = None
    status: str | None = None
    currency: str | None = None


def _filtered(
    queryset: QuerySet[Any], filters: LedgerFilter, *, date: str = "date"
) -> QuerySet[Any]:
    if filters.start is not None:
        queryset = queryset.filter(**{f"{date}__gte": filters.start})
    if filters.end is not None:
        queryset = queryset.filter(**{f"{date}__lte": filters.end})
    if filters.currency:
        queryset = queryset.filter(currency=filters.currency)
    return queryset


def _receipt_count() -> Coalesce:
    # A subquery, not a JOIN with GROUP BY: the ledger sorts and cuts a page from thousands of
    # rows, and a grouped join would aggregate every one of them first.
    per_expense = (
        Receipt.objects.filter(expense=OuterRef("pk"))
        .order_by()
        .values("expense")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_expense, output_field=IntegerField()), Value(0))


def expense_list(
    family: Family, viewer: Membership, filters: LedgerFilter | None = None
) -> QuerySet[Expense]:
    """Current versions of the family's expenses the viewer may see, newest first, with what a
    ledger row shows loaded in a fixed number of queries (however long the history)."""
    filters = filters or LedgerFilter()
    categories = require_money_view(viewer)
    queryset = Expense.objects.filter(family=family, is_current=True)
    if categories is not None:
        queryset = queryset.filter(category__in=categories)
    queryset = _filtered(queryset, filters)
    if filters.category:
        queryset = queryset.filter(category=filters.category)
    if filters.child is not None:
        queryset = queryset.filter(children=filters.child)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    return (
        queryset.select_related("paid_by__user", "debtor__user")
        .prefetch_related(Prefetch("children", queryset=Child.objects.order_by("date_of_birth")))
        .annotate(receipt_count=_receipt_count())
        .order_by("-date", "-created_at", "-id")
    )


def expense_get(family: Family, viewer: Membership, public_id: object) -> Expense:
    """One expense version the viewer may see (old versions too), or 404."""
    from coparent.core.tenancy import get_for_family

    categories = require_money_view(viewer)
    queryset = Expense.objects.select_related(
        "paid_by__user", "debtor__user", "answered_by", "created_by", "agreement", "supersedes"
    )
    if categories is not None:
        queryset = queryset.filter(category__in=categories)
    return get_for_family(queryset, family, public_id=public_id)


def expense_versions(expense: Expense) -> list[Expense]:
    """Every version of this expense, oldest first (walks the links, at most a few)."""
    chain = [expense]
    current = expense
    versions = Expense.objects.filter(family_id=expense.family_id)
    while current.supersedes_id is not None:
        current = versions.get(pk=current.supersedes_id)
        chain.insert(0, current)
    later = expense
    while True:
        newer = versions.filter(supersedes=later).first()
        if newer is None:
            break
        chain.append(newer)
        later = newer
    return chain


def expense_shares(expense: Expense) -> list[ExpenseShare]:
    return list(expense.shares.select_related("member__user").order_by("id"))


def expense_events(expense: Expense, versions: list[Expense] | None = None) -> list[ExpenseEvent]:
    """The history of every version of this expense, oldest first (pass `versions` when the
    caller has already walked them)."""
    ids = [version.pk for version in (versions or expense_versions(expense))]
    return list(ExpenseEvent.objects.filter(expense_id__in=ids).select_related("actor", "expense"))


def receipt_list(expense: Expense) -> list[Receipt]:
    return list(expense.receipts.all())


def receipt_get(family: Family, viewer: Membership, public_id: object) -> Receipt:
    from coparent.core.tenancy import get_for_family

    categories = require_money_view(viewer)
    queryset = Receipt.objects.select_related("expense")
    if categories is not None:
        queryset = queryset.filter(expense__category__in=categories)
    return get_for_family(queryset, family, public_id=public_id)


def expense_paid_minor(expense: Expense) -> int:
    """What confirmed payments allocated to this expense."""
    return int(
        PaymentAllocation.objects.filter(
            expense=expense, payment__status=PaymentStatus.CONFIRMED
        ).aggregate(total=Sum("amount_minor", default=0))["total"]
    )


def open_requests(family: Family, debtor: Membership, currency: str) -> QuerySet[Expense]:
    """What `debtor` was asked for in `currency` and has not settled, oldest first: for the
    payment form's list of expenses to pay."""
    return (
        Expense.objects.filter(
            family=family,
            is_current=True,
            debtor=debtor,
            currency=currency,
            status__in=[*COUNTED, ExpenseStatus.REQUESTED, ExpenseStatus.OVERDUE],
        )
        .annotate(
            paid=Sum(
                "allocations__amount_minor",
                filter=~Q(allocations__payment__status=PaymentStatus.DISPUTED),
                default=0,
            )
        )
        .select_related("paid_by__user")
        .order_by("date", "created_at")
    )


def recurring_list(family: Family) -> QuerySet[RecurringExpense]:
    return (
        RecurringExpense.objects.filter(family=family)
        .select_related("paid_by__user")
        .order_by("-active", "description")
    )


def preapproval_list(family: Family, viewer: Membership) -> QuerySet[Preapproval]:
    """Requests for consent before spending, newest first (parents and professionals)."""
    require_full_view(viewer)
    return (
        Preapproval.objects.filter(family=family)
        .select_related("requested_by__user", "answered_by", "expense")
        .order_by("-requested_at", "-id")
    )


# ---- payments -----------------------------------------------------------------------------------


def payment_list(
    family: Family, viewer: Membership, filters: LedgerFilter | None = None
) -> QuerySet[Payment]:
    require_full_view(viewer)
    queryset: QuerySet[Payment] = _filtered(
        Payment.objects.filter(family=family), filters or LedgerFilter()
    )
    queryset = queryset.select_related("payer__user", "payee__user").annotate(
        allocation_count=Count("allocations")
    )
    return queryset.order_by("-date", "-created_at", "-id")


def payment_get(family: Family, viewer: Membership, public_id: object) -> Payment:
    from coparent.core.tenancy import get_for_family

    require_full_view(viewer)
    return get_for_family(
        Payment.objects.select_related("payer__user", "payee__user", "answered_by"),
        family,
        public_id=public_id,
    )


def payment_allocations(payment: Payment) -> list[PaymentAllocation]:
    return list(payment.allocations.select_related("expense"))


# ---- balance ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BalanceLine:
    currency: str
    owed_by: Membership
    owed_to: Membership
    amount_minor: int

    @property
    def amount(self) -> Decimal:
        return money.from_minor(self.amount_minor, self.currency)

    @property
    def amount_text(self) -> str:
        return money.format_plain(self.amount_minor, self.currency)


def balance_list(family: Family) -> list[BalanceLine]:
    """Who owes whom, one line per currency (and pair of members) not settled: approved shares
    minus confirmed payments. Two aggregate queries and one for the members, whatever the
    history."""
    debts = (
        Expense.objects.filter(family=family, is_current=True, status__in=COUNTED)
        .values("currency", "debtor_id", "paid_by_id")
        .annotate(total=Sum("approved_minor"))
        .order_by()
    )
    payments = (
        Payment.objects.filter(family=family, status=PaymentStatus.CONFIRMED)
        .values("currency", "payer_id", "payee_id")
        .annotate(total=Sum("amount_minor"))
        .order_by()
    )
    lines = oracle.net(
        [
            oracle.Debt(
                row["currency"], str(row["debtor_id"]), str(row["paid_by_id"]), row["total"]
            )
            for row in debts
            if row["debtor_id"] is not None
        ],
        [
            oracle.Payment(
                row["currency"], str(row["payer_id"]), str(row["payee_id"]), row["total"]
            )
            for row in payments
        ],
    )
    if not lines:
        return []
    ids = {int(line.owed_by) for line in lines} | {int(line.owed_to) for line in lines}
    members = {m.pk: m for m in Membership.objects.filter(pk__in=ids).select_related("user")}
    return [
        BalanceLine(
            line.currency, members[int(line.owed_by)], members[int(line.owed_to)], line.amount
        )
        for line in lines
    ]


def balance_for_viewer(family: Family, viewer: Membership) -> list[BalanceLine]:
    require_full_view(viewer)
    return balance_list(family)


# ---- ledger lines, summary, export --------------------------------------------------------------


@dataclass(frozen=True)
class LedgerLine:
    """One line of the ledger as an export or a report reads it: an expense or a payment."""

    kind: str  # "expense" or "payment"
    id: str
    date: dt.date
    description: str
    category: str
    children: tuple[str, ...]
    currency: str
    amount_minor: int
    paid_by: str
    other: str  # the parent asked (expense) or who received it (payment)
    requested_minor: int | None
    approved_minor: int | None
    status: str
    status_label: str
    reason: str
    version: int
    receipts: int

    def plain(self, minor: int | None) -> str:
        return "" if minor is None else money.format_plain(minor, self.currency)


def ledger_lines(
    family: Family, viewer: Membership, filters: LedgerFilter | None = None
) -> list[LedgerLine]:
    """Expenses (current versions) and, for those who may see them, payments of a period, by
    date: what the CSV export and the court report's ledger section show."""
    filters = filters or LedgerFilter()
    names = category_names(family)
    statuses = dict(ExpenseStatus.choices)
    lines = [
        LedgerLine(
            kind="expense",
            id=str(e.public_id),
            date=e.date,
            description=e.description,
            category=names.get(e.category, e.category),
            children=tuple(c.first_name for c in e.children.all()),
            currency=e.currency,
            amount_minor=e.amount_minor,
            paid_by=e.paid_by.user.display_name,
            other=e.debtor.user.display_name if e.debtor else "",
            requested_minor=e.requested_minor if e.debtor else None,
            approved_minor=e.approved_minor,
            status=e.status,
            status_label=str(statuses.get(e.status, e.status)),
            reason=e.answer_reason,
            version=e.version,
            receipts=e.receipt_count,  # type: ignore[attr-defined]
        )
        for e in expense_list(family, viewer, filters)
    ]
    if sees_everything(viewer) and not (filters.category or filters.child or filters.status):
        payment_statuses = dict(PaymentStatus.choices)
        lines += [
            LedgerLine(
                kind="payment",
                id=str(p.public_id),
                date=p.date,
                description=str(p.get_method_display())
                + (f" ({p.app_name})" if p.app_name else "")
                + (f": {p.reference}" if p.reference else ""),
                category="",
                children=(),
                currency=p.currency,
                amount_minor=p.amount_minor,
                paid_by=p.payer.user.display_name,
                other=p.payee.user.display_name,
                requested_minor=None,
                approved_minor=None,
                status=p.status,
                status_label=str(payment_statuses.get(p.status, p.status)),
                reason=p.answer_reason,
                version=1,
                receipts=1 if p.proof_stored_name else 0,
            )
            for p in payment_list(family, viewer, filters)
        ]
    return sorted(lines, key=lambda line: (line.date, line.kind, line.id))


CSV_HEADER = (
    gettext_lazy("type"),
    gettext_lazy("date"),
    gettext_lazy("description"),
    gettext_lazy("category"),
    gettext_lazy("children"),
    gettext_lazy("currency"),
    gettext_lazy("amount"),
    gettext_lazy("paid by"),
    gettext_lazy("asked of / paid to"),
    gettext_lazy("share asked"),
    pgettext_lazy("CSV column", "approved"),
    gettext_lazy("status"),
    gettext_lazy("reason"),
    gettext_lazy("version"),
    gettext_lazy("receipts"),
    gettext_lazy("id"),
)


def ledger_csv(
    family: Family, viewer: Membership, stream: Any, filters: LedgerFilter | None = None
) -> int:
    """Write the ledger as CSV (UTF-8 with a byte-order mark, formula-safe) to `stream`;
    amounts as decimal strings with the currency's decimals. The number of lines written."""
    writer = safe_csv.writer(stream)
    writer.writerow([str(name) for name in CSV_HEADER])
    lines = ledger_lines(family, viewer, filters)
    for line in lines:
        writer.writerow(
            (
                gettext("expense") if line.kind == "expense" else gettext("payment"),
                line.date.isoformat(),
                line.description,
                line.category,
                ", ".join(line.children),
                line.currency,
                line.plain(line.amount_minor),
                line.paid_by,
                line.other,
                line.plain(line.requested_minor),
                line.plain(line.approved_minor),
                line.status_label,
                line.reason,
                line.version,
                line.receipts,
                line.id,
            )
        )
    return len(lines)


@dataclass(frozen=True)
class SummaryRow:
    """Spending of one child (or category) in one currency over a period: the total amount,
    and the approved shares among it."""

    key: str  # a child's public id or a category key; "" for expenses for no child
    label: str
    currency: str
    total_minor: int
    approved_minor: int
    count: int

    @property
    def total_text(self) -> str:
        return money.format_plain(self.total_minor, self.currency)


def _summary_base(
    family: Family, viewer: Membership, start: dt.date, end: dt.date
) -> QuerySet[Expense]:
    categories = require_money_view(viewer)
    queryset = Expense.objects.filter(
        family=family, is_current=True, date__gte=start, date__lte=end
    ).exclude(status=ExpenseStatus.WITHDRAWN)
    if categories is not None:
        queryset = queryset.filter(category__in=categories)
    return queryset


def summary_by_category(
    family: Family, viewer: Membership, start: dt.date, end: dt.date
) -> list[SummaryRow]:
    """Per category and currency, by SQL aggregate."""
    names = category_names(family)
    rows = (
        _summary_base(family, viewer, start, end)
        .values("category", "currency")
        .annotate(
            total=Sum("amount_minor"),
            approved=Sum("approved_minor", filter=Q(status__in=COUNTED), default=0),
            n=Count("id"),
        )
        .order_by("currency", "-total", "category")
    )
    return [
        SummaryRow(
            r["category"],
            names.get(r["category"], r["category"]),
            r["currency"],
            r["total"],
            r["approved"],
            r["n"],
        )
        for r in rows
    ]


def summary_by_child(
    family: Family, viewer: Membership, start: dt.date, end: dt.date
) -> list[SummaryRow]:
    """Per child and currency, by SQL aggregate. An expense for two children counts in full
    under each of them (it is theirs together); expenses for no child have their own row."""
    children = {c.pk: c for c in Child.objects.filter(family=family)}
    rows = (
        _summary_base(family, viewer, start, end)
        .values("children", "currency")
        .annotate(
            total=Sum("amount_minor"),
            approved=Sum("approved_minor", filter=Q(status__in=COUNTED), default=0),
            n=Count("id"),
        )
        .order_by("currency", "-total")
    )
    result = []
    for r in rows:
        child = children.get(r["children"]) if r["children"] is not None else None
        result.append(
            SummaryRow(
                str(child.public_id) if child else "",
                child.first_name if child else "",
                r["currency"],
                r["total"],
                r["approved"],
                r["n"],
            )
        )
    return result


def members_by_public_id(family: Family, ids: Iterable[object]) -> dict[str, Membership]:
    """The family's memberships named by these public ids (API input), unknown ones left out."""
    wanted = []
    for value in ids:
        try:
            import uuid

            wanted.append(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
        except ValueError:
            continue
    return {
        str(m.public_id): m
        for m in Membership.objects.filter(family=family, public_id__in=wanted).select_related(
            "user"
        )
    }
