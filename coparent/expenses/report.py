"""The expenses section of a court report: the ledger of the period (each expense with its
category, children, amount, who paid, the shares, its status and every answer, corrections
linked to what they correct, receipts listed by name, type, size and SHA-256 with photos and
PDFs as appendices), the payments of the period with their allocations, and the balance per
currency at the end of the period. Parents and professionals only, like the expense pages."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Prefetch, Sum
from django.utils.translation import gettext_lazy as _

from coparent.expenses import selectors
from coparent.expenses.models import (
    COUNTED,
    Expense,
    ExpenseEvent,
    ExpenseShare,
    ExpenseStatus,
    Payment,
    PaymentAllocation,
    PaymentStatus,
    Receipt,
)
from coparent.families.models import Membership, Role
from coparent.ledger import balance as oracle
from coparent.ledger import money
from coparent.messaging import files
from coparent.reports.sections import ReportOut, ReportScope, Section, register_section

APPENDIX_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf")
EXPENSE_KINDS = [
    "expense.created",
    "expense.corrected",
    "expense.correction_reason",
    "expense.approved",
    "expense.partly_approved",
    "expense.disputed",
    "expense.replied",
    "expense.withdrawn",
    "expense.overdue",
    "expense.receipt_added",
]
PAYMENT_KINDS = ["payment.recorded", "payment.confirmed", "payment.disputed"]


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


def _days(scope: ReportScope) -> tuple[dt.date, dt.date]:
    """The period's first and last day in the report's zone (expense dates are days)."""
    first = scope.start.astimezone(scope.zone).date()
    last = (scope.end - dt.timedelta(microseconds=1)).astimezone(scope.zone).date()
    return first, last


def _indexes(
    scope: ReportScope,
) -> tuple[dict[str, list[int]], dict[str, list[int]], dict[str, str]]:
    """Log indexes of the entries behind each expense version and each payment, whenever they
    were logged (an expense of the period may be answered after it), under the signed tree;
    and which version each correction replaces."""
    expenses: dict[str, list[int]] = defaultdict(list)
    payments: dict[str, list[int]] = defaultdict(list)
    replaces: dict[str, str] = {}
    far = scope.end.replace(year=min(scope.end.year + 200, 9999))
    for row, entry in scope.entries(
        EXPENSE_KINDS + PAYMENT_KINDS, since=scope.family.created_at, until=far
    ):
        if "expense" in entry.fields and entry.kind.startswith("expense."):
            expenses[str(entry.fields["expense"])].append(row.index)
            if entry.kind == "expense.corrected" and "replaces" in entry.fields:
                replaces[str(entry.fields["expense"])] = str(entry.fields["replaces"])
        elif "payment" in entry.fields:
            payments[str(entry.fields["payment"])].append(row.index)
    return expenses, payments, replaces


def _plain(minor: int | None, currency: str) -> str:
    return "" if minor is None else f"{money.format_plain(minor, currency)} {currency}"


def write(scope: ReportScope, out: ReportOut) -> None:
    reader = scope.reader
    if reader is not None and not selectors.sees_everything(reader):
        out.note(str(_("Only parents and professionals can include the expenses.")))
        return
    first, last = _days(scope)
    expense_marks, payment_marks, replaces = _indexes(scope)
    statuses = dict(ExpenseStatus.choices)
    names = selectors.category_names(scope.family)
    out.heading(str(_("Expenses")), level=2)
    out.note(
        str(
            _(
                "Each expense dated in the period, as it stands now. An expense is never edited: "
                "a correction is a new version that names the one it replaces. Amounts are in "
                "the currency the expense was recorded in."
            )
        )
    )
    expenses_csv = out.csv(
        "expenses",
        [
            "date",
            "description",
            "category",
            "children",
            "amount",
            "currency",
            "paid_by",
            "shares",
            "asked_of",
            "share_asked",
            "approved",
            "status",
            "answers",
            "corrects",
            "version",
            "receipts",
            "log_indexes",
            "id",
        ],
    )
    expenses = (
        Expense.objects.filter(
            family=scope.family, is_current=True, date__gte=first, date__lte=last
        )
        .select_related("paid_by__user", "debtor__user", "supersedes")
        .prefetch_related(
            "children",
            Prefetch("shares", queryset=ExpenseShare.objects.select_related("member__user")),
            Prefetch("events", queryset=ExpenseEvent.objects.order_by("at", "id")),
            Prefetch("receipts", queryset=Receipt.objects.order_by("created_at", "id")),
        )
        .order_by("date", "created_at", "id")
    )
    count = 0
    for expense in expenses:
        count += 1
        currency = expense.currency
        children = ", ".join(c.first_name for c in expense.children.all())
        shares = "; ".join(
            f"{s.member.user.display_name} {s.percent}% ({_plain(s.amount_minor, currency)})"
            for s in expense.shares.all()
        )
        answers = [
            f"{scope.when(e.at)}, {scope.name(e.actor_id)}: {e.kind.replace('_', ' ')}"
            + (f", {_plain(e.amount_minor, currency)}" if e.amount_minor is not None else "")
            + (f": {e.text}" if e.text else "")
            for e in expense.events.all()
        ]
        corrects = ""
        if expense.supersedes is not None:
            old = expense.supersedes
            corrects = str(_("Corrects version %(version)s: %(description)s, %(amount)s")) % {
                "version": old.version,
                "description": old.description,
                "amount": _plain(old.amount_minor, old.currency),
            }
        # every version's entries, the first version's first
        marks_list: list[int] = []
        version_id: str | None = str(expense.public_id)
        seen: set[str] = set()
        while version_id is not None and version_id not in seen:
            seen.add(version_id)
            marks_list = expense_marks.get(version_id, []) + marks_list
            version_id = replaces.get(version_id)
        marks = ", ".join(out.entry(index) for index in marks_list)
        receipts = []
        for receipt in expense.receipts.all():
            text = (
                f"{receipt.original_name} ({receipt.media_type}, {_size(receipt.size)}, "
                f"SHA-256 {receipt.sha256})"
            )
            if receipt.media_type in APPENDIX_TYPES:
                try:
                    content = files.read(receipt.stored_name)
                except OSError:
                    content = None
                if content is not None:
                    text += f", {out.appendix(receipt.original_name, content, receipt.media_type)}"
            receipts.append(text)
        status = str(statuses.get(expense.status, expense.status))
        details = [
            str(_("Category: %(category)s"))
            % {"category": names.get(expense.category, expense.category)},
            str(_("Amount: %(amount)s, paid by %(who)s"))
            % {
                "amount": _plain(expense.amount_minor, currency),
                "who": expense.paid_by.user.display_name,
            },
        ]
        if children:
            details.append(str(_("Children: %(children)s")) % {"children": children})
        if shares:
            details.append(str(_("Shares: %(shares)s")) % {"shares": shares})
        if expense.debtor is not None:
            details.append(
                str(_("Asked of %(who)s: %(asked)s; approved: %(approved)s"))
                % {
                    "who": expense.debtor.user.display_name,
                    "asked": _plain(expense.requested_minor, currency),
                    "approved": _plain(expense.approved_minor, currency) or "-",
                }
            )
        details.append(str(_("Status: %(status)s")) % {"status": status})
        if corrects:
            details.append(corrects)
        details += [str(_("History: %(line)s")) % {"line": line} for line in answers]
        details += [str(_("Receipt: %(receipt)s")) % {"receipt": r} for r in receipts]
        if marks:
            details.append(str(_("Record: %(marks)s")) % {"marks": marks})
        out.item(f"{scope.day(expense.date)}: {expense.description}", "", details)
        expenses_csv(
            [
                expense.date.isoformat(),
                expense.description,
                names.get(expense.category, expense.category),
                children,
                money.format_plain(expense.amount_minor, currency),
                currency,
                expense.paid_by.user.display_name,
                shares,
                expense.debtor.user.display_name if expense.debtor else "",
                money.format_plain(expense.requested_minor, currency) if expense.debtor else "",
                ""
                if expense.approved_minor is None
                else money.format_plain(expense.approved_minor, currency),
                status,
                " | ".join(answers),
                corrects,
                expense.version,
                " | ".join(receipts),
                " ".join(str(i) for i in marks_list),
                str(expense.public_id),
            ]
        )
    if not count:
        out.note(str(_("No expenses dated in this period.")))

    out.heading(str(_("Payments")), level=2)
    payments_csv = out.csv(
        "payments",
        [
            "date",
            "payer",
            "payee",
            "amount",
            "currency",
            "method",
            "reference",
            "allocations",
            "status",
            "answer",
            "log_indexes",
            "id",
        ],
    )
    payment_statuses = dict(PaymentStatus.choices)
    payments = (
        Payment.objects.filter(family=scope.family, date__gte=first, date__lte=last)
        .select_related("payer__user", "payee__user")
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=PaymentAllocation.objects.select_related("expense").order_by("id"),
            )
        )
        .order_by("date", "created_at", "id")
    )
    rows = []
    for payment in payments:
        currency = payment.currency
        method = str(payment.get_method_display()) + (
            f" ({payment.app_name})" if payment.app_name else ""
        )
        allocations = "; ".join(
            f"{a.expense.description} ({scope.day(a.expense.date)}): "
            f"{_plain(a.amount_minor, currency)}"
            for a in payment.allocations.all()
        )
        status = str(payment_statuses.get(payment.status, payment.status))
        if payment.answer_reason:
            status += f": {payment.answer_reason}"
        indexes = payment_marks.get(str(payment.public_id), [])
        values = [
            scope.day(payment.date),
            payment.payer.user.display_name,
            payment.payee.user.display_name,
            _plain(payment.amount_minor, currency),
            method,
            payment.reference,
            allocations,
            status,
        ]
        payments_csv(
            [
                payment.date.isoformat(),
                payment.payer.user.display_name,
                payment.payee.user.display_name,
                money.format_plain(payment.amount_minor, currency),
                currency,
                method,
                payment.reference,
                allocations,
                str(payment_statuses.get(payment.status, payment.status)),
                payment.answer_reason,
                " ".join(str(i) for i in indexes),
                str(payment.public_id),
            ]
        )
        rows.append([*values, ", ".join(out.entry(i) for i in indexes)])
    if rows:
        out.table(
            [
                str(_("Date")),
                str(_("Paid by")),
                str(_("Paid to")),
                str(_("Amount")),
                str(_("Method")),
                str(_("Reference")),
                str(_("Pays")),
                str(_("Status")),
                str(_("Record")),
            ],
            [10, 10, 10, 10, 10, 10, 16, 13, 11],
            rows,
        )
    else:
        out.note(str(_("No payments dated in this period.")))

    out.heading(str(_("Balance at the end of the period")), level=2)
    out.note(
        str(
            _(
                "Who owed whom at the end of the period: the approved shares of expenses dated "
                "up to its last day, minus the confirmed payments dated up to that day, as they "
                "stand now."
            )
        )
    )
    balance_csv = out.csv("balance", ["currency", "owed_by", "owed_to", "amount"])
    debts = (
        Expense.objects.filter(
            family=scope.family, is_current=True, status__in=COUNTED, date__lte=last
        )
        .values("currency", "debtor_id", "paid_by_id")
        .annotate(total=Sum("approved_minor"))
        .order_by()
    )
    paid = (
        Payment.objects.filter(family=scope.family, status=PaymentStatus.CONFIRMED, date__lte=last)
        .values("currency", "payer_id", "payee_id")
        .annotate(total=Sum("amount_minor"))
        .order_by()
    )
    lines = oracle.net(
        [
            oracle.Debt(r["currency"], str(r["debtor_id"]), str(r["paid_by_id"]), r["total"])
            for r in debts
            if r["debtor_id"] is not None and r["total"]
        ],
        [
            oracle.Payment(r["currency"], str(r["payer_id"]), str(r["payee_id"]), r["total"])
            for r in paid
        ],
    )
    if not lines:
        out.note(str(_("Nothing was owed at the end of the period.")))
        return
    ids = {int(line.owed_by) for line in lines} | {int(line.owed_to) for line in lines}
    members = {
        m.pk: m.user.display_name
        for m in Membership.objects.filter(pk__in=ids).select_related("user")
    }
    balance_rows = []
    for line in lines:
        values = [
            line.currency,
            members.get(int(line.owed_by), ""),
            members.get(int(line.owed_to), ""),
            money.format_plain(line.amount, line.currency),
        ]
        balance_csv(values)
        balance_rows.append(values)
    out.table(
        [str(_("Currency")), str(_("Owed by")), str(_("Owed to")), str(_("Amount"))],
        [15, 30, 30, 25],
        balance_rows,
    )


register_section(
    Section(
        key="expenses",
        title=_("Expenses"),
        write=write,
        order=40,
        roles=frozenset({Role.PARENT, Role.PROFESSIONAL}),
    )
)
