"""Writes for shared expenses: settings, categories, split agreements, expenses and their
answers, corrections, receipts, payments, recurring expenses, and the periodic jobs.

Every service takes the family and the actor, checks the actor's role (parents write; everyone
else is refused), runs in one transaction under the family lock (then the rows it changes,
`select_for_update(no_key=True)`), appends to the family record and notifies inside the
transaction. Amounts come in as Decimal and are stored as integers of the currency's minor unit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from dateutil import rrule as rrules
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coparent.accounts.models import User
from coparent.core.errors import Conflict, ServiceError
from coparent.core.inputs import day_in_range, text_problem
from coparent.expenses import links, selectors
from coparent.expenses.models import (
    ANSWERABLE,
    MAX_RECEIPTS,
    OPEN,
    AgreementStatus,
    BuiltInCategory,
    Category,
    CategoryShare,
    ConsentStatus,
    Expense,
    ExpenseEvent,
    ExpenseSettings,
    ExpenseShare,
    ExpenseStatus,
    Payment,
    PaymentAllocation,
    PaymentMethod,
    PaymentStatus,
    Preapproval,
    PreapprovalLimit,
    Receipt,
    RecurringExpense,
    SplitAgreement,
    SplitRule,
    SplitSource,
)
from coparent.families.models import Child, Family, Membership, Role
from coparent.families.services import require_parent
from coparent.ledger import money
from coparent.ledger.allocate import Open, allocate
from coparent.ledger.split import SplitError, check_percents, split_by_children
from coparent.messaging import files
from coparent.messaging.services import Upload
from coparent.notifications.models import Kind
from coparent.notifications.selectors import parents_of
from coparent.notifications.services import Detail, Phrase, formatted, notify
from coparent.records.services import family_lock, record_append
from coparent.tlog.entry import content_hash, new_salt

MAX_RESPOND_BY_DAYS = 90
MAX_RECURRING_CATCH_UP = 60  # occurrences made in one run for one schedule (a worker was down)
RECURRING_FREQUENCIES = {rrules.DAILY, rrules.WEEKLY, rrules.MONTHLY, rrules.YEARLY}

__all__ = [
    "LimitSpec",
    "RuleSpec",
    "Upload",
    "agreement_decide",
    "agreement_propose",
    "agreement_withdraw",
    "category_add",
    "category_share_set",
    "deadlines_mark",
    "expense_approve",
    "expense_correct",
    "expense_create",
    "expense_dispute",
    "expense_reply",
    "expense_withdraw",
    "payment_confirm",
    "payment_dispute",
    "payment_record",
    "preapproval_answer",
    "preapproval_request",
    "receipt_add",
    "recurring_create",
    "recurring_run",
    "recurring_stop",
    "settings_update",
    "settle_up",
]

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class RuleSpec:
    """One line of a proposed agreement: `category=""` and `child=None` is the default split."""

    percents: Mapping[Membership, Decimal]
    category: str = ""
    child: Child | None = None


@dataclass(frozen=True)
class LimitSpec:
    category: str
    currency: str
    amount: Decimal | str


@dataclass
class _Draft:
    """An expense's checked fields, before it is written (a creation, a correction or a
    recurring occurrence)."""

    description: str
    category: str
    amount_minor: int
    currency: str
    date: dt.date
    children: list[Child]
    payer: Membership
    note: str = ""
    custom: dict[Membership, Decimal] | None = None
    uploads: list[files.CleanFile] = field(default_factory=list)
    upload_names: list[str] = field(default_factory=list)


# ---- checks -------------------------------------------------------------------------------------


def settings_of(family: Family) -> ExpenseSettings:
    """The family's settings row, or the defaults (unsaved) when it has none yet."""
    return ExpenseSettings.objects.filter(family=family).first() or ExpenseSettings(family=family)


def category_keys(family: Family) -> set[str]:
    return set(BuiltInCategory.values) | set(
        Category.objects.filter(family=family).values_list("key", flat=True)
    )


def _text(value: str, limit: int, field_name: str, *, required: bool = False) -> str:
    # Checked before stripping: str.strip() takes U+001C-U+001F and U+0085 for spaces.
    problem = text_problem(value or "")
    if problem:
        raise ServiceError(problem, field=field_name)
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(_("This cannot be empty."), field=field_name)
    if len(value) > limit:
        raise ServiceError(_("Write at most %(n)d characters.") % {"n": limit}, field=field_name)
    return value


def _currency(code: str, field_name: str = "currency") -> str:
    code = (code or "").strip().upper()
    if not money.is_currency(code):
        raise ServiceError(
            _("“%(code)s” is not a currency code we know. Use an ISO 4217 code such as USD or EUR.")
            % {"code": code[:8]},
            field=field_name,
        )
    return code


def _minor(amount: Decimal | str, currency: str, field_name: str = "amount") -> int:
    """A positive amount in minor units, or a clear refusal."""
    try:
        minor = money.to_minor(amount, currency)
    except money.MoneyError as error:
        raise ServiceError(
            _("Give the amount as a number with at most %(n)d decimals, e.g. %(example)s.")
            % {"n": money.digits(currency), "example": money.format_plain(12345, currency)}
            if "decimal" in str(error)
            else _("Give the amount as a number, e.g. %(example)s.")
            % {"example": money.format_plain(12345, currency)},
            field=field_name,
        ) from None
    if minor <= 0:
        raise ServiceError(_("The amount must be more than zero."), field=field_name)
    return minor


def _day(value: dt.date, field_name: str = "date") -> dt.date:
    if not day_in_range(value):
        raise ServiceError(_("Choose a date between 1970 and 2200."), field=field_name)
    return value


def _category(family: Family, key: str) -> str:
    if key not in category_keys(family):
        raise ServiceError(_("Choose a category from the list."), field="category")
    return key


def _parents(family: Family) -> list[Membership]:
    return list(
        Membership.objects.active().filter(family=family, role=Role.PARENT).select_related("user")
    )


def _a_parent(family: Family, member: Membership, field_name: str) -> Membership:
    if member.family_id != family.pk or member.role != Role.PARENT or not member.is_active():
        raise ServiceError(_("Choose one of the family's parents."), field=field_name)
    return member


def _children(family: Family, children: Iterable[Child]) -> list[Child]:
    found = list(dict.fromkeys(children))
    if any(child.family_id != family.pk for child in found):
        raise ServiceError(_("Choose the family's children."), field="children")
    return found


def _check_split(family: Family, percents: Mapping[Membership, Decimal], field_name: str) -> None:
    for member in percents:
        _a_parent(family, member, field_name)
    try:
        check_percents({str(m.public_id): p for m, p in percents.items()})
    except SplitError as error:
        raise ServiceError(_split_message(error), field=field_name) from None


def _split_message(error: SplitError) -> str:
    text = str(error)
    if "100" in text and "add up" in text:
        return _("The shares must add up to exactly 100%.")
    if "two decimals" in text:
        return _("Percentages have at most two decimals, e.g. 33.33.")
    return _("Each share is a percentage between 0 and 100.")


def _hash_text(text: str) -> tuple[bytes, str]:
    salt = new_salt()
    return salt, content_hash(salt, text.encode("utf-8"))


def _clean_uploads(uploads: Sequence[Upload], already: int = 0) -> list[files.CleanFile]:
    if already + len(uploads) > MAX_RECEIPTS:
        raise ServiceError(
            _("An expense has at most %(n)d receipts.") % {"n": MAX_RECEIPTS}, field="receipts"
        )
    cleaned = []
    for upload in uploads:
        try:
            cleaned.append(files.clean_upload(upload.data))
        except ServiceError as error:
            raise ServiceError(error.message, field="receipts") from None
    return cleaned


# ---- settings and categories --------------------------------------------------------------------


