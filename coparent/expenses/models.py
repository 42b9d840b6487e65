"""Shared expenses: what a parent paid for the children, the other parent's share of it, the
answers, payments between the parents, and the split rules both agreed.

Amounts are integers of the currency's minor unit (`*_minor`, see `coparent.ledger.money`), each
beside its ISO 4217 currency; currencies are never converted. An expense is never edited: a
correction is a new version that points at the one it replaces (`supersedes`), which stays.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coparent.core.models import FamilyLink, FamilyOwned

DEFAULT_RESPOND_BY_DAYS = 14
MAX_RECEIPTS = 10


class BuiltInCategory(models.TextChoices):
    """The categories every family has; a family adds its own as `Category` rows."""

    MEDICAL = "medical", _("Medical and dental")
    EDUCATION = "education", _("Education")
    CHILDCARE = "childcare", _("Childcare")
    ACTIVITIES = "activities", _("Activities")
    CLOTHING = "clothing", _("Clothing")
    TRAVEL = "travel", _("Travel")
    OTHER = "other", _("Other")


class ExpenseSettings(FamilyOwned):
    """The family's money settings; a family without a row has the defaults."""

    default_currency = models.CharField(max_length=3, default="USD")
    respond_by_days = models.PositiveSmallIntegerField(default=DEFAULT_RESPOND_BY_DAYS)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["family"], name="one_expense_settings_per_family")
        ]

    def __str__(self) -> str:
        return f"expense settings of {self.family_id}"


class Category(FamilyOwned):
    """A category the family added ("Orthodontics", "Phone"). `key` is what expenses, rules and
    sharing refer to, like the built-in keys ("medical"); it never changes once made."""

    key = models.SlugField(max_length=40)
    name = models.CharField(max_length=60)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]
        verbose_name_plural = "categories"
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["family", "key"], name="one_category_per_key")
        ]

    def __str__(self) -> str:
        return self.name


class CategoryShare(FamilyOwned):
    """A parent lets a caregiver see the expenses of one category (e.g. a grandmother who pays
    for activities). Caregivers see nothing about money otherwise."""

    member = models.ForeignKey("families.Membership", on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=40)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["member", "category"], name="one_share_per_category")
        ]

    def __str__(self) -> str:
        return f"{self.category} shared with {self.member_id}"


class AgreementStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for the other parent")
    ACCEPTED = "accepted", pgettext_lazy("proposal status", "Agreed")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", pgettext_lazy("status", "Withdrawn")
    EXPIRED = "expired", _("Expired unanswered")


class SplitAgreement(FamilyOwned):
    """A set of split rules and pre-approval limits that one parent proposes and the other
    accepts, in force from `effective_from`. For an expense dated D the accepted agreement with
    the latest `effective_from` on or before D applies (the later accepted one on a tie); a new
    agreement never changes the shares of expenses already recorded."""

    effective_from = models.DateField()
    note = models.CharField(max_length=1000, blank=True)
    status = models.CharField(
        max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    respond_by = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    response = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-proposed_at"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["family", "status", "effective_from"])
        ]

    def __str__(self) -> str:
        return f"split agreement {self.public_id}"


class SplitRule(FamilyOwned):
    """One line of an agreement: the percentages of each member for a category and/or a child.
    `category == ""` and `child is None` is the default split. `percents` maps membership public
    ids to percentages as strings with at most two decimals ("60.00"), summing to 100."""

    agreement = models.ForeignKey(SplitAgreement, on_delete=models.CASCADE, related_name="rules")
    category = models.CharField(max_length=40, blank=True)
    child = models.ForeignKey(
        "families.Child", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    percents = models.JSONField()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["agreement", "category", "child"], name="one_rule_per_category_and_child"
            ),
            models.UniqueConstraint(
                fields=["agreement", "category"],
                condition=Q(child__isnull=True),
                name="one_rule_per_category",
            ),
        ]

    def __str__(self) -> str:
        return f"rule {self.category or 'default'} / {self.child_id or 'any child'}"


class PreapprovalLimit(FamilyOwned):
    """Part of an agreement: spending above `amount_minor` (in `currency`) in `category` needs
    the other parent's consent first; an expense above it without consent is flagged."""

    agreement = models.ForeignKey(SplitAgreement, on_delete=models.CASCADE, related_name="limits")
    category = models.CharField(max_length=40)
    currency = models.CharField(max_length=3)
    amount_minor = models.BigIntegerField()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["agreement", "category", "currency"], name="one_limit_per_category"
            )
        ]

    def __str__(self) -> str:
        return f"limit {self.category} {self.amount_minor} {self.currency}"


class ExpenseStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for an answer")
    APPROVED = "approved", _("Approved")
    PARTLY_APPROVED = "partly_approved", _("Partly approved")
    DISPUTED = "disputed", _("Disputed")
    WITHDRAWN = "withdrawn", pgettext_lazy("expense status", "Withdrawn")
    OVERDUE = "overdue", _("Overdue")
    CORRECTED = "corrected", _("Replaced by a correction")
    NOT_SHARED = "not_shared", _("Nothing to pay back")


# The statuses whose approved amount counts in the balance.
COUNTED = (ExpenseStatus.APPROVED, ExpenseStatus.PARTLY_APPROVED)
# The statuses the other parent can still answer.
ANSWERABLE = (ExpenseStatus.REQUESTED, ExpenseStatus.OVERDUE)
# The statuses the payer can still correct or withdraw.
OPEN = (
    ExpenseStatus.REQUESTED,
    ExpenseStatus.OVERDUE,
    ExpenseStatus.DISPUTED,
    ExpenseStatus.PARTLY_APPROVED,
    ExpenseStatus.APPROVED,
    ExpenseStatus.NOT_SHARED,
)


class SplitSource(models.TextChoices):
    RULES = "rules", _("The agreed split rules")
    CUSTOM = "custom", _("A split proposed for this expense")
    NO_RULES = "no_rules", _("Equal shares (no split rules agreed yet)")


class RecurringExpense(FamilyOwned):
    """A schedule (RFC 5545 RRULE from `starts_on`) that creates an expense on each date, asked
    for like any other. Stopping it keeps what it already created."""

    description = models.CharField(max_length=200)
    category = models.CharField(max_length=40)
    children = models.ManyToManyField(
        "families.Child", related_name="+", blank=True, through="RecurringExpenseChild"
    )
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    paid_by = models.ForeignKey("families.Membership", on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=1000, blank=True)
    rrule = models.CharField(max_length=500)
    starts_on = models.DateField()
    next_on = models.DateField(null=True, blank=True)  # None: the schedule has ended
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["description"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["active", "next_on"])]

    def __str__(self) -> str:
        return self.description


