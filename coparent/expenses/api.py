"""API operations for shared expenses: expenses and their answers, payments, the balance, and
split rules. Amounts are decimal strings with the currency's decimals ("123.45", "1200" for
JPY), never JSON numbers; member ids are the ids of /families/{id}/members."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, overload

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from coparent.api.base import actor, family_membership
from coparent.api.multipart import Multipart, file_list
from coparent.core.errors import ServiceError
from coparent.core.inputs import Day, Instant, Text, text_problem
from coparent.core.tenancy import get_for_family
from coparent.expenses import selectors, services
from coparent.expenses.models import (
    MAX_RECEIPTS,
    Expense,
    ExpenseSettings,
    ExpenseStatus,
    Payment,
    PaymentMethod,
    Preapproval,
    SplitAgreement,
)
from coparent.families.models import Child, Family, Membership, Role
from coparent.ledger import money
from coparent.messaging import files
from coparent.messaging.views import attachment_response

router = Router(tags=["expenses"])

# A decimal string: the service says what is wrong with it (zero, too many decimals...).
Amount = Annotated[
    str,
    Text(40, required=True),
    Field(description='A decimal string, e.g. "123.45" (at most the currency\'s decimals).'),
]
Percent = Annotated[str, Text(12, required=True), Field(description='e.g. "60" or "33.33"')]
CurrencyCode = Annotated[str, Text(3, required=True), Field(description="ISO 4217, e.g. USD")]
CategoryKey = Annotated[str, Text(40, required=True)]
MAX_IDS = 100


class ExpenseIn(Schema):
    description: Annotated[str, Text(200, required=True)]
    category: CategoryKey
    amount: Amount
    currency: CurrencyCode | None = Field(None, description="The family's default if left out.")
    date: Day
    children: Annotated[list[uuid.UUID], Field(max_length=20)] = []
    paid_by: uuid.UUID | None = Field(None, description="A member id; the caller if left out.")
    split: (
        Annotated[
            dict[str, Percent],
            Field(max_length=4, description="{member id: percent}, adding up to 100."),
        ]
        | None
    ) = None
    note: Annotated[str, Text(2000)] = ""


class ExpenseCorrectionIn(Schema):
    description: Annotated[str, Text(200, required=True)] | None = None
    category: CategoryKey | None = None
    amount: Amount | None = None
    currency: CurrencyCode | None = None
    date: Day | None = None
    children: Annotated[list[uuid.UUID], Field(max_length=20)] | None = None
    paid_by: uuid.UUID | None = None
    split: Annotated[dict[str, Percent], Field(max_length=4)] | None = None
    note: Annotated[str, Text(2000)] | None = None
    reason: Annotated[str, Text(2000)] = ""


class ApproveIn(Schema):
    amount: Amount | None = Field(None, description="Less than the share: a partial approval.")
    reason: Annotated[str, Text(2000)] = ""


class ReasonIn(Schema):
    reason: Annotated[str, Text(2000, required=True)]


class OptionalReasonIn(Schema):
    reason: Annotated[str, Text(2000)] = ""


class ExpenseDecisionIn(Schema):
    response: Annotated[str, Text(1000)] = ""


class ReplyIn(Schema):
    text: Annotated[str, Text(2000, required=True)]


class ExpenseOut(Schema):
    id: uuid.UUID
    version: int
    replaces: uuid.UUID | None
    status: str
    description: str
    category: str
    date: dt.date
    amount: str
    currency: str
    paid_by: uuid.UUID
    asked: uuid.UUID | None = Field(description="The member asked for their share.")
    requested: str
    approved: str | None
    reason: str
    respond_by: dt.datetime | None
    over_limit: bool = Field(description="Above an agreed pre-approval limit, without consent.")
    split_source: str
    children: list[uuid.UUID]
    shares: dict[str, str] = Field(description="{member id: amount}")
    receipts: int


class ExpenseEventOut(Schema):
    expense: uuid.UUID = Field(description="The version it happened to.")
    kind: str
    by: uuid.UUID | None = Field(description="The user who did it; null for the system.")
    amount: str | None
    text: str
    at: dt.datetime


class ExpenseHistoryOut(Schema):
    versions: list[ExpenseOut]
    events: list[ExpenseEventOut]


class ExpenseListIn(Schema):
    start: Day | None = None
    end: Day | None = None
    category: Annotated[str, Text(40)] | None = None
    child: uuid.UUID | None = None
    status: ExpenseStatus | None = None
    currency: Annotated[str, Text(3)] | None = None
    limit: Annotated[int, Field(ge=1, le=500)] = 100
    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0


class PaymentIn(Schema):
    to: uuid.UUID = Field(description="The member id of the parent paid.")
    amount: Amount
    currency: CurrencyCode | None = None
    date: Day
    method: PaymentMethod
    app_name: Annotated[str, Text(60)] = ""
    reference: Annotated[str, Text(200)] = ""
    note: Annotated[str, Text(1000)] = ""
    expenses: (
        Annotated[
            list[uuid.UUID],
            Field(max_length=MAX_IDS, description="Expenses this pays; oldest first if left out."),
        ]
        | None
    ) = None


class SettleUpIn(Schema):
    currency: CurrencyCode
    date: Day
    method: PaymentMethod
    app_name: Annotated[str, Text(60)] = ""
    reference: Annotated[str, Text(200)] = ""


class PaymentOut(Schema):
    id: uuid.UUID
    by: uuid.UUID
    to: uuid.UUID
    amount: str
    currency: str
    date: dt.date
    method: str
    app_name: str
    reference: str
    status: str
    settle_up: bool
    allocations: dict[str, str] = Field(description="{expense id: amount}")


class BalanceLineOut(Schema):
    currency: str
    owed_by: uuid.UUID
    owed_to: uuid.UUID
    amount: str


class BalanceOut(Schema):
    balances: list[BalanceLineOut]


class RuleIn(Schema):
    category: Annotated[str, Text(40)] = Field("", description='"" for every category.')
    child: uuid.UUID | None = None
    split: Annotated[dict[str, Percent], Field(max_length=4)]


class LimitIn(Schema):
    category: CategoryKey
    currency: CurrencyCode
    amount: Amount


class AgreementIn(Schema):
    effective_from: Day
    rules: Annotated[list[RuleIn], Field(min_length=1, max_length=60)]
    limits: Annotated[list[LimitIn], Field(max_length=60)] = []
    note: Annotated[str, Text(1000)] = ""
    respond_by: Instant | None = None


class RuleOut(Schema):
    category: str
    child: uuid.UUID | None
    split: dict[str, str]


class LimitOut(Schema):
    category: str
    currency: str
    amount: str


class SplitAgreementOut(Schema):
    id: uuid.UUID
    status: str
    effective_from: dt.date
    respond_by: dt.datetime
    proposed_by: str
    note: str
    response: str
    rules: list[RuleOut]
    limits: list[LimitOut]


# ---- helpers ------------------------------------------------------------------------------------


def _writer(request: HttpRequest, family_id: str) -> Membership:
    """A parent of the family; read-only members get 403 (from family_membership), anyone else
    404 as if the operation did not exist for them."""
    membership = family_membership(request, family_id)
    if membership.role != Role.PARENT:
        raise Http404
    return membership


def _members(family: Family, ids: list[str], field: str) -> dict[str, Membership]:
    found = selectors.members_by_public_id(family, ids)
    if len(found) != len(set(ids)):
        raise ServiceError(_("Choose members of this family."), field=field)
    return found


def _member(family: Family, public_id: uuid.UUID, field: str) -> Membership:
    return _members(family, [str(public_id)], field)[str(public_id)]


def _percents(family: Family, split: dict[str, str], field: str) -> dict[Membership, Decimal]:
    members = _members(family, list(split), field)
    percents = {}
    for key, value in split.items():
        try:
            percent = Decimal(value.strip())
        except InvalidOperation:
            raise ServiceError(
                _("Give each share as a percentage, e.g. 60."), field=field
            ) from None
        if not percent.is_finite():
            raise ServiceError(_("Give each share as a percentage, e.g. 60."), field=field)
        member = members[str(uuid.UUID(key))] if _is_uuid(key) else None
        if member is None:
            raise ServiceError(_("Choose members of this family."), field=field)
        percents[member] = percent
    return percents


def _optional_body(schema: type[Schema]) -> dict[str, Any]:
    """The OpenAPI description of a body that may be left out entirely."""
    return {
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": schema.model_json_schema()}},
        }
    }


@overload
def _optional_text(request: HttpRequest, name: str) -> str: ...
@overload
def _optional_text(request: HttpRequest, name: str, *, none_if_missing: bool) -> str | None: ...
def _optional_text(request: HttpRequest, name: str, *, none_if_missing: bool = False) -> str | None:
    """An optional text field of an operation that may also be called with no body at all
    (`POST .../approve`, `.../withdraw`): read from a JSON object body when there is one.
    Control characters are refused here as the schema says; the service checks the length."""
    missing = None if none_if_missing else ""
    if request.content_type != "application/json" or not request.body:
        return missing
    try:
        data = json.loads(request.body)
    except ValueError:
        raise ServiceError(_("The request body must be a JSON object."), field=name) from None
    if not isinstance(data, dict):
        raise ServiceError(_("The request body must be a JSON object."), field=name)
    if name not in data:
        return missing
    value = data[name]
    if value is None and none_if_missing:  # the one field documented as nullable
        return None
    if not isinstance(value, str):  # null too, where the schema says text
        raise ServiceError(_("Give this as text."), field=name)
    problem = text_problem(value)
    if problem:
        raise ServiceError(problem, field=name)
    return value


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _children(family: Family, ids: list[uuid.UUID]) -> list[Child]:
    found = {c.public_id: c for c in Child.objects.filter(family=family, public_id__in=ids)}
    if len(found) != len(set(ids)):
        raise ServiceError(_("Choose the family's children."), field="children")
    return [found[i] for i in dict.fromkeys(ids)]


def _expense_out(expense: Expense) -> ExpenseOut:
    currency = expense.currency

    def plain(minor: int | None) -> str | None:
        return None if minor is None else money.format_plain(minor, currency)

    return ExpenseOut(
        id=expense.public_id,
        version=expense.version,
        replaces=expense.supersedes.public_id if expense.supersedes_id else None,  # type: ignore[union-attr]
        status=expense.status,
        description=expense.description,
        category=expense.category,
        date=expense.date,
        amount=money.format_plain(expense.amount_minor, currency),
        currency=currency,
        paid_by=expense.paid_by.public_id,
        asked=expense.debtor.public_id if expense.debtor else None,
        requested=money.format_plain(expense.requested_minor, currency),
        approved=plain(expense.approved_minor),
        reason=expense.answer_reason,
        respond_by=expense.respond_by,
        over_limit=expense.over_limit,
        split_source=expense.split_source,
        children=[c.public_id for c in expense.children.all()],
        shares={
            str(s.member.public_id): money.format_plain(s.amount_minor, currency)
            for s in expense.shares.all()
        },
        receipts=(
            expense.receipt_count if hasattr(expense, "receipt_count") else expense.receipts.count()
        ),
    )


def _expense_full(family: Family, expense: Expense) -> ExpenseOut:
    fresh = (
        Expense.objects.select_related("paid_by", "debtor", "supersedes")
        .prefetch_related("children", "shares__member")
        .get(pk=expense.pk, family=family)
    )
    return _expense_out(fresh)


def _payment_out(payment: Payment) -> PaymentOut:
    return PaymentOut(
        id=payment.public_id,
        by=payment.payer.public_id,
        to=payment.payee.public_id,
        amount=money.format_plain(payment.amount_minor, payment.currency),
        currency=payment.currency,
        date=payment.date,
        method=payment.method,
        app_name=payment.app_name,
        reference=payment.reference,
        status=payment.status,
        settle_up=payment.settle_up,
        allocations={
            str(a.expense.public_id): money.format_plain(a.amount_minor, payment.currency)
            for a in payment.allocations.all()
        },
    )


def _payment_full(family: Family, payment: Payment) -> PaymentOut:
    fresh = (
        Payment.objects.select_related("payer", "payee")
        .prefetch_related("allocations__expense")
        .get(pk=payment.pk, family=family)
    )
    return _payment_out(fresh)


def _agreement_out(agreement: SplitAgreement) -> SplitAgreementOut:
    return SplitAgreementOut(
        id=agreement.public_id,
        status=agreement.status,
        effective_from=agreement.effective_from,
        respond_by=agreement.respond_by,
        proposed_by=agreement.proposed_by.display_name,
        note=agreement.note,
        response=agreement.response,
        rules=[
            RuleOut(
                category=r.category,
                child=r.child.public_id if r.child else None,
                split=dict(r.percents),
            )
            for r in agreement.rules.all()
        ],
        limits=[
            LimitOut(
                category=lim.category,
                currency=lim.currency,
                amount=money.format_plain(lim.amount_minor, lim.currency),
            )
            for lim in agreement.limits.all()
        ],
    )


def _expense(family: Family, membership: Membership, expense_id: str) -> Expense:
    return selectors.expense_get(family, membership, expense_id)


# ---- expenses -----------------------------------------------------------------------------------
# The balance comes before /expenses/{expense_id}, so "balance" is never read as an id.


@router.get(
    "/families/{family_id}/expenses/balance",
    response=BalanceOut,
    summary="Who owes whom, per currency",
)
def balance(request: HttpRequest, family_id: str) -> BalanceOut:
    membership = family_membership(request, family_id)
    lines = selectors.balance_for_viewer(membership.family, membership)
    return BalanceOut(
        balances=[
            BalanceLineOut(
                currency=line.currency,
                owed_by=line.owed_by.public_id,
                owed_to=line.owed_to.public_id,
                amount=line.amount_text,
            )
            for line in lines
        ]
    )


@router.get(
    "/families/{family_id}/expenses",
    response=list[ExpenseOut],
    summary="The expense ledger, newest first (`limit`, 100 by default, from `offset`)",
)
def expense_list(
    request: HttpRequest, family_id: str, query: Query[ExpenseListIn]
) -> list[ExpenseOut]:
    membership = family_membership(request, family_id)
    family = membership.family
    child = (
        get_for_family(Child, family, public_id=query.child) if query.child is not None else None
    )
    filters = selectors.LedgerFilter(
        start=query.start,
        end=query.end,
        category=query.category or None,
        child=child,
        status=query.status or None,
        currency=(query.currency or "").upper() or None,
    )
    rows = (
        selectors.expense_list(family, membership, filters)
        .select_related("supersedes")
        .prefetch_related("shares__member")[query.offset : query.offset + query.limit]
    )
    return [_expense_out(e) for e in rows]


@router.post(
    "/families/{family_id}/expenses", response={201: ExpenseOut}, summary="Record an expense"
)
def expense_create(request: HttpRequest, family_id: str, payload: ExpenseIn) -> Status[ExpenseOut]:
    membership = _writer(request, family_id)
    family = membership.family
    expense = services.expense_create(
        family=family,
        actor=actor(request),
        description=payload.description,
        category=payload.category,
        amount=payload.amount,
        currency=payload.currency,
        date=payload.date,
        children=_children(family, payload.children),
        paid_by=_member(family, payload.paid_by, "paid_by") if payload.paid_by else None,
        split=_percents(family, payload.split, "split") if payload.split is not None else None,
        note=payload.note,
    )
    return Status(201, _expense_full(family, expense))


@router.get(
    "/families/{family_id}/expenses/{expense_id}", response=ExpenseOut, summary="One expense"
)
def expense_get(request: HttpRequest, family_id: str, expense_id: str) -> ExpenseOut:
    membership = family_membership(request, family_id)
    return _expense_full(membership.family, _expense(membership.family, membership, expense_id))


def _expense_answer(
    request: HttpRequest,
    family_id: str,
    expense_id: str,
    service: Callable[..., Expense],
    **arguments: Any,
) -> ExpenseOut:
    """The one shape of every answer to an expense: a parent, the expense as they may see it,
    the service, the expense as it now stands."""
    membership = _writer(request, family_id)
    family = membership.family
    expense = _expense(family, membership, expense_id)
    return _expense_full(
        family, service(family=family, actor=actor(request), expense=expense, **arguments)
    )


@router.post(
    "/families/{family_id}/expenses/{expense_id}/approve",
    response=ExpenseOut,
    summary="Approve your share, or part of it",
    openapi_extra=_optional_body(ApproveIn),
)
def expense_approve(request: HttpRequest, family_id: str, expense_id: str) -> ExpenseOut:
    return _expense_answer(
        request,
        family_id,
        expense_id,
        services.expense_approve,
        amount=_optional_text(request, "amount", none_if_missing=True),
        reason=_optional_text(request, "reason") or "",
    )


@router.post(
    "/families/{family_id}/expenses/{expense_id}/dispute",
    response=ExpenseOut,
    summary="Dispute a request (a reason is required)",
)
def expense_dispute(
    request: HttpRequest, family_id: str, expense_id: str, payload: ReasonIn
) -> ExpenseOut:
    return _expense_answer(
        request, family_id, expense_id, services.expense_dispute, reason=payload.reason
    )


@router.post(
    "/families/{family_id}/expenses/{expense_id}/withdraw",
    response=ExpenseOut,
    summary="Withdraw your request",
    openapi_extra=_optional_body(OptionalReasonIn),
)
def expense_withdraw(request: HttpRequest, family_id: str, expense_id: str) -> ExpenseOut:
    return _expense_answer(
        request,
        family_id,
        expense_id,
        services.expense_withdraw,
        reason=_optional_text(request, "reason"),
    )


@router.post(
    "/families/{family_id}/expenses/{expense_id}/reply",
    response=ExpenseOut,
    summary="Answer a dispute or partial approval and ask again",
)
def expense_reply(
    request: HttpRequest, family_id: str, expense_id: str, payload: ReplyIn
) -> ExpenseOut:
    return _expense_answer(
        request, family_id, expense_id, services.expense_reply, text=payload.text
    )


@router.get(
    "/families/{family_id}/expenses/{expense_id}/history",
    response=ExpenseHistoryOut,
    summary="Every version of an expense and what happened to each, oldest first",
)
def expense_history(request: HttpRequest, family_id: str, expense_id: str) -> ExpenseHistoryOut:
    membership = family_membership(request, family_id)
    expense = _expense(membership.family, membership, expense_id)
    versions = selectors.expense_versions(expense)
    rows = (
        Expense.objects.filter(pk__in=[v.pk for v in versions], family=membership.family)
        .select_related("paid_by", "debtor", "supersedes")
        .prefetch_related("children", "shares__member")
        .annotate(receipt_count=Count("receipts"))
        .order_by("version")
    )
    return ExpenseHistoryOut(
        versions=[_expense_out(v) for v in rows],
        events=[
            ExpenseEventOut(
                expense=event.expense.public_id,
                kind=event.kind,
                by=event.actor.public_id if event.actor else None,
                amount=(
                    None
                    if event.amount_minor is None
                    else money.format_plain(event.amount_minor, event.expense.currency)
                ),
                text=event.text,
                at=event.at,
            )
            for event in selectors.expense_events(expense, versions)
        ],
    )


@router.get(
    "/families/{family_id}/expenses/{expense_id}/receipts/{receipt_id}",
    summary="Download a receipt (always as a file, never shown inline)",
)
def receipt_download(
    request: HttpRequest, family_id: str, expense_id: str, receipt_id: str
) -> HttpResponse:
    membership = family_membership(request, family_id)
    found = selectors.receipt_get(membership.family, membership, receipt_id)
    if str(found.expense.public_id) != expense_id:
        raise Http404
    return attachment_response(found.stored_name, found.original_name, found.media_type)


RECEIPTS = Multipart({"receipts": file_list(MAX_RECEIPTS)}, required=["receipts"])


@router.post(
    "/families/{family_id}/expenses/{expense_id}/receipts",
    response={201: ExpenseOut},
    summary="Add receipts (photos or PDFs, multipart field “receipts”, ten per expense at most)",
    openapi_extra=RECEIPTS.openapi(),
)
def receipt_add(request: HttpRequest, family_id: str, expense_id: str) -> Status[ExpenseOut]:
    # The multipart body is read by hand, after tenancy: an outsider learns nothing from it.
    membership = _writer(request, family_id)
    family = membership.family
    expense = _expense(family, membership, expense_id)
    uploads = RECEIPTS.read(request).files["receipts"]
    limit = files.max_bytes()
    read = [services.Upload(u.name or "receipt", u.read(limit + 1)) for u in uploads]
    services.receipt_add(family=family, actor=actor(request), expense=expense, uploads=read)
    return Status(201, _expense_full(family, expense))


@router.post(
    "/families/{family_id}/expenses/{expense_id}/correct",
    response={201: ExpenseOut},
    summary="Correct an expense (a new version that replaces it)",
)
def expense_correct(
    request: HttpRequest, family_id: str, expense_id: str, payload: ExpenseCorrectionIn
) -> Status[ExpenseOut]:
    membership = _writer(request, family_id)
    family = membership.family
    new = services.expense_correct(
        family=family,
        actor=actor(request),
        expense=_expense(family, membership, expense_id),
        description=payload.description,
        category=payload.category,
        amount=payload.amount,
        currency=payload.currency,
        date=payload.date,
        children=_children(family, payload.children) if payload.children is not None else None,
        paid_by=_member(family, payload.paid_by, "paid_by") if payload.paid_by else None,
        split=_percents(family, payload.split, "split") if payload.split is not None else None,
        note=payload.note,
        reason=payload.reason,
    )
    return Status(201, _expense_full(family, new))


# ---- consent before spending -------------------------------------------------------------------


class ConsentIn(Schema):
    description: Annotated[str, Text(200, required=True)]
    category: CategoryKey
    amount: Amount
    currency: CurrencyCode | None = None


class ConsentAnswerIn(Schema):
    reason: Annotated[str, Text(2000)] = ""


class ConsentOut(Schema):
    id: uuid.UUID
    description: str
    category: str
    amount: str
    currency: str
    requested_by: uuid.UUID
    status: str
    reason: str
    expense: uuid.UUID | None


def _consent_out(consent: Preapproval) -> ConsentOut:
    return ConsentOut(
        id=consent.public_id,
        description=consent.description,
        category=consent.category,
        amount=money.format_plain(consent.amount_minor, consent.currency),
        currency=consent.currency,
        requested_by=consent.requested_by.public_id,
        status=consent.status,
        reason=consent.reason,
        expense=consent.expense.public_id if consent.expense else None,
    )


@router.get(
    "/families/{family_id}/expense-consents",
    response=list[ConsentOut],
    summary="Requests for consent before spending",
)
def consent_list(request: HttpRequest, family_id: str) -> list[ConsentOut]:
    membership = family_membership(request, family_id)
    return [
        _consent_out(c) for c in selectors.preapproval_list(membership.family, membership)[:200]
    ]


@router.post(
    "/families/{family_id}/expense-consents",
    response={201: ConsentOut},
    summary="Ask the other parent's consent before spending above a limit",
)
def consent_request(request: HttpRequest, family_id: str, payload: ConsentIn) -> Status[ConsentOut]:
    membership = _writer(request, family_id)
    consent = services.preapproval_request(
        family=membership.family,
        actor=actor(request),
        description=payload.description,
        category=payload.category,
        amount=payload.amount,
        currency=payload.currency,
    )
    return Status(201, _consent_out(consent))


def _consent_answer(
    request: HttpRequest, family_id: str, consent_id: str, give: bool
) -> ConsentOut:
    membership = _writer(request, family_id)
    family = membership.family
    consent = services.preapproval_answer(
        family=family,
        actor=actor(request),
        preapproval=get_for_family(Preapproval, family, public_id=consent_id),
        give=give,
        reason=_optional_text(request, "reason"),
    )
    return _consent_out(
        Preapproval.objects.select_related("requested_by", "expense").get(pk=consent.pk)
    )


@router.post(
    "/families/{family_id}/expense-consents/{consent_id}/give",
    response=ConsentOut,
    summary="Give consent",
    openapi_extra=_optional_body(ConsentAnswerIn),
)
def consent_give(request: HttpRequest, family_id: str, consent_id: str) -> ConsentOut:
    return _consent_answer(request, family_id, consent_id, True)


@router.post(
    "/families/{family_id}/expense-consents/{consent_id}/refuse",
    response=ConsentOut,
    summary="Refuse consent (a reason is required)",
    openapi_extra=_optional_body(ConsentAnswerIn),
)
def consent_refuse(request: HttpRequest, family_id: str, consent_id: str) -> ConsentOut:
    return _consent_answer(request, family_id, consent_id, False)


# ---- payments -----------------------------------------------------------------------------------


@router.get(
    "/families/{family_id}/payments", response=list[PaymentOut], summary="Payments between parents"
)
def payment_list(request: HttpRequest, family_id: str) -> list[PaymentOut]:
    membership = family_membership(request, family_id)
    rows = selectors.payment_list(membership.family, membership).prefetch_related(
        "allocations__expense"
    )[:500]
    return [_payment_out(p) for p in rows]


@router.post(
    "/families/{family_id}/payments", response={201: PaymentOut}, summary="Record a payment"
)
def payment_record(request: HttpRequest, family_id: str, payload: PaymentIn) -> Status[PaymentOut]:
    membership = _writer(request, family_id)
    family = membership.family
    expenses = None
    if payload.expenses is not None:
        found = {
            e.public_id: e
            for e in Expense.objects.filter(family=family, public_id__in=payload.expenses)
        }
        if len(found) != len(set(payload.expenses)):
            raise ServiceError(_("Choose expenses of this family."), field="expenses")
        expenses = [found[i] for i in dict.fromkeys(payload.expenses)]
    payment = services.payment_record(
        family=family,
        actor=actor(request),
        payee=_member(family, payload.to, "to"),
        amount=payload.amount,
        currency=payload.currency,
        date=payload.date,
        method=payload.method,
        app_name=payload.app_name,
        reference=payload.reference,
        note=payload.note,
        expenses=expenses,
    )
    return Status(201, _payment_full(family, payment))


@router.post(
    "/families/{family_id}/payments/settle-up",
    response={201: PaymentOut},
    summary="Record a payment of exactly what you owe",
)
def settle_up(request: HttpRequest, family_id: str, payload: SettleUpIn) -> Status[PaymentOut]:
    membership = _writer(request, family_id)
    payment = services.settle_up(
        family=membership.family,
        actor=actor(request),
        currency=payload.currency,
        date=payload.date,
        method=payload.method,
        app_name=payload.app_name,
        reference=payload.reference,
    )
    return Status(201, _payment_full(membership.family, payment))


def _payment_answer(
    request: HttpRequest,
    family_id: str,
    payment_id: str,
    service: Callable[..., Payment],
    **arguments: Any,
) -> PaymentOut:
    """The one shape of every answer to a payment, like `_expense_answer`."""
    membership = _writer(request, family_id)
    family = membership.family
    payment = selectors.payment_get(family, membership, payment_id)
    return _payment_full(
        family, service(family=family, actor=actor(request), payment=payment, **arguments)
    )


@router.get(
    "/families/{family_id}/payments/{payment_id}", response=PaymentOut, summary="One payment"
)
def payment_get(request: HttpRequest, family_id: str, payment_id: str) -> PaymentOut:
    membership = family_membership(request, family_id)
    family = membership.family
    return _payment_full(family, selectors.payment_get(family, membership, payment_id))


@router.post(
    "/families/{family_id}/payments/{payment_id}/confirm",
    response=PaymentOut,
    summary="Confirm a payment you received",
)
def payment_confirm(request: HttpRequest, family_id: str, payment_id: str) -> PaymentOut:
    return _payment_answer(request, family_id, payment_id, services.payment_confirm)


@router.post(
    "/families/{family_id}/payments/{payment_id}/dispute",
    response=PaymentOut,
    summary="Dispute a payment (a reason is required)",
)
def payment_dispute(
    request: HttpRequest, family_id: str, payment_id: str, payload: ReasonIn
) -> PaymentOut:
    return _payment_answer(
        request, family_id, payment_id, services.payment_dispute, reason=payload.reason
    )


# ---- settings and categories --------------------------------------------------------------------


class ExpenseSettingsIn(Schema):
    default_currency: CurrencyCode
    respond_by_days: int = Field(description="Days the other parent has to answer (1 to 90).")


class ExpenseSettingsOut(Schema):
    default_currency: str
    respond_by_days: int


class CategoryIn(Schema):
    name: Annotated[str, Text(60, required=True)]


class CategoryOut(Schema):
    key: str = Field(description="What expenses, rules and limits name the category by.")
    name: str
    built_in: bool


def _settings_out(found: ExpenseSettings) -> ExpenseSettingsOut:
    return ExpenseSettingsOut(
        default_currency=found.default_currency, respond_by_days=found.respond_by_days
    )


@router.get(
    "/families/{family_id}/expense-settings",
    response=ExpenseSettingsOut,
    summary="The family's default currency and how long a parent has to answer a request",
)
def settings_get(request: HttpRequest, family_id: str) -> ExpenseSettingsOut:
    membership = family_membership(request, family_id)
    selectors.require_full_view(membership)
    return _settings_out(selectors.settings_get(membership.family))


@router.put(
    "/families/{family_id}/expense-settings",
    response=ExpenseSettingsOut,
    summary="Change the family's money settings (either parent)",
)
def settings_update(
    request: HttpRequest, family_id: str, payload: ExpenseSettingsIn
) -> ExpenseSettingsOut:
    membership = _writer(request, family_id)
    return _settings_out(
        services.settings_update(
            family=membership.family,
            actor=actor(request),
            default_currency=payload.default_currency,
            respond_by_days=payload.respond_by_days,
        )
    )


@router.get(
    "/families/{family_id}/expense-categories",
    response=list[CategoryOut],
    summary="The categories the caller may see: built-in ones first, then the family's own",
)
def category_list(request: HttpRequest, family_id: str) -> list[CategoryOut]:
    membership = family_membership(request, family_id)
    visible = selectors.require_money_view(membership)
    return [
        CategoryOut(key=option.key, name=option.name, built_in=option.built_in)
        for option in selectors.category_list(membership.family)
        if visible is None or option.key in visible
    ]


@router.post(
    "/families/{family_id}/expense-categories",
    response={201: CategoryOut},
    summary="Add a category of the family's own",
)
def category_add(request: HttpRequest, family_id: str, payload: CategoryIn) -> Status[CategoryOut]:
    membership = _writer(request, family_id)
    category = services.category_add(
        family=membership.family, actor=actor(request), name=payload.name
    )
    return Status(201, CategoryOut(key=category.key, name=category.name, built_in=False))


# ---- split rules --------------------------------------------------------------------------------


@router.get(
    "/families/{family_id}/expense-rules",
    response=list[SplitAgreementOut],
    summary="Split rule proposals and agreements",
)
def agreement_list(request: HttpRequest, family_id: str) -> list[SplitAgreementOut]:
    membership = family_membership(request, family_id)
    selectors.require_full_view(membership)
    return [_agreement_out(a) for a in selectors.agreement_list(membership.family)[:200]]


@router.post(
    "/families/{family_id}/expense-rules",
    response={201: SplitAgreementOut},
    summary="Propose split rules",
)
def agreement_propose(
    request: HttpRequest, family_id: str, payload: AgreementIn
) -> Status[SplitAgreementOut]:
    membership = _writer(request, family_id)
    family = membership.family
    rules = [
        services.RuleSpec(
            percents=_percents(family, rule.split, "rules"),
            category=rule.category,
            child=_children(family, [rule.child])[0] if rule.child else None,
        )
        for rule in payload.rules
    ]
    limits = [services.LimitSpec(lim.category, lim.currency, lim.amount) for lim in payload.limits]
    agreement = services.agreement_propose(
        family=family,
        actor=actor(request),
        effective_from=payload.effective_from,
        rules=rules,
        limits=limits,
        note=payload.note,
        respond_by=payload.respond_by,
    )
    return Status(201, _agreement_out(agreement))


def _agreement(family: Family, agreement_id: str) -> SplitAgreement:
    return get_for_family(
        SplitAgreement.objects.select_related("proposed_by"), family, public_id=agreement_id
    )


def _decide(
    request: HttpRequest, family_id: str, agreement_id: str, accept: bool, response: str
) -> SplitAgreementOut:
    membership = _writer(request, family_id)
    family = membership.family
    agreement = services.agreement_decide(
        family=family,
        actor=actor(request),
        agreement=_agreement(family, agreement_id),
        accept=accept,
        response=response,
    )
    return _agreement_out(agreement)


@router.post(
    "/families/{family_id}/expense-rules/{agreement_id}/accept",
    response=SplitAgreementOut,
    openapi_extra=_optional_body(ExpenseDecisionIn),
    summary="Accept proposed split rules",
)
def agreement_accept(request: HttpRequest, family_id: str, agreement_id: str) -> SplitAgreementOut:
    return _decide(request, family_id, agreement_id, True, _optional_text(request, "response"))


@router.post(
    "/families/{family_id}/expense-rules/{agreement_id}/decline",
    response=SplitAgreementOut,
    openapi_extra=_optional_body(ExpenseDecisionIn),
    summary="Decline proposed split rules",
)
def agreement_decline(request: HttpRequest, family_id: str, agreement_id: str) -> SplitAgreementOut:
    return _decide(request, family_id, agreement_id, False, _optional_text(request, "response"))


@router.post(
    "/families/{family_id}/expense-rules/{agreement_id}/withdraw",
    response=SplitAgreementOut,
    summary="Withdraw your proposed split rules",
)
def agreement_withdraw(
    request: HttpRequest, family_id: str, agreement_id: str
) -> SplitAgreementOut:
    membership = _writer(request, family_id)
    family = membership.family
    agreement = services.agreement_withdraw(
        family=family, actor=actor(request), agreement=_agreement(family, agreement_id)
    )
    return _agreement_out(agreement)