@transaction.atomic
def settings_update(
    *, family: Family, actor: User, default_currency: str, respond_by_days: int
) -> ExpenseSettings:
    """Either parent sets the family's default currency and how many days the other parent has
    to answer a request (1 to 90). Requests already made keep their date."""
    require_parent(family, actor)
    currency = _currency(default_currency, "default_currency")
    if not 1 <= respond_by_days <= MAX_RESPOND_BY_DAYS:
        raise ServiceError(
            _("Give between 1 and %(n)d days.") % {"n": MAX_RESPOND_BY_DAYS},
            field="respond_by_days",
        )
    family_lock(family)
    found, _created = ExpenseSettings.objects.update_or_create(
        family=family,
        defaults={
            "default_currency": currency,
            "respond_by_days": respond_by_days,
            "updated_at": timezone.now(),
            "updated_by": actor,
        },
    )
    record_append(
        family=family,
        actor=actor,
        kind="expense.settings_changed",
        fields={"currency": currency, "respond_by_days": respond_by_days},
    )
    return found


@transaction.atomic
def category_add(*, family: Family, actor: User, name: str) -> Category:
    """A parent adds a category of the family's own ("Orthodontics")."""
    require_parent(family, actor)
    name = _text(name, 60, "name", required=True)
    key = slugify(name)[:40] or "category"
    family_lock(family)
    if key in category_keys(family) or any(
        str(label).casefold() == name.casefold() for label in BuiltInCategory.labels
    ):
        raise ServiceError(_("The family already has a category of that name."), field="name")
    category = Category.objects.create(family=family, key=key, name=name, created_by=actor)
    record_append(
        family=family,
        actor=actor,
        kind="expense.category_added",
        fields={"category": key, "id": str(category.public_id)},
    )
    return category


@transaction.atomic
def category_share_set(
    *, family: Family, actor: User, member: Membership, categories: Iterable[str]
) -> list[str]:
    """A parent chooses which categories a caregiver may see (their expenses only: never the
    balance or payments). An empty list shares nothing."""
    require_parent(family, actor)
    if member.family_id != family.pk or member.role != Role.CAREGIVER:
        raise ServiceError(_("Choose a caregiver of this family."), field="member")
    wanted = sorted(set(categories))
    known = category_keys(family)
    if any(key not in known for key in wanted):
        raise ServiceError(_("Choose categories from the list."), field="categories")
    family_lock(family)
    CategoryShare.objects.filter(family=family, member=member).exclude(category__in=wanted).delete()
    have = set(
        CategoryShare.objects.filter(family=family, member=member).values_list(
            "category", flat=True
        )
    )
    CategoryShare.objects.bulk_create(
        [
            CategoryShare(family=family, member=member, category=key, shared_by=actor)
            for key in wanted
            if key not in have
        ]
    )
    record_append(
        family=family,
        actor=actor,
        kind="expense.shared",
        fields={"member": str(member.public_id), "categories": tuple(wanted)},
    )
    return wanted


# ---- split agreements ---------------------------------------------------------------------------


@transaction.atomic
def agreement_propose(
    *,
    family: Family,
    actor: User,
    effective_from: dt.date,
    rules: Sequence[RuleSpec],
    limits: Sequence[LimitSpec] = (),
    note: str = "",
    respond_by: dt.datetime | None = None,
) -> SplitAgreement:
    """A parent proposes split rules (a default split, and overrides per category and/or child)
    and pre-approval limits, in force from `effective_from` once the other parent accepts. A
    newer proposal withdraws the family's pending one."""
    require_parent(family, actor)
    now = timezone.now()
    _day(effective_from, "effective_from")
    note = _text(note, 1000, "note")
    if len(_parents(family)) < 2:
        raise ServiceError(_("Split rules need both parents: invite the other parent first."))
    if respond_by is None:
        respond_by = now + dt.timedelta(days=settings_of(family).respond_by_days)
    elif respond_by <= now:
        raise ServiceError(_("The answer date must be in the future."), field="respond_by")
    known = category_keys(family)
    seen: set[tuple[str, int | None]] = set()
    for rule in rules:
        if rule.category and rule.category not in known:
            raise ServiceError(_("Choose categories from the list."), field="rules")
        if rule.child is not None and rule.child.family_id != family.pk:
            raise ServiceError(_("Choose the family's children."), field="rules")
        key = (rule.category, rule.child.pk if rule.child else None)
        if key in seen:
            raise ServiceError(_("Give one split per category and child, not two."), field="rules")
        seen.add(key)
        _check_split(family, rule.percents, "rules")
    if ("", None) not in seen:
        raise ServiceError(_("Give the default split (for every category)."), field="rules")
    checked_limits = []
    for limit in limits:
        if limit.category not in known:
            raise ServiceError(_("Choose categories from the list."), field="limits")
        currency = _currency(limit.currency, "limits")
        checked_limits.append((limit.category, currency, _minor(limit.amount, currency, "limits")))
    if len({(c, cur) for c, cur, _m in checked_limits}) != len(checked_limits):
        raise ServiceError(_("Give one limit per category and currency."), field="limits")
    family_lock(family)
    for old in SplitAgreement.objects.select_for_update(no_key=True).filter(
        family=family, status=AgreementStatus.PROPOSED
    ):
        old.status = AgreementStatus.WITHDRAWN
        old.decided_at = now
        old.save(update_fields=["status", "decided_at"])
    agreement = SplitAgreement.objects.create(
        family=family,
        effective_from=effective_from,
        note=note,
        proposed_by=actor,
        proposed_at=now,
        respond_by=respond_by,
    )
    SplitRule.objects.bulk_create(
        [
            SplitRule(
                family=family,
                agreement=agreement,
                category=rule.category,
                child=rule.child,
                percents={str(m.public_id): f"{p:.2f}" for m, p in rule.percents.items()},
            )
            for rule in rules
        ]
    )
    PreapprovalLimit.objects.bulk_create(
        [
            PreapprovalLimit(
                family=family, agreement=agreement, category=c, currency=cur, amount_minor=m
            )
            for c, cur, m in checked_limits
        ]
    )
    record_append(
        family=family,
        actor=actor,
        kind="expense.rules_proposed",
        fields={
            "agreement": str(agreement.public_id),
            "effective_from": effective_from.isoformat(),
            "rules": tuple(
                f"{r.category or '*'}/{r.child.public_id if r.child else '*'}="
                + ",".join(
                    f"{m.public_id}:{p:.2f}"
                    for m, p in sorted(r.percents.items(), key=lambda item: str(item[0].public_id))
                )
                for r in rules
            ),
            "limits": tuple(
                f"{c}:{money.format_plain(m, cur)} {cur}" for c, cur, m in checked_limits
            ),
        },
    )
    notify(
        family,
        parents_of(family),
        Kind.EXPENSE_RULES,
        link=links.agreement(family, agreement.public_id),
        detail=Detail(
            Phrase(
                gettext_lazy("%(name)s proposed split rules for shared expenses"),
                {"name": actor.display_name},
            ),
            Phrase(
                gettext_lazy("From %(date)s. Answer by %(deadline)s."),
                {
                    "date": formatted(effective_from, "DATE_FORMAT"),
                    "deadline": formatted(respond_by.date(), "DATE_FORMAT"),
                },
            ),
        ),
        actor=actor,
    )
    return agreement


def _their_date(moment: dt.datetime | None, user: User) -> StrOrPromise:
    """A deadline as its reader's calendar date, written their language's way."""
    if moment is None:
        return ""
    zone = zoneinfo.ZoneInfo(user.timezone or "UTC")
    return formatted(timezone.localtime(moment, zone).date(), "DATE_FORMAT")


def _locked_agreement(family: Family, agreement: SplitAgreement) -> SplitAgreement:
    family_lock(family)
    return SplitAgreement.objects.select_for_update(no_key=True).get(pk=agreement.pk, family=family)


