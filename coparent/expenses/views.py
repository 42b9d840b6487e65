"""Money pages: the ledger with the balance, an expense with its history and answers, payments,
split rules, settings, the summary with its chart, and the CSV export.

Parents write; professionals read everything; a caregiver reads only the categories a parent
shared with them (no balance, no payments); a child's account gets 404 on every money page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from coparent.core import csv as safe_csv
from coparent.core import fragments
from coparent.core.errors import ServiceError
from coparent.core.forms import TextField, add_service_error
from coparent.core.http import FamilyRequest
from coparent.core.paging import page_of
from coparent.core.tenancy import family_view, get_for_family
from coparent.expenses import chart, forms, pages, selectors, services
from coparent.expenses import money as formatting
from coparent.expenses.models import (
    ANSWERABLE,
    MAX_RECEIPTS,
    OPEN,
    BuiltInCategory,
    CategoryShare,
    ConsentStatus,
    Expense,
    ExpenseEvent,
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
from coparent.families.models import Child, Membership, Role
from coparent.ledger.money import from_minor
from coparent.messaging import files
from coparent.messaging.views import attachment_response

READERS = [Role.PARENT, Role.PROFESSIONAL, Role.CAREGIVER]
PARENTS = [Role.PARENT]
RULE_READERS = [Role.PARENT, Role.PROFESSIONAL]


def _categories_or_404(request: FamilyRequest) -> list[str] | None:
    """What this member may see; a caregiver with nothing shared sees no money page at all."""
    categories = pages.visible_categories(request.membership)
    if categories is not None and not categories:
        raise Http404
    return categories


def _uploads(files_in: list[UploadedFile[Any]], field: str) -> list[services.Upload]:
    limit = files.max_bytes()
    uploads = []
    for upload in files_in:
        if upload.size and upload.size > limit:
            raise files.too_large(field)
        uploads.append(services.Upload(upload.name or "receipt", upload.read(limit + 1)))
    return uploads


def _error_to(form: Any, error: ServiceError, fields: dict[str, str] | None = None) -> None:
    """A service's refusal next to the form's field (the service names its own fields, which
    the form sometimes calls differently)."""
    if fields and error.field in fields:
        error = ServiceError(error.message, field=fields[error.field])
    if error.field == "file":
        error = ServiceError(
            error.message, field="receipts" if "receipts" in form.fields else "proof"
        )
    add_service_error(form, error)


def _member(family_parents: list[Membership], public_id: str) -> Membership | None:
    return next((m for m in family_parents if str(m.public_id) == public_id), None)


def _parent_choices(family_parents: list[Membership]) -> list[tuple[str, str]]:
    return [(str(m.public_id), m.user.display_name) for m in family_parents]


def _balances(request: FamilyRequest) -> list[dict[str, Any]]:
    me = request.membership
    rows = []
    for line in selectors.balance_list(request.family):
        amount = formatting.money_minor(line.amount_minor, line.currency)
        owed_by, owed_to = line.owed_by, line.owed_to
        if owed_to.pk == me.pk:
            words = _("%(name)s owes you %(amount)s") % {
                "name": owed_by.user.display_name,
                "amount": amount,
            }
        elif owed_by.pk == me.pk:
            words = _("You owe %(name)s %(amount)s") % {
                "name": owed_to.user.display_name,
                "amount": amount,
            }
        else:
            words = _("%(debtor)s owes %(creditor)s %(amount)s") % {
                "debtor": owed_by.user.display_name,
                "creditor": owed_to.user.display_name,
                "amount": amount,
            }
        rows.append(
            {
                "currency": line.currency,
                "words": words,
                "can_settle": owed_by.pk == me.pk and me.role == Role.PARENT,
                "amount": amount,
                "amount_minor": line.amount_minor,
                "owed_to": owed_to,
            }
        )
    return rows


def _filters(
    request: FamilyRequest, categories: list[tuple[str, str]], children: list[tuple[str, str]]
) -> tuple[forms.LedgerFilterForm, pages.Filters]:
    form = forms.LedgerFilterForm(
        request.GET or None,
        categories=categories,
        children=children,
        statuses=[(value, str(label)) for value, label in pages.FILTER_STATUSES],
    )
    if not form.is_bound or not form.is_valid():
        return form, pages.Filters()
    data = form.cleaned_data
    return form, pages.Filters(
        start=data.get("start"),
        end=data.get("end"),
        category=data.get("category") or "",
        child=data.get("child") or "",
        status=data.get("status") or "",
    )


@login_required
@family_view(roles=READERS)
def ledger(request: FamilyRequest) -> HttpResponse:
    visible = _categories_or_404(request)
    return fragments.render_kept(
        request, _("Money"), "expenses/ledger.html", lambda: _ledger_context(request, visible)
    )


def _ledger_context(request: FamilyRequest, visible: list[str] | None) -> dict[str, Any]:
    """The money page's content: about a dozen queries and forty lines, whatever the history."""
    family, me = request.family, request.membership
    category_choices = pages.category_choices(family, visible)
    kids = pages.children_of(family)
    filter_form, filters = _filters(request, category_choices, pages.child_choices(family, kids))
    page = page_of(request, pages.ledger_rows(family, visible, filters), pages.PAGE_SIZE)
    waiting_rows, more_waiting = pages.waiting_for(family, me)
    names = pages.Names.of(family, kids, dict(category_choices))
    expense_lines = pages.expense_lines([*waiting_rows, *page.items], names)
    waiting, lines = expense_lines[: len(waiting_rows)], expense_lines[len(waiting_rows) :]
    everything = pages.sees_everything(me)
    payment_rows, more_payments = (
        pages.payments_latest(family, filters) if everything else ([], False)
    )
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return {
        "show_balance": everything,
        "balances": _balances(request) if everything else [],
        "waiting": waiting,
        "more_waiting": more_waiting,
        "waiting_payments": pages.payment_lines(pages.payments_to_confirm(family, me), names),
        "filters": filter_form,
        "filtered": filters.active,
        "lines": lines,
        "page": page,
        "show_payments": everything,
        "payments": pages.payment_lines(payment_rows, names),
        "more_payments": more_payments,
        "query": urlencode(query),
    }