class RecurringExpenseChild(FamilyLink):
    """A child a recurring expense is for."""

    recurringexpense = models.ForeignKey(
        RecurringExpense, on_delete=models.CASCADE, related_name="+"
    )
    child = models.ForeignKey("families.Child", on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "expenses_recurringexpense_children"
        unique_together = (("recurringexpense", "child"),)


class Expense(FamilyOwned):
    """One version of an expense and the payer's request for the other parent's share.

    With two parents there is one person asked (`debtor`), so the request lives on the expense:
    `requested_minor` is the debtor's share, `approved_minor` what they approved (all of it, or
    part with a reason). `status` moves requested -> approved / partly approved / disputed /
    overdue (past `respond_by`, never approved by silence); the payer may withdraw or correct.
    """

    description = models.CharField(max_length=200)
    category = models.CharField(max_length=40)
    children = models.ManyToManyField(
        "families.Child", related_name="+", blank=True, through="ExpenseChild"
    )
    date = models.DateField()
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    paid_by = models.ForeignKey("families.Membership", on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=2000, blank=True)
    split_source = models.CharField(max_length=10, choices=SplitSource.choices)
    agreement = models.ForeignKey(
        SplitAgreement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    over_limit = models.BooleanField(default=False)  # above a pre-approval limit, no consent
    limit_minor = models.BigIntegerField(null=True, blank=True)  # the limit it was above

    # The request.
    debtor = models.ForeignKey(
        "families.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_minor = models.BigIntegerField(default=0)
    approved_minor = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=ExpenseStatus.choices, default=ExpenseStatus.REQUESTED
    )
    respond_by = models.DateTimeField(null=True, blank=True)
    answer_reason = models.CharField(max_length=2000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    # Versions: a correction is a new row; the old one stays, `is_current=False`.
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    version = models.PositiveSmallIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    recurring = models.ForeignKey(
        RecurringExpense, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occurrence_on = models.DateField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-date", "-created_at"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["family", "is_current", "date"]),
            models.Index(fields=["family", "status", "currency"]),
            models.Index(fields=["status", "respond_by"]),
            # The balance reads only the index (no row lookups), the ledger's "waiting for you"
            # goes straight to one parent's open requests.
            models.Index(
                fields=[
                    "family",
                    "is_current",
                    "status",
                    "currency",
                    "debtor",
                    "paid_by",
                    "approved_minor",
                ],
                name="expense_balance",
            ),
            models.Index(
                fields=["family", "debtor", "is_current", "status", "respond_by"],
                name="expense_waiting",
            ),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="expense_amount_positive"),
            models.UniqueConstraint(
                fields=["recurring", "occurrence_on"],
                condition=Q(supersedes__isnull=True),
                name="one_expense_per_occurrence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.date})"


class ExpenseChild(FamilyLink):
    """A child an expense is for."""

    expense = models.ForeignKey(Expense, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey("families.Child", on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "expenses_expense_children"
        unique_together = (("expense", "child"),)


class ConsentStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for the other parent")
    GIVEN = "given", _("Consent given")
    REFUSED = "refused", _("Consent refused")
    USED = "used", _("Used by an expense")


class Preapproval(FamilyOwned):
    """A parent asks the other's consent before spending above an agreed limit ("Summer camp,
    up to 400 USD"). Once given, the first expense of the asking parent in that category and
    currency, up to that amount, uses it and is not flagged as spent without consent."""

    description = models.CharField(max_length=200)
    category = models.CharField(max_length=40)
    currency = models.CharField(max_length=3)
    amount_minor = models.BigIntegerField()
    requested_by = models.ForeignKey(
        "families.Membership", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=12, choices=ConsentStatus.choices, default=ConsentStatus.REQUESTED
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=2000, blank=True)
    salt = models.BinaryField(blank=True)  # the record holds SHA-256(salt || reason)
    expense = models.OneToOneField(
        Expense, null=True, blank=True, on_delete=models.PROTECT, related_name="preapproval"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-requested_at"]

    def __str__(self) -> str:
        return f"consent {self.public_id}: {self.description}"


class ExpenseShare(FamilyOwned):
    """One member's share of an expense version, computed in minor units when it was recorded
    (the shares of a version sum exactly to its amount)."""

    expense = models.ForeignKey(Expense, on_delete=models.CASCADE, related_name="shares")
    member = models.ForeignKey("families.Membership", on_delete=models.PROTECT, related_name="+")
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    amount_minor = models.BigIntegerField()

    class Meta:
        ordering: ClassVar[list[str]] = ["id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["expense", "member"], name="one_share_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.amount_minor}"


class ExpenseEvent(FamilyOwned):
    """The history of an expense as the pages show it (created, approved, disputed, answered,
    corrected, withdrawn, overdue...), beside the family record, which holds the same facts."""

    expense = models.ForeignKey(Expense, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount_minor = models.BigIntegerField(null=True, blank=True)
    text = models.CharField(max_length=2000, blank=True)
    salt = models.BinaryField(blank=True)  # the record holds SHA-256(salt || text)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at}"


class Receipt(FamilyOwned):
    """A receipt photo or PDF, cleaned by `messaging.files.clean_upload` and stored like an
    attachment. A correction carries its receipts over (the same stored file)."""

    expense = models.ForeignKey(Expense, on_delete=models.CASCADE, related_name="receipts")
    stored_name = models.CharField(max_length=200)
    original_name = models.CharField(max_length=120)
    media_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    salt = models.BinaryField(blank=True)
    sha256 = models.CharField(max_length=64)  # of the stored (cleaned) bytes
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH = "cash", _("Cash")
    CHECK = "check", pgettext_lazy("payment method", "Check")
    APP = "app", _("A payment app")
    OTHER = "other", _("Other")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    DISPUTED = "disputed", _("Disputed")


class Payment(FamilyOwned):
    """A payment one parent says they made to the other (we record money, we never move it).
    It counts in the balance once the receiver confirms it."""

    payer = models.ForeignKey("families.Membership", on_delete=models.PROTECT, related_name="+")
    payee = models.ForeignKey("families.Membership", on_delete=models.PROTECT, related_name="+")
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    date = models.DateField()
    method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    app_name = models.CharField(max_length=60, blank=True)  # "a named app": which one
    reference = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=1000, blank=True)
    status = models.CharField(
        max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    settle_up = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_reason = models.CharField(max_length=2000, blank=True)
    answer_salt = models.BinaryField(blank=True)  # the record holds SHA-256(salt || reason)
    text_salt = models.BinaryField(blank=True)  # ... and of reference + "\n" + note
    # Optional proof (a screenshot of the transfer), cleaned and stored like a receipt.
    proof_stored_name = models.CharField(max_length=200, blank=True)
    proof_original_name = models.CharField(max_length=120, blank=True)
    proof_media_type = models.CharField(max_length=64, blank=True)
    proof_size = models.PositiveIntegerField(default=0)
    proof_salt = models.BinaryField(blank=True)
    proof_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-date", "-created_at"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["family", "status", "currency"]),
            models.Index(fields=["family", "date"]),
            models.Index(
                fields=["family", "status", "currency", "payer", "payee", "amount_minor"],
                name="payment_balance",
            ),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"payment {self.public_id}"


class PaymentAllocation(FamilyOwned):
    """Which expense (request) a payment pays, and how much of it."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    expense = models.ForeignKey(Expense, on_delete=models.PROTECT, related_name="allocations")
    amount_minor = models.BigIntegerField()

    class Meta:
        ordering: ClassVar[list[str]] = ["id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["payment", "expense"], name="one_allocation_each")
        ]

    def __str__(self) -> str:
        return f"{self.amount_minor} of {self.payment_id} to {self.expense_id}"