@transaction.atomic
def agreement_decide(
    *,
    family: Family,
    actor: User,
    agreement: SplitAgreement,
    accept: bool,
    response: str = "",
) -> SplitAgreement:
    """The other parent accepts or declines proposed split rules before the answer date."""
    require_parent(family, actor)
    response = _text(response, 1000, "response")
    locked = _locked_agreement(family, agreement)
    if locked.status != AgreementStatus.PROPOSED:
        raise Conflict(_("This proposal was already answered or withdrawn."))
    if locked.respond_by <= timezone.now():
        raise Conflict(_("The answer date of this proposal has passed."))
    if locked.proposed_by_id == actor.pk:
        raise ServiceError(_("The other parent accepts or declines your proposal."))
    locked.status = AgreementStatus.ACCEPTED if accept else AgreementStatus.DECLINED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.response = response
    locked.save(update_fields=["status", "decided_by", "decided_at", "response"])
    record_append(
        family=family,
        actor=actor,
        kind="expense.rules_accepted" if accept else "expense.rules_declined",
        fields={"agreement": str(locked.public_id)},
    )
    notify(
        family,
        [locked.proposed_by],
        Kind.EXPENSE_RULES,
        link=links.agreement(family, locked.public_id),
        detail=Detail(
            Phrase(
                gettext_lazy("%(name)s accepted your split rules")
                if accept
                else gettext_lazy("%(name)s declined your split rules"),
                {"name": actor.display_name},
            ),
            response,
        ),
        actor=actor,
    )
    return locked


@transaction.atomic
def agreement_withdraw(*, family: Family, actor: User, agreement: SplitAgreement) -> SplitAgreement:
    require_parent(family, actor)
    locked = _locked_agreement(family, agreement)
    if locked.status != AgreementStatus.PROPOSED:
        raise Conflict(_("This proposal was already answered or withdrawn."))
    if locked.proposed_by_id != actor.pk:
        raise ServiceError(_("Only the parent who proposed it can withdraw it."), code="forbidden")
    locked.status = AgreementStatus.WITHDRAWN
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_at"])
    record_append(
        family=family,
        actor=actor,
        kind="expense.rules_withdrawn",
        fields={"agreement": str(locked.public_id)},
    )
    return locked


def _rule_for(rules: list[SplitRule], category: str, child: Child | None) -> dict[str, Decimal]:
    index = {(r.category, r.child_id): r.percents for r in rules}
    keys: list[tuple[str, int | None]] = []
    if child is not None:
        keys += [(category, child.pk), ("", child.pk)]
    keys += [(category, None), ("", None)]
    for key in keys:
        if key in index:
            return {member: Decimal(p) for member, p in index[key].items()}
    raise ServiceError(_("The agreed split rules have no default split."))


def _shares(family: Family, draft: _Draft) -> tuple[str, SplitAgreement | None, dict[str, int]]:
    """(source, agreement, {membership public id: minor units}) for a draft expense."""
    payer_key = str(draft.payer.public_id)
    if draft.custom is not None:
        percents = {str(m.public_id): p for m, p in draft.custom.items()}
        shares = split_by_children(draft.amount_minor, [percents], remainder_to=payer_key)
        return SplitSource.CUSTOM, None, shares
    agreement = selectors.agreement_in_force(family, draft.date)
    if agreement is None:
        parents = _parents(family)
        if draft.payer not in parents:
            parents.append(draft.payer)
        keys = sorted(str(p.public_id) for p in parents)
        # Equal shares to the hundredth of a percent; the leftover hundredth to the first key.
        each = (Decimal(100) / len(keys)).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
        percents = dict.fromkeys(keys, each)
        percents[keys[0]] += Decimal(100) - each * len(keys)
        return (
            SplitSource.NO_RULES,
            None,
            split_by_children(draft.amount_minor, [percents], remainder_to=payer_key),
        )
    rules = list(agreement.rules.all())
    per_child = [_rule_for(rules, draft.category, child) for child in draft.children] or [
        _rule_for(rules, draft.category, None)
    ]
    return (
        SplitSource.RULES,
        agreement,
        split_by_children(draft.amount_minor, per_child, remainder_to=payer_key),
    )


# ---- expenses -----------------------------------------------------------------------------------


def _draft(
    family: Family,
    *,
    description: str,
    category: str,
    amount: Decimal | str,
    currency: str,
    date: dt.date,
    children: Iterable[Child],
    payer: Membership,
    note: str,
    split: Mapping[Membership, Decimal] | None,
) -> _Draft:
    currency = _currency(currency)
    draft = _Draft(
        description=_text(description, 200, "description", required=True),
        category=_category(family, category),
        amount_minor=_minor(amount, currency),
        currency=currency,
        date=_day(date),
        children=_children(family, children),
        payer=_a_parent(family, payer, "paid_by"),
        note=_text(note, 2000, "note"),
        custom=dict(split) if split is not None else None,
    )
    if draft.custom is not None:
        _check_split(family, draft.custom, "split")
    return draft


def _store_receipts(
    family: Family,
    actor: User | None,
    expense: Expense,
    cleaned: Sequence[files.CleanFile],
    names: Sequence[str],
    stored: list[str],
) -> None:
    for clean, name in zip(cleaned, names, strict=True):
        salt = new_salt()
        stored.append(files.store(str(family.public_id), clean.data))
        receipt = Receipt.objects.create(
            family=family,
            expense=expense,
            stored_name=stored[-1],
            original_name=files.safe_name(name, clean.media_type),
            media_type=clean.media_type,
            size=len(clean.data),
            salt=salt,
            sha256=hashlib.sha256(clean.data).hexdigest(),
            added_by=actor or expense.created_by,
        )
        record_append(
            family=family,
            actor=actor,
            kind="expense.receipt_added",
            fields={
                "expense": str(expense.public_id),
                "receipt": str(receipt.public_id),
                "content": content_hash(salt, clean.data),
                "media_type": clean.media_type,
            },
        )


def _event(
    expense: Expense,
    kind: str,
    actor: User | None,
    *,
    amount_minor: int | None = None,
    text: str = "",
) -> tuple[ExpenseEvent, dict[str, Any]]:
    """The history line, and the record fields that go with it (the text only as a salted
    hash; the export discloses it)."""
    salt, digest = _hash_text(text) if text else (b"", "")
    event = ExpenseEvent.objects.create(
        family_id=expense.family_id,
        expense=expense,
        kind=kind,
        actor=actor,
        amount_minor=amount_minor,
        text=text,
        salt=salt,
    )
    fields: dict[str, Any] = {"expense": str(expense.public_id), "event": str(event.public_id)}
    if digest:
        fields["content"] = digest
    return event, fields