def _expense_form(request: FamilyRequest, **kwargs: Any) -> forms.ExpenseForm:
    family = request.family
    family_parents = pages.parents(family)
    form = forms.ExpenseForm(
        request.POST or None,
        request.FILES or None,
        categories=pages.category_choices(family),
        children=pages.child_choices(family),
        parents=_parent_choices(family_parents),
        **kwargs,
    )
    form.family_parents = family_parents  # type: ignore[attr-defined]
    return form


def _expense_arguments(request: FamilyRequest, form: forms.ExpenseForm) -> dict[str, Any]:
    data = form.cleaned_data
    family_parents: list[Membership] = form.family_parents  # type: ignore[attr-defined]
    children_ids = data.get("children") or []
    children = list(Child.objects.filter(family=request.family, public_id__in=children_ids))
    split = data.get("split")
    return {
        "description": data["description"],
        "category": data["category"],
        "amount": data["amount"],
        "currency": data["currency"],
        "date": data["date"],
        "children": children,
        "paid_by": _member(family_parents, data["paid_by"]),
        "split": (
            {m: split[str(m.public_id)] for m in family_parents if str(m.public_id) in split}
            if split
            else None
        ),
        "note": data.get("note") or "",
    }


SPLIT_FIELD = {"paid_by": "paid_by", "split": "description", "children": "children"}