def _make(
    family: Family,
    *,
    actor: User,
    record_actor: User | None,
    draft: _Draft,
    settings: ExpenseSettings,
    supersedes: Expense | None = None,
    recurring: RecurringExpense | None = None,
    occurrence_on: dt.date | None = None,
    stored: list[str],
) -> Expense:
    """Write one expense version with its shares, request, history line and record entries.
    The caller holds the family lock."""
    source, agreement, shares = _shares(family, draft)
    members = {
        str(m.public_id): m
        for m in Membership.objects.filter(family=family, public_id__in=list(shares))
    }
    payer_key = str(draft.payer.public_id)
    owed = {key: amount for key, amount in shares.items() if key != payer_key and amount > 0}
    debtor = members[next(iter(sorted(owed)))] if owed else None
    limit = None
    if agreement is not None:
        limit = next(
            (
                lim.amount_minor
                for lim in agreement.limits.all()
                if lim.category == draft.category and lim.currency == draft.currency
            ),
            None,
        )
    consent = None
    if limit is not None and draft.amount_minor > limit and supersedes is None:
        consent = (
            Preapproval.objects.select_for_update(no_key=True)
            .filter(
                family=family,
                requested_by=draft.payer,
                status=ConsentStatus.GIVEN,
                category=draft.category,
                currency=draft.currency,
                amount_minor__gte=draft.amount_minor,
            )
            .order_by("requested_at", "id")
            .first()
        )
    elif supersedes is not None and Preapproval.objects.filter(expense=supersedes).exists():
        consent = Preapproval.objects.select_for_update(no_key=True).get(expense=supersedes)
        if consent.amount_minor < draft.amount_minor:
            consent = None  # corrected above what was consented to
    now = timezone.now()
    expense = Expense.objects.create(
        family=family,
        description=draft.description,
        category=draft.category,
        date=draft.date,
        amount_minor=draft.amount_minor,
        currency=draft.currency,
        paid_by=draft.payer,
        note=draft.note,
        split_source=source,
        agreement=agreement,
        over_limit=limit is not None and draft.amount_minor > limit and consent is None,
        limit_minor=limit,
        debtor=debtor,
        requested_minor=sum(owed.values()),
        status=ExpenseStatus.REQUESTED if debtor else ExpenseStatus.NOT_SHARED,
        respond_by=now + dt.timedelta(days=settings.respond_by_days) if debtor else None,
        supersedes=supersedes,
        version=supersedes.version + 1 if supersedes else 1,
        recurring=recurring,
        occurrence_on=occurrence_on,
        created_by=actor,
        created_at=now,
    )
    if draft.children:
        expense.children.set(draft.children, through_defaults={"family_id": expense.family_id})
    if consent is not None:
        consent.expense = expense
        consent.status = ConsentStatus.USED
        consent.save(update_fields=["expense", "status"])
    total = draft.amount_minor
    ExpenseShare.objects.bulk_create(
        [
            ExpenseShare(
                family=family,
                expense=expense,
                member=members[key],
                amount_minor=amount,
                percent=(Decimal(amount) * 100 / total).quantize(Decimal("0.01")),
            )
            for key, amount in sorted(shares.items())
        ]
    )
    _event_row, fields = _event(
        expense, "corrected" if supersedes else "created", record_actor, text=draft.note
    )
    record_append(
        family=family,
        actor=record_actor,
        kind="expense.corrected" if supersedes else "expense.created",
        fields={
            **fields,
            "version": expense.version,
            **({"replaces": str(supersedes.public_id)} if supersedes else {}),
            **({"recurring": str(recurring.public_id)} if recurring else {}),
            "date": draft.date.isoformat(),
            "category": draft.category,
            "amount": money.format_plain(draft.amount_minor, draft.currency),
            "currency": draft.currency,
            "paid_by": payer_key,
            "split": source,
            "shares": tuple(
                f"{key}:{money.format_plain(amount, draft.currency)}"
                for key, amount in sorted(shares.items())
            ),
            "children": tuple(sorted(str(c.public_id) for c in draft.children)),
            "over_limit": "yes" if expense.over_limit else "no",
            **({"consent": str(consent.public_id)} if consent is not None else {}),
        },
    )
    _store_receipts(family, record_actor, expense, draft.uploads, draft.upload_names, stored)
    if debtor is not None:
        notify(
            family,
            [debtor.user],
            Kind.EXPENSE_REQUEST,
            link=links.expense(family, expense.public_id),
            detail=Detail(
                Phrase(
                    gettext_lazy("%(name)s corrected an expense and asks for your share")
                    if supersedes
                    else gettext_lazy("%(name)s asks for your share of an expense"),
                    {"name": draft.payer.user.display_name},
                ),
                Phrase(
                    gettext_lazy(
                        "%(description)s: %(share)s %(currency)s of %(amount)s. Answer by %(date)s."
                    ),
                    {
                        "description": draft.description,
                        "share": money.format_plain(expense.requested_minor, draft.currency),
                        "amount": money.format_plain(draft.amount_minor, draft.currency),
                        "currency": draft.currency,
                        "date": _their_date(expense.respond_by, debtor.user),
                    },
                ),
            ),
            actor=record_actor,
        )
    return expense


def _remove_on_failure(stored: list[str]) -> None:
    for name in stored:
        files.remove(name)


def expense_create(
    *,
    family: Family,
    actor: User,
    description: str,
    category: str,
    amount: Decimal | str,
    currency: str | None = None,
    date: dt.date,
    children: Iterable[Child] = (),
    paid_by: Membership | None = None,
    split: Mapping[Membership, Decimal] | None = None,
    note: str = "",
    receipts: Sequence[Upload] = (),
) -> Expense:
    """A parent records an expense (paid by them unless `paid_by` says the other parent) and,
    when someone else has a share, asks for it: shares follow the rules in force on `date`,
    or `split` ({parent: percent}) proposed for this one expense. Receipts (at most ten) are
    cleaned like message attachments and hashed into the record."""
    member = require_parent(family, actor)
    settings = settings_of(family)
    draft = _draft(
        family,
        description=description,
        category=category,
        amount=amount,
        currency=currency or settings.default_currency,
        date=date,
        children=children,
        payer=paid_by or member,
        note=note,
        split=split,
    )
    # Files are cleaned before the lock: re-encoding a photo is slow and needs no lock.
    draft.uploads = _clean_uploads(receipts)
    draft.upload_names = [u.name for u in receipts]
    stored: list[str] = []
    try:
        with transaction.atomic():
            family_lock(family)
            return _make(
                family,
                actor=actor,
                record_actor=actor,
                draft=draft,
                settings=settings,
                stored=stored,
            )
    except BaseException:
        _remove_on_failure(stored)  # the rows rolled back; leave no orphan file behind
        raise


def receipt_add(
    *, family: Family, actor: User, expense: Expense, uploads: Sequence[Upload]
) -> list[Receipt]:
    """Either parent adds receipts to the current version of an expense (ten at most)."""
    require_parent(family, actor)
    stored: list[str] = []
    try:
        with transaction.atomic():
            family_lock(family)
            locked = Expense.objects.select_for_update(no_key=True).get(
                pk=expense.pk, family=family
            )
            if not locked.is_current:
                raise Conflict(_("This expense was corrected; add receipts to the new version."))
            have = Receipt.objects.filter(expense=locked).count()
            cleaned = _clean_uploads(uploads, have)
            _store_receipts(family, actor, locked, cleaned, [u.name for u in uploads], stored)
            return list(Receipt.objects.filter(expense=locked, stored_name__in=stored))
    except BaseException:
        _remove_on_failure(stored)
        raise


def _locked_expense(family: Family, expense: Expense) -> Expense:
    family_lock(family)
    locked = (
        Expense.objects.select_for_update(no_key=True, of=("self",))
        .select_related("debtor__user", "paid_by__user")
        .get(pk=expense.pk, family=family)
    )
    if not locked.is_current:
        raise Conflict(_("This expense was corrected; see its newest version."))
    return locked


def _as_debtor(locked: Expense, actor: User) -> None:
    if locked.debtor is None or locked.debtor.user_id != actor.pk:
        raise ServiceError(
            _("Only the parent asked for a share answers this request."), code="forbidden"
        )
    if locked.status not in ANSWERABLE:
        raise Conflict(_("This request was already answered, withdrawn or corrected."))


def _tell_payer(
    family: Family, locked: Expense, actor: User, title: StrOrPromise, body: str
) -> None:
    notify(
        family,
        [locked.paid_by.user, locked.created_by],
        Kind.EXPENSE_ANSWER,
        link=links.expense(family, locked.public_id),
        detail=Detail(Phrase(title, {"name": actor.display_name}), body),
        actor=actor,
    )


@transaction.atomic
def expense_approve(
    *,
    family: Family,
    actor: User,
    expense: Expense,
    amount: Decimal | str | None = None,
    reason: str = "",
) -> Expense:
    """The parent asked approves their whole share, or part of it: `amount` below the share
    with a `reason`. Overdue requests can still be answered."""
    require_parent(family, actor)
    reason = _text(reason, 2000, "reason")
    locked = _locked_expense(family, expense)
    _as_debtor(locked, actor)
    approved = locked.requested_minor
    if amount is not None:
        approved = _minor(amount, locked.currency)
        if approved > locked.requested_minor:
            raise ServiceError(
                _("You can approve at most your share, %(share)s %(currency)s.")
                % {
                    "share": money.format_plain(locked.requested_minor, locked.currency),
                    "currency": locked.currency,
                },
                field="amount",
            )
    partly = approved < locked.requested_minor
    if partly and not reason:
        raise ServiceError(_("Say why you approve only part of it."), field="reason")
    locked.status = ExpenseStatus.PARTLY_APPROVED if partly else ExpenseStatus.APPROVED
    locked.approved_minor = approved
    locked.answer_reason = reason
    locked.answered_by = actor
    locked.answered_at = timezone.now()
    locked.save(
        update_fields=["status", "approved_minor", "answer_reason", "answered_by", "answered_at"]
    )
    _row, fields = _event(
        locked,
        "partly_approved" if partly else "approved",
        actor,
        amount_minor=approved,
        text=reason,
    )
    record_append(
        family=family,
        actor=actor,
        kind="expense.partly_approved" if partly else "expense.approved",
        fields={
            **fields,
            "amount": money.format_plain(approved, locked.currency),
            "currency": locked.currency,
        },
    )
    _tell_payer(
        family,
        locked,
        actor,
        gettext_lazy("%(name)s approved part of an expense")
        if partly
        else gettext_lazy("%(name)s approved an expense"),
        f"{locked.description}: {money.format_plain(approved, locked.currency)} {locked.currency}",
    )
    return locked


@transaction.atomic
def expense_dispute(*, family: Family, actor: User, expense: Expense, reason: str) -> Expense:
    """The parent asked disputes the request; the reason is required."""
    require_parent(family, actor)
    reason = _text(reason, 2000, "reason", required=True)
    locked = _locked_expense(family, expense)
    _as_debtor(locked, actor)
    locked.status = ExpenseStatus.DISPUTED
    locked.approved_minor = None
    locked.answer_reason = reason
    locked.answered_by = actor
    locked.answered_at = timezone.now()
    locked.save(
        update_fields=["status", "approved_minor", "answer_reason", "answered_by", "answered_at"]
    )
    _row, fields = _event(locked, "disputed", actor, text=reason)
    record_append(family=family, actor=actor, kind="expense.disputed", fields=fields)
    _tell_payer(
        family, locked, actor, gettext_lazy("%(name)s disputed an expense"), locked.description
    )
    return locked


def _as_payer(locked: Expense, actor: User) -> None:
    if locked.paid_by.user_id != actor.pk and locked.created_by_id != actor.pk:
        raise ServiceError(
            _("Only the parent who asked for the share can do that."), code="forbidden"
        )


@transaction.atomic
def expense_reply(*, family: Family, actor: User, expense: Expense, text: str) -> Expense:
    """The payer answers a dispute or a partial approval and asks again: the request is open
    once more, with a new answer date. (To change the expense itself, correct it.)"""
    require_parent(family, actor)
    text = _text(text, 2000, "text", required=True)
    locked = _locked_expense(family, expense)
    _as_payer(locked, actor)
    if locked.status not in (ExpenseStatus.DISPUTED, ExpenseStatus.PARTLY_APPROVED):
        raise Conflict(_("Only a disputed or partly approved request can be answered."))
    locked.status = ExpenseStatus.REQUESTED
    locked.approved_minor = None
    locked.respond_by = timezone.now() + dt.timedelta(days=settings_of(family).respond_by_days)
    locked.save(update_fields=["status", "approved_minor", "respond_by"])
    _row, fields = _event(locked, "replied", actor, text=text)
    record_append(family=family, actor=actor, kind="expense.replied", fields=fields)
    if locked.debtor is not None:
        notify(
            family,
            [locked.debtor.user],
            Kind.EXPENSE_REQUEST,
            link=links.expense(family, locked.public_id),
            detail=Detail(
                Phrase(
                    gettext_lazy("%(name)s answered and asks again for your share"),
                    {"name": actor.display_name},
                ),
                text,
            ),
            actor=actor,
        )
    return locked


def expense_correct(
    *,
    family: Family,
    actor: User,
    expense: Expense,
    description: str | None = None,
    category: str | None = None,
    amount: Decimal | str | None = None,
    currency: str | None = None,
    date: dt.date | None = None,
    children: Iterable[Child] | None = None,
    paid_by: Membership | None = None,
    split: Mapping[Membership, Decimal] | None = None,
    note: str | None = None,
    receipts: Sequence[Upload] = (),
    reason: str = "",
) -> Expense:
    """The payer corrects an expense: a new version (what is not given is kept) that links to
    the old one and asks again; the old one stays, marked corrected. Receipts are carried over,
    payments already allocated to it move to the new version."""
    require_parent(family, actor)
    reason = _text(reason, 2000, "reason")
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = _locked_expense(family, expense)
            _as_payer(locked, actor)
            if locked.status not in OPEN:
                raise Conflict(_("A withdrawn expense cannot be corrected."))
            old_children = list(locked.children.all())
            custom = split
            if custom is None and locked.split_source == SplitSource.CUSTOM:
                custom = {s.member: s.percent for s in locked.shares.select_related("member")}
            draft = _draft(
                family,
                description=locked.description if description is None else description,
                category=locked.category if category is None else category,
                amount=(
                    money.from_minor(locked.amount_minor, locked.currency)
                    if amount is None
                    else amount
                ),
                currency=locked.currency if currency is None else currency,
                date=locked.date if date is None else date,
                children=old_children if children is None else children,
                payer=locked.paid_by if paid_by is None else paid_by,
                note=locked.note if note is None else note,
                split=custom,
            )
            old_receipts = list(locked.receipts.all())
            draft.uploads = _clean_uploads(receipts, len(old_receipts))
            draft.upload_names = [u.name for u in receipts]
            locked.is_current = False
            locked.status = ExpenseStatus.CORRECTED
            locked.save(update_fields=["is_current", "status"])
            new = _make(
                family,
                actor=actor,
                record_actor=actor,
                draft=draft,
                settings=settings_of(family),
                supersedes=locked,
                stored=stored,
            )
            if reason:
                _row, fields = _event(new, "reason", actor, text=reason)
                record_append(
                    family=family, actor=actor, kind="expense.correction_reason", fields=fields
                )
            Receipt.objects.bulk_create(
                [
                    Receipt(
                        family=family,
                        expense=new,
                        stored_name=r.stored_name,
                        original_name=r.original_name,
                        media_type=r.media_type,
                        size=r.size,
                        salt=r.salt,
                        sha256=r.sha256,
                        added_by=r.added_by,
                        created_at=r.created_at,
                    )
                    for r in old_receipts
                ]
            )
            PaymentAllocation.objects.filter(expense=locked).update(expense=new)
            return new
    except BaseException:
        _remove_on_failure(stored)
        raise


@transaction.atomic
def expense_withdraw(*, family: Family, actor: User, expense: Expense, reason: str = "") -> Expense:
    """The payer withdraws the request: it no longer counts in the balance. It stays on the
    ledger and the record."""
    require_parent(family, actor)
    reason = _text(reason, 2000, "reason")
    locked = _locked_expense(family, expense)
    _as_payer(locked, actor)
    if locked.status not in OPEN:
        raise Conflict(_("This expense was already withdrawn."))
    locked.status = ExpenseStatus.WITHDRAWN
    locked.save(update_fields=["status"])
    _row, fields = _event(locked, "withdrawn", actor, text=reason)
    record_append(family=family, actor=actor, kind="expense.withdrawn", fields=fields)
    if locked.debtor is not None:
        notify(
            family,
            [locked.debtor.user],
            Kind.EXPENSE_ANSWER,
            link=links.expense(family, locked.public_id),
            detail=Detail(
                Phrase(gettext_lazy("%(name)s withdrew an expense"), {"name": actor.display_name}),
                locked.description,
            ),
            actor=actor,
        )
    return locked