@login_required
@family_view(roles=PARENTS, write=True)
def expense_new(request: FamilyRequest) -> HttpResponse:
    settings = services.settings_of(request.family)
    form = _expense_form(
        request,
        initial={
            "currency": settings.default_currency,
            "date": timezone.localdate(),
            "paid_by": str(request.membership.public_id),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            arguments = _expense_arguments(request, form)
            expense = services.expense_create(
                family=request.family,
                actor=request.user,
                receipts=_uploads(form.cleaned_data.get("receipts") or [], "receipts"),
                **arguments,
            )
        except ServiceError as error:
            _error_to(form, error, _split_field_map(form))
        else:
            messages.success(request, _("Saved. The other parent is asked for their share."))
            return redirect("expenses:expense_detail", request.family.public_id, expense.public_id)
    return render(
        request,
        "expenses/expense_form.html",
        {"form": form, "title": _("Add an expense"), "button": _("Save and ask for the share")},
    )


def _split_field_map(form: forms.ExpenseForm) -> dict[str, str]:
    first = form.split_names[0] if form.split_names else "__all__"
    return {"split": first, "to": "paid_by"}


def _versions(expense: Expense) -> list[Expense]:
    """This version and the ones it replaced, newest first (a correction of a correction...)."""
    found = [expense]
    current = expense
    while current.supersedes_id is not None and len(found) < 50:
        current = Expense.objects.select_related("paid_by__user").get(pk=current.supersedes_id)
        found.append(current)
    return found


@login_required
@family_view(roles=READERS)
def expense_detail(request: FamilyRequest, expense_id: str) -> HttpResponse:
    return _detail_page(request, expense_id)


def _detail_page(
    request: FamilyRequest,
    expense_id: str,
    *,
    action: str = "",
    bound: Any = None,
    status: int = 200,
) -> HttpResponse:
    """The expense's page; after a refused answer, with that form bound (its errors beside
    its fields) and open."""
    visible = _categories_or_404(request)
    query = Expense.objects.select_related("paid_by__user", "debtor__user", "agreement")
    if visible is not None:
        query = query.filter(category__in=visible)
    expense = get_for_family(query, request.family, public_id=expense_id)
    if not expense.is_current and not action and "version" not in request.GET:
        newest = _newest(expense)
        if newest is not None:
            messages.info(request, _("This expense was corrected; this is its newest version."))
            return redirect("expenses:expense_detail", request.family.public_id, newest.public_id)
    me = request.membership
    versions = _versions(expense)
    events = list(
        ExpenseEvent.objects.filter(expense__in=versions)
        .select_related("actor")
        .order_by("at", "pk")
    )
    for event in events:
        event.words = EVENT_WORDS.get(event.kind, event.kind)  # type: ignore[attr-defined]
    shares = list(ExpenseShare.objects.filter(expense=expense).select_related("member__user"))
    receipts = list(Receipt.objects.filter(expense=expense))
    everything = pages.sees_everything(me)
    allocations = (
        list(
            PaymentAllocation.objects.filter(expense__in=versions)
            .select_related("payment__payer__user")
            .order_by("payment__date", "pk")
        )
        if everything
        else []
    )
    is_debtor = me.role == Role.PARENT and expense.debtor_id == me.pk
    is_payer = me.role == Role.PARENT and (
        expense.paid_by_id == me.pk or expense.created_by_id == request.user.pk
    )
    labels = dict(pages.category_choices(request.family))
    forms_shown = {
        "approve": forms.ApproveForm(currency=expense.currency),
        "dispute": forms.ReasonForm(prefix="dispute"),
        "reply": forms.ReasonForm(prefix="reply"),
        "withdraw": forms.OptionalReasonForm(prefix="withdraw"),
        "receipts": forms.ReceiptAddForm(),
    }
    if action in forms_shown and bound is not None:
        forms_shown[action] = bound
    return render(
        request,
        "expenses/expense_detail.html",
        {
            "expense": expense,
            "category_label": labels.get(expense.category, expense.category),
            "children": list(expense.children.all()),
            "versions": versions,
            "events": events,
            "shares": shares,
            "receipts": receipts,
            "allocations": allocations,
            "can_answer": is_debtor and expense.status in ANSWERABLE,
            "can_reply": is_payer
            and expense.status in (ExpenseStatus.DISPUTED, ExpenseStatus.PARTLY_APPROVED),
            "can_change": is_payer and expense.status in OPEN and expense.is_current,
            "approve_form": forms_shown["approve"],
            "dispute_form": forms_shown["dispute"],
            "reply_form": forms_shown["reply"],
            "withdraw_form": forms_shown["withdraw"],
            "receipt_form": forms_shown["receipts"],
            "can_add_receipts": me.role == Role.PARENT
            and expense.is_current
            and len(receipts) < MAX_RECEIPTS,
            "open_form": action,
        },
        status=status,
    )


def _newest(expense: Expense) -> Expense | None:
    step: Expense | None = expense
    for _step in range(50):
        if step is None or step.is_current:
            return step
        step = Expense.objects.filter(family_id=expense.family_id, supersedes=step).first()
    return None


# Lazy: the module loads once, in whatever language was active then; each page shows its reader's.
EVENT_WORDS = {
    "created": gettext_lazy("asked for the share"),
    "corrected": gettext_lazy("corrected the expense (a new version)"),
    "approved": pgettext_lazy("history line", "approved"),
    "partly_approved": gettext_lazy("approved part"),
    "disputed": gettext_lazy("disputed"),
    "replied": gettext_lazy("answered and asked again"),
    "reason": gettext_lazy("said why it was corrected"),
    "withdrawn": gettext_lazy("withdrew the request"),
    "overdue": gettext_lazy("The answer date passed without an answer"),
    "receipt": gettext_lazy("added a receipt"),
}


def _expense_for_write(request: FamilyRequest, expense_id: str) -> Expense:
    return get_for_family(
        Expense.objects.select_related("paid_by__user", "debtor__user"),
        request.family,
        public_id=expense_id,
    )


@require_POST
@login_required
@family_view(roles=PARENTS, write=True)
def expense_answer(request: FamilyRequest, expense_id: str) -> HttpResponse:
    """Approve (all or part), dispute, answer a dispute, or withdraw: one form each on the
    expense's page, told apart by `action`. A refused answer shows the page again with the
    message next to the field, and nothing is written."""
    expense = _expense_for_write(request, expense_id)
    action = request.POST.get("action", "")
    family, actor = request.family, request.user
    form: Any
    try:
        if action == "approve":
            form = forms.ApproveForm(request.POST, currency=expense.currency)
            if form.is_valid():
                services.expense_approve(
                    family=family,
                    actor=actor,
                    expense=expense,
                    amount=form.cleaned_data.get("amount"),
                    reason=form.cleaned_data.get("reason") or "",
                )
                messages.success(request, _("Your answer is saved. The other parent is told."))
                return redirect("expenses:expense_detail", family.public_id, expense.public_id)
        elif action == "dispute":
            form = forms.ReasonForm(request.POST, prefix="dispute")
            if form.is_valid():
                services.expense_dispute(
                    family=family, actor=actor, expense=expense, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("Disputed. The other parent sees your reason."))
                return redirect("expenses:expense_detail", family.public_id, expense.public_id)
        elif action == "reply":
            form = forms.ReasonForm(request.POST, prefix="reply")
            if form.is_valid():
                services.expense_reply(
                    family=family, actor=actor, expense=expense, text=form.cleaned_data["reason"]
                )
                messages.success(request, _("Sent. The other parent is asked again."))
                return redirect("expenses:expense_detail", family.public_id, expense.public_id)
        elif action == "withdraw":
            form = forms.OptionalReasonForm(request.POST, prefix="withdraw")
            if form.is_valid():
                services.expense_withdraw(
                    family=family,
                    actor=actor,
                    expense=expense,
                    reason=form.cleaned_data.get("reason") or "",
                )
                messages.success(request, _("Withdrawn. It no longer counts in the balance."))
                return redirect("expenses:expense_detail", family.public_id, expense.public_id)
        else:
            raise Http404
    except ServiceError as error:
        _error_to(form, error, {"text": "reason", "amount": "amount"})
    return _detail_page(request, expense_id, action=action, bound=form, status=400)


@login_required
@family_view(roles=PARENTS, write=True)
def expense_correct(request: FamilyRequest, expense_id: str) -> HttpResponse:
    expense = _expense_for_write(request, expense_id)
    if not expense.is_current:
        raise Http404
    initial = {
        "description": expense.description,
        "category": expense.category,
        "children": [str(c.public_id) for c in expense.children.all()],
        "date": expense.date,
        "amount": from_minor(expense.amount_minor, expense.currency),
        "currency": expense.currency,
        "paid_by": str(expense.paid_by.public_id),
        "note": expense.note,
    }
    form = _expense_form(request, initial=initial)
    form.fields["reason"] = TextField(
        label=_("What changed and why"), max_length=forms.MAX_REASON, required=False
    )
    if request.method == "POST" and form.is_valid():
        try:
            arguments = _expense_arguments(request, form)
            new = services.expense_correct(
                family=request.family,
                actor=request.user,
                expense=expense,
                receipts=_uploads(form.cleaned_data.get("receipts") or [], "receipts"),
                reason=form.cleaned_data.get("reason") or "",
                **arguments,
            )
        except ServiceError as error:
            _error_to(form, error, _split_field_map(form))
        else:
            messages.success(
                request, _("Corrected. The old version stays on the record, linked to this one.")
            )
            return redirect("expenses:expense_detail", request.family.public_id, new.public_id)
    return render(
        request,
        "expenses/expense_form.html",
        {
            "form": form,
            "expense": expense,
            "title": _("Correct an expense"),
            "button": _("Save the correction"),
        },
    )


@login_required
@family_view(roles=READERS)
@require_GET
def receipt(request: FamilyRequest, receipt_id: str) -> HttpResponse:
    visible = _categories_or_404(request)
    query = Receipt.objects.select_related("expense")
    if visible is not None:
        query = query.filter(expense__category__in=visible)
    found = get_for_family(query, request.family, public_id=receipt_id)
    return attachment_response(found.stored_name, found.original_name, found.media_type)


def _open_requests(request: FamilyRequest) -> list[tuple[str, str]]:
    """The requests a payment by this parent may pay: approved shares they owe, oldest first."""
    rows = (
        Expense.objects.filter(
            family=request.family,
            is_current=True,
            debtor=request.membership,
            status__in=[ExpenseStatus.APPROVED, ExpenseStatus.PARTLY_APPROVED],
        )
        .order_by("date", "pk")
        .only("public_id", "description", "date", "approved_minor", "currency")[:50]
    )
    return [
        (
            str(e.public_id),
            f"{e.description} · {e.date:%Y-%m-%d} · "
            f"{formatting.money_minor(e.approved_minor or 0, e.currency)}",
        )
        for e in rows
    ]


@login_required
@family_view(roles=PARENTS, write=True)
def payment_new(request: FamilyRequest) -> HttpResponse:
    family = request.family
    if "settle" in request.GET:
        return redirect("expenses:settle_up", family.public_id, request.GET["settle"][:3] or "USD")
    others = [m for m in pages.parents(family) if m.pk != request.membership.pk]
    form = forms.PaymentForm(
        request.POST or None,
        request.FILES or None,
        payees=_parent_choices(others),
        open_expenses=_open_requests(request),
        initial={
            "currency": services.settings_of(family).default_currency,
            "date": timezone.localdate(),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = data.get("expenses") or []
        try:
            proof_files = [data["proof"]] if data.get("proof") else []
            proofs = _uploads(proof_files, "proof")
            payment = services.payment_record(
                family=family,
                actor=request.user,
                payee=_member(others, data["to"]),  # type: ignore[arg-type]
                amount=data["amount"],
                currency=data["currency"],
                date=data["date"],
                method=data["method"],
                app_name=data.get("app_name") or "",
                reference=data.get("reference") or "",
                note=data.get("note") or "",
                expenses=(
                    list(Expense.objects.filter(family=family, public_id__in=chosen))
                    if chosen
                    else None
                ),
                proof=proofs[0] if proofs else None,
            )
        except ServiceError as error:
            _error_to(form, error)
        else:
            messages.success(request, _("Recorded. The other parent is asked to confirm it."))
            return redirect("expenses:payment_detail", family.public_id, payment.public_id)
    return render(request, "expenses/payment_form.html", {"form": form, "no_other": not others})


@login_required
@family_view(roles=PARENTS, write=True)
def settle_up(request: FamilyRequest, currency: str) -> HttpResponse:
    """A payment of exactly what this parent owes in one currency."""
    line = next((b for b in _balances(request) if b["currency"] == currency), None)
    if line is None or not line["can_settle"]:
        messages.info(request, _("You owe nothing in %(currency)s.") % {"currency": currency[:3]})
        return redirect("expenses:ledger", request.family.public_id)
    form = forms.SettleForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = services.settle_up(
                family=request.family,
                actor=request.user,
                currency=currency,
                date=data["date"],
                method=data["method"],
                app_name=data.get("app_name") or "",
                reference=data.get("reference") or "",
                note=data.get("note") or "",
            )
        except ServiceError as error:
            _error_to(form, error)
        else:
            messages.success(request, _("Recorded. The other parent is asked to confirm it."))
            return redirect("expenses:payment_detail", request.family.public_id, payment.public_id)
    return render(request, "expenses/settle_up.html", {"form": form, "line": line})


@login_required
@family_view(roles=RULE_READERS)
def payment_detail(request: FamilyRequest, payment_id: str) -> HttpResponse:
    payment = get_for_family(
        Payment.objects.select_related("payer__user", "payee__user", "answered_by"),
        request.family,
        public_id=payment_id,
    )
    me = request.membership
    form = forms.ReasonForm(request.POST or None, prefix="dispute")
    can_answer = (
        me.role == Role.PARENT
        and payment.payee_id == me.pk
        and payment.status == PaymentStatus.PENDING
    )
    status = 200
    if request.method == "POST":
        if not can_answer:
            raise Http404
        try:
            if request.POST.get("action") == "confirm":
                services.payment_confirm(family=request.family, actor=request.user, payment=payment)
                messages.success(request, _("Confirmed. It now counts in the balance."))
                return redirect("expenses:payment_detail", request.family.public_id, payment_id)
            if form.is_valid():
                services.payment_dispute(
                    family=request.family,
                    actor=request.user,
                    payment=payment,
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, _("Disputed. The other parent sees your reason."))
                return redirect("expenses:payment_detail", request.family.public_id, payment_id)
        except ServiceError as error:
            _error_to(form, error)
        status = 400
    allocations = list(
        PaymentAllocation.objects.filter(payment=payment)
        .select_related("expense")
        .order_by("expense__date", "pk")
    )
    return render(
        request,
        "expenses/payment_detail.html",
        {"payment": payment, "allocations": allocations, "form": form, "can_answer": can_answer},
        status=status,
    )


@login_required
@family_view(roles=RULE_READERS)
@require_GET
def payment_proof(request: FamilyRequest, payment_id: str) -> HttpResponse:
    payment = get_for_family(Payment, request.family, public_id=payment_id)
    if not payment.proof_stored_name:
        raise Http404
    return attachment_response(
        payment.proof_stored_name, payment.proof_original_name, payment.proof_media_type
    )


def _rules_form(request: FamilyRequest, family_parents: list[Membership]) -> forms.RulesForm:
    family = request.family
    return forms.RulesForm(
        request.POST or None,
        categories=pages.category_choices(family),
        children=pages.child_choices(family),
        parents=_parent_choices(family_parents),
        currency=services.settings_of(family).default_currency,
        initial={
            "effective_from": timezone.localdate(),
            # An even split to start from; the parent changes what differs.
            **{
                f"default_{m.public_id}": (Decimal(100) / len(family_parents)).quantize(
                    Decimal("0.01")
                )
                for m in family_parents
                if len(family_parents) == 2
            },
        },
    )


def _agreement_lines(
    agreements: list[SplitAgreement], labels: dict[str, str], names: dict[str, str]
) -> None:
    """Words for each rule ("Medical and dental: Alice 60%, Bob 40%") and limit."""
    for agreement in agreements:
        lines = []
        for rule in agreement.rules.all():
            if rule.category:
                what = labels.get(rule.category, rule.category)
            elif rule.child is not None:
                what = _("For %(child)s") % {"child": rule.child.first_name}
            else:
                what = _("Default")
            if rule.category and rule.child is not None:
                what = f"{what}, {rule.child.first_name}"
            split = ", ".join(
                f"{names.get(member, _('a former member'))} {Decimal(percent).normalize():f}%"
                for member, percent in sorted(
                    rule.percents.items(), key=lambda kv: names.get(kv[0], "")
                )
            )
            lines.append((rule.category == "" and rule.child is None, what, split))
        lines.sort(key=lambda line: (not line[0], line[1]))
        agreement.lines = lines  # type: ignore[attr-defined]
        agreement.limit_lines = [  # type: ignore[attr-defined]
            (
                labels.get(limit.category, limit.category),
                formatting.money_minor(limit.amount_minor, limit.currency),
            )
            for limit in agreement.limits.all()
        ]


@login_required
@family_view(roles=RULE_READERS)
def rules(request: FamilyRequest) -> HttpResponse:
    family = request.family
    family_parents = pages.parents(family)
    form = _rules_form(request, family_parents)
    if request.method == "POST":
        if request.membership.role != Role.PARENT:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            by_id = {str(m.public_id): m for m in family_parents}
            children = {str(c.public_id): c for c in Child.objects.filter(family=family)}

            def percents(values: dict[str, Decimal]) -> dict[Membership, Decimal]:
                return {by_id[key]: value for key, value in values.items() if key in by_id}

            specs = [services.RuleSpec(percents=percents(data["default"]))]
            for kind, key, values in data["overrides"]:
                if kind == "category":
                    specs.append(services.RuleSpec(percents=percents(values), category=key))
                elif key in children:
                    specs.append(services.RuleSpec(percents=percents(values), child=children[key]))
            limits = [
                services.LimitSpec(category=key, currency=form.currency, amount=amount)
                for key, amount in data["limits"].items()
            ]
            try:
                services.agreement_propose(
                    family=family,
                    actor=request.user,
                    effective_from=data["effective_from"],
                    rules=specs,
                    limits=limits,
                    note=data.get("note") or "",
                )
            except ServiceError as error:
                _error_to(
                    form,
                    error,
                    {"rules": form.default_names[0] if form.default_names else "__all__"},
                )
            else:
                messages.success(
                    request, _("Proposed. The rules apply once the other parent accepts them.")
                )
                return redirect("expenses:rules", family.public_id)
    agreements = list(
        SplitAgreement.objects.filter(family=family)
        .select_related("proposed_by", "decided_by")
        .prefetch_related("rules__child", "limits")
        .order_by("-proposed_at", "-pk")[:20]
    )
    labels = dict(pages.category_choices(family))
    names = {str(m.public_id): m.user.display_name for m in family_parents}
    _agreement_lines(agreements, labels, names)
    today = timezone.localdate()
    in_force = next(
        (
            a
            for a in sorted(
                agreements,
                key=lambda a: (a.effective_from, a.decided_at or a.proposed_at),
                reverse=True,
            )
            if a.status == "accepted" and a.effective_from <= today
        ),
        None,
    )
    return render(
        request,
        "expenses/rules.html",
        {
            "form": form,
            "agreements": agreements,
            "in_force": in_force,
            "pending": [a for a in agreements if a.status == "proposed"],
            "later": [a for a in agreements if a.status == "accepted" and a.effective_from > today],
            "past": [a for a in agreements if a is not in_force and a.status != "proposed"],
            "currency": form.currency,
        },
    )


@login_required
@family_view(roles=RULE_READERS)
def rules_detail(request: FamilyRequest, agreement_id: str) -> HttpResponse:
    agreement = get_for_family(
        SplitAgreement.objects.select_related("proposed_by", "decided_by").prefetch_related(
            "rules__child", "limits"
        ),
        request.family,
        public_id=agreement_id,
    )
    form = forms.OptionalReasonForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if request.membership.role != Role.PARENT:
            raise Http404
        decision = request.POST.get("decision", "")
        if form.is_valid():
            try:
                if decision == "withdraw":
                    services.agreement_withdraw(
                        family=request.family, actor=request.user, agreement=agreement
                    )
                    messages.success(request, _("Withdrawn."))
                elif decision in ("accept", "decline"):
                    services.agreement_decide(
                        family=request.family,
                        actor=request.user,
                        agreement=agreement,
                        accept=decision == "accept",
                        response=form.cleaned_data.get("reason") or "",
                    )
                    messages.success(
                        request,
                        _("Accepted. These rules apply from their date.")
                        if decision == "accept"
                        else _("Declined. The rules in force stay as they are."),
                    )
                else:
                    raise Http404
            except ServiceError as error:
                _error_to(form, error, {"response": "reason"})
            else:
                return redirect("expenses:rules_detail", request.family.public_id, agreement_id)
        status = 400
    labels = dict(pages.category_choices(request.family))
    names = {str(m.public_id): m.user.display_name for m in pages.parents(request.family)}
    _agreement_lines([agreement], labels, names)
    return render(
        request,
        "expenses/rules_detail.html",
        {
            "agreement": agreement,
            "form": form,
            "can_decide": request.membership.role == Role.PARENT
            and agreement.status == "proposed"
            and agreement.proposed_by_id != request.user.pk,
            "can_withdraw": request.membership.role == Role.PARENT
            and agreement.status == "proposed"
            and agreement.proposed_by_id == request.user.pk,
        },
        status=status,
    )


@login_required
@family_view(roles=PARENTS)
def expense_settings(request: FamilyRequest) -> HttpResponse:
    family = request.family
    current = services.settings_of(family)
    which = request.POST.get("form", "") if request.method == "POST" else ""
    settings_form = forms.SettingsForm(
        request.POST if which == "settings" else None,
        initial={
            "default_currency": current.default_currency,
            "respond_by_days": current.respond_by_days,
        },
    )
    category_form = forms.CategoryForm(request.POST if which == "category" else None)
    category_choices = pages.category_choices(family)
    caregivers = list(
        Membership.objects.active()
        .filter(family=family, role=Role.CAREGIVER)
        .select_related("user")
        .order_by("created_at", "pk")
    )
    shared: dict[int, list[str]] = {m.pk: [] for m in caregivers}
    for member_id, category in CategoryShare.objects.filter(
        family=family, member__in=caregivers
    ).values_list("member_id", "category"):
        shared[member_id].append(category)
    share_forms = [
        (
            m,
            forms.ShareForm(
                request.POST if which == f"share-{m.public_id}" else None,
                categories=category_choices,
                prefix=f"share-{m.public_id}",
                initial={"categories": shared[m.pk]},
            ),
        )
        for m in caregivers
    ]
    status = 200
    if request.method == "POST":
        try:
            if which == "settings" and settings_form.is_valid():
                services.settings_update(
                    family=family, actor=request.user, **settings_form.cleaned_data
                )
                messages.success(request, _("Saved."))
                return redirect("expenses:settings", family.public_id)
            if which == "category" and category_form.is_valid():
                services.category_add(
                    family=family, actor=request.user, name=category_form.cleaned_data["name"]
                )
                messages.success(request, _("Category added."))
                return redirect("expenses:settings", family.public_id)
            for member, share_form in share_forms:
                if which == f"share-{member.public_id}" and share_form.is_valid():
                    services.category_share_set(
                        family=family,
                        actor=request.user,
                        member=member,
                        categories=share_form.cleaned_data["categories"],
                    )
                    messages.success(
                        request,
                        _("Saved. %(name)s sees only these categories.")
                        % {"name": member.user.display_name},
                    )
                    return redirect("expenses:settings", family.public_id)
        except ServiceError as error:
            target = {"settings": settings_form, "category": category_form}.get(which)
            if target is None:
                target = next((f for m, f in share_forms if which == f"share-{m.public_id}"), None)
            if target is None:
                raise
            add_service_error(target, error)
        status = 400
    return render(
        request,
        "expenses/settings.html",
        {
            "settings_form": settings_form,
            "category_form": category_form,
            "share_forms": share_forms,
            "own_categories": [c for c in category_choices if c[0] not in BUILT_IN_KEYS],
        },
        status=status,
    )


BUILT_IN_KEYS = frozenset(c.value for c in BuiltInCategory)


@login_required
@family_view(roles=READERS)
def summary(request: FamilyRequest) -> HttpResponse:
    visible = _categories_or_404(request)
    today = timezone.localdate()
    default_start = today.replace(month=1, day=1)
    form = forms.PeriodForm(request.GET or None, initial={"start": default_start, "end": today})
    start, end = default_start, today
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    labels = dict(pages.category_choices(request.family, visible))
    by_category = pages.totals_by_category(request.family, visible, start, end)
    by_child = pages.totals_by_child(request.family, visible, start, end)
    currencies: dict[str, dict[str, Any]] = {}
    for row in by_category:
        entry = currencies.setdefault(
            row["currency"], {"categories": [], "children": [], "total": 0}
        )
        entry["categories"].append(
            {
                "label": labels.get(row["category"], row["category"]),
                "amount": formatting.money_minor(row["total"], row["currency"]),
                "value": from_minor(row["total"], row["currency"]),
                "count": row["count"],
            }
        )
        entry["total"] += row["total"]
    for row in by_child:
        entry = currencies.setdefault(
            row["currency"], {"categories": [], "children": [], "total": 0}
        )
        entry["children"].append(
            {
                "label": row["children__first_name"],
                "amount": formatting.money_minor(row["total"], row["currency"]),
                "count": row["count"],
            }
        )
    sections = []
    for index, (currency, entry) in enumerate(sorted(currencies.items())):
        bars = [chart.Bar(c["label"], c["value"], c["amount"]) for c in entry["categories"]]
        title = _("Spending by category in %(currency)s") % {"currency": currency}
        description = "; ".join(f"{c['label']}: {c['amount']}" for c in entry["categories"])
        sections.append(
            {
                "currency": currency,
                "total": formatting.money_minor(entry["total"], currency),
                "categories": entry["categories"],
                "children": entry["children"],
                "chart": chart.bar_chart(
                    title=title, description=description, bars=bars, chart_id=f"chart-{index}"
                ),
            }
        )
    return render(
        request,
        "expenses/summary.html",
        {"form": form, "sections": sections, "start": start, "end": end},
    )


EXPORT_HEADER = [
    "type",
    "id",
    "date",
    "description",
    "category",
    "children",
    "paid by",
    "paid to",
    "amount",
    "currency",
    "share asked",
    "approved",
    "status",
    "respond by",
    "method",
    "reference",
    "version",
    "replaces",
]


@login_required
@family_view(roles=READERS)
@require_GET
def export(request: FamilyRequest) -> HttpResponse:
    """Every line the ledger's filters select (not only one page), then the payments, as CSV:
    UTF-8 with a byte-order mark, formula-like text made inert (core/csv.py)."""
    family = request.family
    visible = _categories_or_404(request)
    labels = dict(pages.category_choices(family, visible))
    _form, filters = _filters(request, list(labels.items()), pages.child_choices(family))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="expenses-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    writer = safe_csv.writer(response)
    writer.writerow(EXPORT_HEADER)
    query = filters.apply(pages.expenses_visible(family, visible))
    if filters.child:
        query = query.distinct()
    rows = (
        query.select_related("paid_by__user", "debtor__user", "supersedes")
        .prefetch_related("children")
        .order_by("date", "created_at", "pk")
    )
    for e in rows.iterator(chunk_size=500):
        writer.writerow(
            [
                "expense",
                e.public_id,
                e.date.isoformat(),
                e.description,
                labels.get(e.category, e.category),
                "; ".join(c.first_name for c in e.children.all()),
                e.paid_by.user.display_name,
                e.debtor.user.display_name if e.debtor else "",
                from_minor(e.amount_minor, e.currency),
                e.currency,
                from_minor(e.requested_minor, e.currency),
                "" if e.approved_minor is None else from_minor(e.approved_minor, e.currency),
                e.get_status_display(),
                timezone.localtime(e.respond_by).date().isoformat() if e.respond_by else "",
                "",
                "",
                e.version,
                e.supersedes.public_id if e.supersedes else "",
            ]
        )
    if pages.sees_everything(request.membership):
        payments = Payment.objects.filter(family=family)
        if filters.start:
            payments = payments.filter(date__gte=filters.start)
        if filters.end:
            payments = payments.filter(date__lte=filters.end)
        for p in (
            payments.select_related("payer__user", "payee__user")
            .order_by("date", "pk")
            .iterator(chunk_size=500)
        ):
            writer.writerow(
                [
                    "payment",
                    p.public_id,
                    p.date.isoformat(),
                    p.note,
                    "",
                    "",
                    p.payer.user.display_name,
                    p.payee.user.display_name,
                    from_minor(p.amount_minor, p.currency),
                    p.currency,
                    "",
                    "",
                    p.get_status_display(),
                    "",
                    p.get_method_display() + (f" ({p.app_name})" if p.app_name else ""),
                    p.reference,
                    "",
                    "",
                ]
            )
    return response


@login_required
@family_view(roles=RULE_READERS)
def recurring(request: FamilyRequest) -> HttpResponse:
    """Repeating expenses (tuition, insurance): each occurrence is created on its date and
    asked for like any other. A parent adds one or stops one; professionals read the list."""
    family = request.family
    family_parents = pages.parents(family)
    form = forms.RecurringForm(
        request.POST if request.POST.get("form") == "add" else None,
        categories=pages.category_choices(family),
        children=pages.child_choices(family),
        parents=_parent_choices(family_parents),
        initial={
            "currency": services.settings_of(family).default_currency,
            "starts_on": timezone.localdate(),
            "paid_by": str(request.membership.public_id),
        },
    )
    status = 200
    if request.method == "POST":
        if request.membership.role != Role.PARENT:
            raise Http404
        try:
            if request.POST.get("form") == "stop":
                found = get_for_family(
                    RecurringExpense, family, public_id=request.POST.get("recurring", "")
                )
                services.recurring_stop(family=family, actor=request.user, recurring=found)
                messages.success(request, _("Stopped. What it already created stays."))
                return redirect("expenses:recurring", family.public_id)
            if form.is_valid():
                data = form.cleaned_data
                services.recurring_create(
                    family=family,
                    actor=request.user,
                    description=data["description"],
                    category=data["category"],
                    amount=data["amount"],
                    currency=data["currency"],
                    rrule=data["rrule"],
                    starts_on=data["starts_on"],
                    children=list(
                        Child.objects.filter(
                            family=family, public_id__in=data.get("children") or []
                        )
                    ),
                    paid_by=_member(family_parents, data["paid_by"]),
                    note=data.get("note") or "",
                )
                messages.success(
                    request, _("Saved. Each one is asked for on its date, like any expense.")
                )
                return redirect("expenses:recurring", family.public_id)
        except ServiceError as error:
            _error_to(form, error, {"rrule": "rrule"})
        status = 400 if request.POST.get("form") == "stop" else 200
    labels = dict(pages.category_choices(family))
    repeats = dict(forms.REPEATS)
    schedules = list(selectors.recurring_list(family)[:100])
    for item in schedules:
        item.category_label = labels.get(item.category, item.category)  # type: ignore[attr-defined]
        item.repeat_label = repeats.get(item.rrule, item.rrule)  # type: ignore[attr-defined]
    return render(
        request,
        "expenses/recurring.html",
        {"form": form, "schedules": schedules},
        status=status,
    )


@require_POST
@login_required
@family_view(roles=PARENTS, write=True)
def receipt_add(request: FamilyRequest, expense_id: str) -> HttpResponse:
    expense = _expense_for_write(request, expense_id)
    form = forms.ReceiptAddForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.receipt_add(
                family=request.family,
                actor=request.user,
                expense=expense,
                uploads=_uploads(form.cleaned_data["receipts"], "receipts"),
            )
        except ServiceError as error:
            _error_to(form, error)
        else:
            messages.success(request, _("Added. The receipts are on the record."))
            return redirect("expenses:expense_detail", request.family.public_id, expense_id)
    return _detail_page(request, expense_id, action="receipts", bound=form, status=400)


@login_required
@family_view(roles=RULE_READERS)
def consents(request: FamilyRequest) -> HttpResponse:
    """Consent before spending above an agreed limit: a parent asks, the other gives or refuses
    (a refusal says why). The asking parent's next expense in that category and currency, up to
    the amount, then carries the consent and is not flagged."""
    family, me = request.family, request.membership
    which = request.POST.get("form", "") if request.method == "POST" else ""
    form = forms.ConsentRequestForm(
        request.POST if which == "ask" else None,
        categories=pages.category_choices(family),
        initial={"currency": services.settings_of(family).default_currency},
    )
    answering = request.POST.get("consent", "")[:40] if which == "answer" else ""
    answer_form = forms.OptionalReasonForm(
        request.POST if answering else None, prefix=f"answer-{answering}"
    )
    status = 200
    if request.method == "POST":
        if me.role != Role.PARENT:
            raise Http404
        try:
            if which == "answer":
                found = get_for_family(
                    Preapproval, family, public_id=request.POST.get("consent", "")
                )
                if answer_form.is_valid():
                    give = request.POST.get("decision") == "give"
                    services.preapproval_answer(
                        family=family,
                        actor=request.user,
                        preapproval=found,
                        give=give,
                        reason=answer_form.cleaned_data.get("reason") or "",
                    )
                    messages.success(
                        request,
                        _("Consent given. It is on the record.")
                        if give
                        else _("Consent refused. Your reason is on the record."),
                    )
                    return redirect("expenses:consents", family.public_id)
            elif which == "ask" and form.is_valid():
                services.preapproval_request(family=family, actor=request.user, **form.cleaned_data)
                messages.success(request, _("Asked. The other parent is told."))
                return redirect("expenses:consents", family.public_id)
        except ServiceError as error:
            target = answer_form if which == "answer" else form
            _error_to(target, error)
        status = 400 if which == "answer" else 200
    labels = dict(pages.category_choices(family))
    items = list(
        Preapproval.objects.filter(family=family)
        .select_related("requested_by__user", "answered_by", "expense")
        .order_by("-requested_at", "-pk")[:50]
    )
    for item in items:
        item.category_label = labels.get(item.category, item.category)  # type: ignore[attr-defined]
        item.can_answer = (  # type: ignore[attr-defined]
            me.role == Role.PARENT
            and item.status == ConsentStatus.REQUESTED
            and item.requested_by_id != me.pk
        )
        # One form per request, so each reason field has its own id.
        item.answer_form = (  # type: ignore[attr-defined]
            answer_form
            if answering == str(item.public_id)
            else forms.OptionalReasonForm(prefix=f"answer-{item.public_id}")
        )
    return render(
        request,
        "expenses/consents.html",
        {"form": form, "items": items},
        status=status,
    )