# ---- consent before spending ------------------------------------------------------------------


@transaction.atomic
def preapproval_request(
    *,
    family: Family,
    actor: User,
    description: str,
    category: str,
    amount: Decimal | str,
    currency: str | None = None,
) -> Preapproval:
    """A parent asks the other's consent before spending up to `amount` (where an agreed limit
    asks for it). The first expense of theirs in that category and currency up to the amount
    then uses the consent and is not flagged."""
    member = require_parent(family, actor)
    description = _text(description, 200, "description", required=True)
    category = _category(family, category)
    currency = _currency(currency or settings_of(family).default_currency)
    minor = _minor(amount, currency)
    if len(_parents(family)) < 2:
        raise ServiceError(_("Consent comes from the other parent: invite them first."))
    family_lock(family)
    consent = Preapproval.objects.create(
        family=family,
        description=description,
        category=category,
        currency=currency,
        amount_minor=minor,
        requested_by=member,
    )
    record_append(
        family=family,
        actor=actor,
        kind="expense.consent_requested",
        fields={
            "consent": str(consent.public_id),
            "category": category,
            "amount": money.format_plain(minor, currency),
            "currency": currency,
        },
    )
    notify(
        family,
        parents_of(family),
        Kind.EXPENSE_REQUEST,
        link=links.ledger(family),
        detail=Detail(
            Phrase(
                gettext_lazy("%(name)s asks your consent before spending"),
                {"name": actor.display_name},
            ),
            f"{description}: {money.format_plain(minor, currency)} {currency}",
        ),
        actor=actor,
    )
    return consent


@transaction.atomic
def preapproval_answer(
    *, family: Family, actor: User, preapproval: Preapproval, give: bool, reason: str = ""
) -> Preapproval:
    """The other parent gives or refuses consent (a refusal says why)."""
    require_parent(family, actor)
    reason = _text(reason, 2000, "reason", required=not give)
    family_lock(family)
    locked = (
        Preapproval.objects.select_for_update(no_key=True, of=("self",))
        .select_related("requested_by__user")
        .get(pk=preapproval.pk, family=family)
    )
    if locked.requested_by.user_id == actor.pk:
        raise ServiceError(_("The other parent answers a request for consent."), code="forbidden")
    if locked.status != ConsentStatus.REQUESTED:
        raise Conflict(_("This request for consent was already answered."))
    salt, digest = _hash_text(reason) if reason else (b"", "")
    locked.status = ConsentStatus.GIVEN if give else ConsentStatus.REFUSED
    locked.answered_by = actor
    locked.answered_at = timezone.now()
    locked.reason = reason
    locked.salt = salt
    locked.save(update_fields=["status", "answered_by", "answered_at", "reason", "salt"])
    record_append(
        family=family,
        actor=actor,
        kind="expense.consent_given" if give else "expense.consent_refused",
        fields={"consent": str(locked.public_id), **({"content": digest} if digest else {})},
    )
    notify(
        family,
        [locked.requested_by.user],
        Kind.EXPENSE_ANSWER,
        link=links.ledger(family),
        detail=Detail(
            Phrase(
                gettext_lazy("%(name)s consented to your spending")
                if give
                else gettext_lazy("%(name)s did not consent to your spending"),
                {"name": actor.display_name},
            ),
            locked.description,
        ),
        actor=actor,
    )
    return locked


# ---- payments -----------------------------------------------------------------------------------


def _outstanding(
    family: Family, debtor: Membership, creditor: Membership, currency: str
) -> list[Open]:
    """Requests from `creditor` to `debtor` in `currency` with something left to pay, after
    what payments not disputed already allocated to them."""
    rows = (
        Expense.objects.filter(
            family=family,
            is_current=True,
            debtor=debtor,
            paid_by=creditor,
            currency=currency,
            status__in=[
                ExpenseStatus.APPROVED,
                ExpenseStatus.PARTLY_APPROVED,
                ExpenseStatus.REQUESTED,
                ExpenseStatus.OVERDUE,
            ],
        )
        .annotate(
            paid=Sum(
                "allocations__amount_minor",
                filter=~Q(allocations__payment__status=PaymentStatus.DISPUTED),
                default=0,
            )
        )
        .order_by("date", "created_at")
    )
    return [
        Open(
            key=str(row.public_id),
            date=row.date.isoformat(),
            outstanding=(
                row.approved_minor if row.approved_minor is not None else row.requested_minor
            )
            - row.paid,
            approved=row.status in (ExpenseStatus.APPROVED, ExpenseStatus.PARTLY_APPROVED),
        )
        for row in rows
    ]


def payment_record(
    *,
    family: Family,
    actor: User,
    payee: Membership,
    amount: Decimal | str,
    currency: str | None = None,
    date: dt.date,
    method: str,
    app_name: str = "",
    reference: str = "",
    note: str = "",
    expenses: Sequence[Expense] | None = None,
    proof: Upload | None = None,
    settle_up: bool = False,
) -> Payment:
    """A parent records a payment they made to the other parent (money moves elsewhere; we
    keep the record). It is allocated to the open requests it pays, oldest approved first, or
    the ones chosen; the receiver confirms or disputes it."""
    payer = require_parent(family, actor)
    currency = _currency(currency or settings_of(family).default_currency)
    minor = _minor(amount, currency)
    _day(date)
    payee = _a_parent(family, payee, "to")
    if payee.pk == payer.pk:
        raise ServiceError(_("Choose the other parent."), field="to")
    if method not in PaymentMethod.values:
        raise ServiceError(_("Choose how you paid."), field="method")
    app_name = _text(app_name, 60, "app_name")
    reference = _text(reference, 200, "reference")
    note = _text(note, 1000, "note")
    clean = _clean_uploads([proof])[0] if proof is not None else None
    stored: list[str] = []
    try:
        with transaction.atomic():
            family_lock(family)
            payment = _payment_write(
                family,
                actor,
                payer,
                payee,
                minor,
                currency,
                date,
                method,
                app_name,
                reference,
                note,
                expenses,
                clean,
                proof.name if proof else "",
                settle_up,
                stored,
            )
            return payment
    except BaseException:
        _remove_on_failure(stored)
        raise


def _payment_write(
    family: Family,
    actor: User,
    payer: Membership,
    payee: Membership,
    minor: int,
    currency: str,
    date: dt.date,
    method: str,
    app_name: str,
    reference: str,
    note: str,
    expenses: Sequence[Expense] | None,
    clean: files.CleanFile | None,
    proof_name: str,
    settle_up: bool,
    stored: list[str],
) -> Payment:
    open_requests = _outstanding(family, payer, payee, currency)
    by_key = {item.key: item for item in open_requests}
    if expenses is not None:
        chosen = [str(e.public_id) for e in expenses]
        if any(key not in by_key or by_key[key].outstanding <= 0 for key in chosen):
            raise ServiceError(
                _(
                    "Choose open requests from %(name)s to you in %(currency)s that are not "
                    "paid yet."
                )
                % {"name": payee.user.display_name, "currency": currency},
                field="expenses",
            )
        allocations, _left = allocate(minor, open_requests, chosen)
    else:
        allocations, _left = allocate(minor, [o for o in open_requests if o.approved])
    proof_fields: dict[str, Any] = {}
    record_proof: dict[str, Any] = {}
    if clean is not None:
        salt = new_salt()
        stored.append(files.store(str(family.public_id), clean.data))
        proof_fields = {
            "proof_stored_name": stored[-1],
            "proof_original_name": files.safe_name(proof_name, clean.media_type),
            "proof_media_type": clean.media_type,
            "proof_size": len(clean.data),
            "proof_salt": salt,
            "proof_sha256": hashlib.sha256(clean.data).hexdigest(),
        }
        record_proof = {"proof": content_hash(salt, clean.data), "media_type": clean.media_type}
    payment = Payment.objects.create(
        family=family,
        payer=payer,
        payee=payee,
        amount_minor=minor,
        currency=currency,
        date=date,
        method=method,
        app_name=app_name,
        reference=reference,
        note=note,
        settle_up=settle_up,
        recorded_by=actor,
        **proof_fields,
    )
    expense_ids = {
        str(e.public_id): e.pk
        for e in Expense.objects.filter(family=family, public_id__in=list(allocations))
    }
    PaymentAllocation.objects.bulk_create(
        [
            PaymentAllocation(
                family=family, payment=payment, expense_id=expense_ids[key], amount_minor=amount
            )
            for key, amount in allocations.items()
        ]
    )
    salt_ref, digest = _hash_text(reference + "\n" + note) if (reference or note) else (b"", "")
    record_append(
        family=family,
        actor=actor,
        kind="payment.recorded",
        fields={
            "payment": str(payment.public_id),
            "from": str(payer.public_id),
            "to": str(payee.public_id),
            "amount": money.format_plain(minor, currency),
            "currency": currency,
            "date": date.isoformat(),
            "method": method,
            "settle_up": "yes" if settle_up else "no",
            "allocations": tuple(
                f"{key}:{money.format_plain(amount, currency)}"
                for key, amount in sorted(allocations.items())
            ),
            **({"content": digest} if digest else {}),
            **record_proof,
        },
    )
    if salt_ref:
        # The reference and note are disclosed from the row; keep their salt beside it.
        Payment.objects.filter(pk=payment.pk).update(text_salt=salt_ref)
        payment.text_salt = salt_ref
    notify(
        family,
        [payee.user],
        Kind.PAYMENT,
        link=links.payment(family, payment.public_id),
        detail=Detail(
            Phrase(
                gettext_lazy("%(name)s recorded a payment to you"), {"name": actor.display_name}
            ),
            Phrase(
                gettext_lazy(
                    "%(amount)s %(currency)s on %(date)s. Confirm it when you have received it."
                ),
                {
                    "amount": money.format_plain(minor, currency),
                    "currency": currency,
                    "date": formatted(date, "DATE_FORMAT"),
                },
            ),
        ),
        actor=actor,
    )
    return payment


def _locked_payment(family: Family, payment: Payment, actor: User) -> Payment:
    family_lock(family)
    locked = (
        Payment.objects.select_for_update(no_key=True, of=("self",))
        .select_related("payer__user", "payee__user")
        .get(pk=payment.pk, family=family)
    )
    if locked.payee.user_id != actor.pk:
        raise ServiceError(
            _("Only the parent who received the payment confirms or disputes it."),
            code="forbidden",
        )
    if locked.status != PaymentStatus.PENDING:
        raise Conflict(_("This payment was already confirmed or disputed."))
    return locked


@transaction.atomic
def payment_confirm(*, family: Family, actor: User, payment: Payment) -> Payment:
    """The receiver confirms the payment arrived; from now on it counts in the balance."""
    require_parent(family, actor)
    locked = _locked_payment(family, payment, actor)
    locked.status = PaymentStatus.CONFIRMED
    locked.answered_by = actor
    locked.answered_at = timezone.now()
    locked.save(update_fields=["status", "answered_by", "answered_at"])
    record_append(
        family=family,
        actor=actor,
        kind="payment.confirmed",
        fields={"payment": str(locked.public_id)},
    )
    notify(
        family,
        [locked.payer.user],
        Kind.PAYMENT,
        link=links.payment(family, locked.public_id),
        detail=Detail(
            Phrase(gettext_lazy("%(name)s confirmed your payment"), {"name": actor.display_name}),
            f"{money.format_plain(locked.amount_minor, locked.currency)} {locked.currency}",
        ),
        actor=actor,
    )
    return locked


@transaction.atomic
def payment_dispute(*, family: Family, actor: User, payment: Payment, reason: str) -> Payment:
    """The receiver says the payment did not arrive as recorded (a reason is required). It
    does not count in the balance; the payer may record it again."""
    require_parent(family, actor)
    reason = _text(reason, 2000, "reason", required=True)
    locked = _locked_payment(family, payment, actor)
    salt, digest = _hash_text(reason)
    locked.status = PaymentStatus.DISPUTED
    locked.answered_by = actor
    locked.answered_at = timezone.now()
    locked.answer_reason = reason
    locked.answer_salt = salt
    locked.save(
        update_fields=["status", "answered_by", "answered_at", "answer_reason", "answer_salt"]
    )
    record_append(
        family=family,
        actor=actor,
        kind="payment.disputed",
        fields={"payment": str(locked.public_id), "content": digest},
    )
    notify(
        family,
        [locked.payer.user],
        Kind.PAYMENT,
        link=links.payment(family, locked.public_id),
        detail=Detail(
            Phrase(gettext_lazy("%(name)s disputed your payment"), {"name": actor.display_name}),
            reason,
        ),
        actor=actor,
    )
    return locked


def settle_up(
    *,
    family: Family,
    actor: User,
    currency: str,
    date: dt.date,
    method: str,
    app_name: str = "",
    reference: str = "",
    note: str = "",
) -> Payment:
    """Record a payment of exactly what the actor owes the other parent in `currency`,
    allocated oldest first. Refused when the actor owes nothing, or while an earlier payment in
    that currency still waits for confirmation (it would be paid twice)."""
    member = require_parent(family, actor)
    currency = _currency(currency)
    line = next(
        (
            b
            for b in selectors.balance_list(family)
            if b.currency == currency and b.owed_by.pk == member.pk
        ),
        None,
    )
    if line is None:
        raise ServiceError(_("You owe nothing in %(c)s.") % {"c": currency}, field="currency")
    if Payment.objects.filter(
        family=family, currency=currency, status=PaymentStatus.PENDING
    ).exists():
        raise Conflict(
            _("A payment in %(c)s still waits for confirmation; settle up once it is confirmed.")
            % {"c": currency}
        )
    return payment_record(
        family=family,
        actor=actor,
        payee=line.owed_to,
        amount=money.from_minor(line.amount_minor, currency),
        currency=currency,
        date=date,
        method=method,
        app_name=app_name,
        reference=reference,
        note=note,
        settle_up=True,
    )


# ---- recurring expenses -------------------------------------------------------------------------


def _rule_of(rule_text: str, starts_on: dt.date) -> rrules.rrule:
    text = (rule_text or "").strip().removeprefix("RRULE:")
    if not text or text_problem(rule_text or "") or "\n" in text or len(text) > 500:
        raise ServiceError(_("Give a repeat rule, e.g. FREQ=MONTHLY;BYMONTHDAY=1."), field="rrule")
    try:
        parsed = rrules.rrulestr(
            text, dtstart=dt.datetime.combine(starts_on, dt.time(), tzinfo=dt.UTC)
        )
    except (ValueError, TypeError, KeyError, IndexError, OverflowError):
        raise ServiceError(
            _("That repeat rule cannot be read; e.g. FREQ=MONTHLY;BYMONTHDAY=1."), field="rrule"
        ) from None
    if not isinstance(parsed, rrules.rrule) or parsed._freq not in RECURRING_FREQUENCIES:
        raise ServiceError(
            _("An expense repeats at most daily (DAILY, WEEKLY, MONTHLY or YEARLY)."),
            field="rrule",
        )
    return parsed


def _next_on(rule: rrules.rrule, after: dt.date | None, starts_on: dt.date) -> dt.date | None:
    moment = (
        dt.datetime.combine(after, dt.time(), tzinfo=dt.UTC)
        if after is not None
        else dt.datetime.combine(starts_on, dt.time(), tzinfo=dt.UTC) - dt.timedelta(seconds=1)
    )
    found: dt.datetime | None = rule.after(moment, inc=False)
    if found is None or not day_in_range(found.date()):
        return None
    return found.date()


@transaction.atomic
def recurring_create(
    *,
    family: Family,
    actor: User,
    description: str,
    category: str,
    amount: Decimal | str,
    currency: str | None = None,
    rrule: str,
    starts_on: dt.date,
    children: Iterable[Child] = (),
    paid_by: Membership | None = None,
    note: str = "",
) -> RecurringExpense:
    """A parent sets up an expense that repeats (tuition on the 1st of every month): the worker
    creates and asks for each occurrence on its date."""
    member = require_parent(family, actor)
    draft = _draft(
        family,
        description=description,
        category=category,
        amount=amount,
        currency=currency or settings_of(family).default_currency,
        date=_day(starts_on, "starts_on"),
        children=children,
        payer=paid_by or member,
        note=note,
        split=None,
    )
    rule = _rule_of(rrule, starts_on)
    first = _next_on(rule, None, starts_on)
    if first is None:
        raise ServiceError(_("That repeat rule has no date from the start date on."), field="rrule")
    family_lock(family)
    recurring = RecurringExpense.objects.create(
        family=family,
        description=draft.description,
        category=draft.category,
        amount_minor=draft.amount_minor,
        currency=draft.currency,
        paid_by=draft.payer,
        note=draft.note,
        rrule=rrule.strip().removeprefix("RRULE:"),
        starts_on=starts_on,
        next_on=first,
        created_by=actor,
    )
    if draft.children:
        recurring.children.set(draft.children, through_defaults={"family_id": recurring.family_id})
    record_append(
        family=family,
        actor=actor,
        kind="expense.recurring_created",
        fields={
            "recurring": str(recurring.public_id),
            "rrule": recurring.rrule,
            "starts_on": starts_on.isoformat(),
            "amount": money.format_plain(draft.amount_minor, draft.currency),
            "currency": draft.currency,
            "category": draft.category,
            "paid_by": str(draft.payer.public_id),
        },
    )
    return recurring


@transaction.atomic
def recurring_stop(*, family: Family, actor: User, recurring: RecurringExpense) -> RecurringExpense:
    require_parent(family, actor)
    family_lock(family)
    locked = RecurringExpense.objects.select_for_update(no_key=True).get(
        pk=recurring.pk, family=family
    )
    if not locked.active:
        raise Conflict(_("This repeating expense was already stopped."))
    locked.active = False
    locked.stopped_at = timezone.now()
    locked.save(update_fields=["active", "stopped_at"])
    record_append(
        family=family,
        actor=actor,
        kind="expense.recurring_stopped",
        fields={"recurring": str(locked.public_id)},
    )
    return locked


def _recurring_one(pk: int, today: dt.date) -> int:
    made = 0
    with transaction.atomic():
        family = RecurringExpense.objects.select_related("family").get(pk=pk).family
        family_lock(family)
        recurring = (
            RecurringExpense.objects.select_for_update(no_key=True, of=("self",))
            .select_related("paid_by__user", "created_by")
            .get(pk=pk)
        )
        if not recurring.active or recurring.next_on is None:
            return 0
        rule = _rule_of(recurring.rrule, recurring.starts_on)
        payer = recurring.paid_by
        if not payer.is_active() or payer.role != Role.PARENT:
            recurring.active = False
            recurring.stopped_at = timezone.now()
            recurring.save(update_fields=["active", "stopped_at"])
            return 0
        settings = settings_of(family)
        children = list(recurring.children.all())
        while recurring.next_on is not None and recurring.next_on <= today:
            if made >= MAX_RECURRING_CATCH_UP:
                break
            on = recurring.next_on
            if not Expense.objects.filter(recurring=recurring, occurrence_on=on).exists():
                draft = _Draft(
                    description=recurring.description,
                    category=recurring.category,
                    amount_minor=recurring.amount_minor,
                    currency=recurring.currency,
                    date=on,
                    children=children,
                    payer=payer,
                    note=recurring.note,
                )
                _make(
                    family,
                    actor=recurring.created_by,
                    record_actor=None,
                    draft=draft,
                    settings=settings,
                    recurring=recurring,
                    occurrence_on=on,
                    stored=[],
                )
                made += 1
            recurring.next_on = _next_on(rule, on, recurring.starts_on)
        recurring.save(update_fields=["next_on"])
    return made


def recurring_run(*, now: dt.datetime | None = None) -> int:
    """Create every occurrence of a repeating expense whose date has come (the worker runs
    this periodically). Each schedule in its own transaction under its family's lock; an
    occurrence is made once, even if two runs overlap."""
    today = (now or timezone.now()).astimezone(dt.UTC).date()
    made = 0
    failure: Exception | None = None
    for pk in RecurringExpense.objects.filter(active=True, next_on__lte=today).values_list(
        "pk", flat=True
    ):
        try:
            made += _recurring_one(pk, today)
        except Exception as error:
            failure = failure or error
    if failure is not None:
        raise failure
    return made


# ---- deadlines ----------------------------------------------------------------------------------


def _overdue_one(pk: int, now: dt.datetime) -> int:
    with transaction.atomic():
        family = Expense.objects.select_related("family").get(pk=pk).family
        family_lock(family)
        locked = (
            Expense.objects.select_for_update(no_key=True, of=("self",))
            .select_related("debtor__user", "paid_by__user")
            .get(pk=pk)
        )
        if locked.status != ExpenseStatus.REQUESTED or locked.respond_by is None:
            return 0
        if locked.respond_by > now:
            return 0
        locked.status = ExpenseStatus.OVERDUE
        locked.save(update_fields=["status"])
        _row, fields = _event(locked, "overdue", None)
        record_append(family=family, actor=None, kind="expense.overdue", fields=fields)
        notify(
            family,
            [u for u in (locked.paid_by.user, locked.debtor.user if locked.debtor else None) if u],
            Kind.EXPENSE_OVERDUE,
            link=links.expense(family, locked.public_id),
            detail=Detail(
                gettext_lazy("A request for an expense share is overdue"),
                Phrase(
                    gettext_lazy(
                        "%(description)s was not answered by its date. It is not approved."
                    ),
                    {"description": locked.description},
                ),
            ),
        )
        return 1


def _agreement_expire(pk: int, now: dt.datetime) -> int:
    with transaction.atomic():
        family = SplitAgreement.objects.select_related("family").get(pk=pk).family
        family_lock(family)
        locked = SplitAgreement.objects.select_for_update(no_key=True).get(pk=pk)
        if locked.status != AgreementStatus.PROPOSED or locked.respond_by > now:
            return 0
        locked.status = AgreementStatus.EXPIRED
        locked.decided_at = now
        locked.save(update_fields=["status", "decided_at"])
        record_append(
            family=family,
            actor=None,
            kind="expense.rules_expired",
            fields={"agreement": str(locked.public_id)},
        )
        notify(
            family,
            parents_of(family),
            Kind.DEADLINE_EXPIRED,
            link=links.agreement(family, locked.public_id),
            detail=Detail(
                gettext_lazy("Proposed split rules expired unanswered"),
                gettext_lazy("Nothing changed: the rules in force stay as they were."),
            ),
        )
        return 1


def deadlines_mark(*, now: dt.datetime | None = None) -> int:
    """Mark every request past its answer date overdue (never approved: silence is not
    consent), and expire split-rule proposals past theirs. Each in its own transaction under
    the family lock, checked again there, so an answer that lands first wins."""
    now = now or timezone.now()
    due = [
        (_overdue_one, pk)
        for pk in Expense.objects.filter(
            status=ExpenseStatus.REQUESTED, respond_by__lte=now
        ).values_list("pk", flat=True)
    ] + [
        (_agreement_expire, pk)
        for pk in SplitAgreement.objects.filter(
            status=AgreementStatus.PROPOSED, respond_by__lte=now
        ).values_list("pk", flat=True)
    ]
    done = 0
    failure: Exception | None = None
    for function, pk in due:
        try:
            done += function(pk, now)
        except Exception as error:
            failure = failure or error
    if failure is not None:
        raise failure
    return done
