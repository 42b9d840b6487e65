"""What waits for a parent in expenses: requests for their share (overdue ones first, by their
answer date), payments to confirm, and split rules the other parent proposed."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coparent.attention.registry import SHOWN, Item, Provider, Viewer, register, rest_line
from coparent.expenses import links
from coparent.expenses.models import (
    ANSWERABLE,
    AgreementStatus,
    ConsentStatus,
    Expense,
    ExpenseStatus,
    Payment,
    PaymentStatus,
    Preapproval,
    SplitAgreement,
)
from coparent.families.models import Role
from coparent.ledger import money

PARENTS = frozenset({Role.PARENT})


@register
class ExpenseRequestProvider(Provider):
    """Requests for the viewer's share of an expense, still unanswered (overdue ones too: they
    can still be answered, and silence is never approval)."""

    kind = "expense"
    roles = PARENTS
    informs = True  # also the viewer's own requests the other parent has not answered

    def _pending(self, viewer: Viewer) -> QuerySet[Expense]:
        return Expense.objects.filter(
            family=viewer.family,
            is_current=True,
            debtor=viewer.membership,
            status__in=ANSWERABLE,
        )

    def items(self, viewer: Viewer) -> list[Item]:
        result = []
        pending = self._pending(viewer)
        asked = list(
            pending.select_related("paid_by__user").order_by("respond_by", "pk")[: SHOWN + 1]
        )
        for expense in asked[:SHOWN]:
            who = expense.paid_by.user.display_name
            share = money.format_plain(expense.requested_minor, expense.currency)
            if expense.status == ExpenseStatus.OVERDUE:
                title = _("Overdue: %(name)s asked for your share of an expense") % {"name": who}
            else:
                title = _("%(name)s asks for your share of an expense") % {"name": who}
            detail = _("%(description)s: %(share)s %(currency)s. Answer by %(deadline)s.") % {
                "description": expense.description,
                "share": share,
                "currency": expense.currency,
                "deadline": viewer.when(expense.respond_by) if expense.respond_by else "",
            }
            result.append(
                Item(
                    self.kind,
                    title,
                    detail,
                    links.expense(viewer.family, expense.public_id),
                    deadline=expense.respond_by,
                )
            )
        result += rest_line(
            self.kind,
            asked,
            pending,
            lambda more: (
                ngettext(
                    "%(n)s more request for your share of an expense",
                    "%(n)s more requests for your share of an expense",
                    more,
                )
                % {"n": more}
            ),
            _("The money page lists them all, soonest answer date first."),
            links.ledger(viewer.family),
        )
        # The viewer's own requests that went unanswered: to know, not to answer.
        unanswered = Expense.objects.filter(
            family=viewer.family,
            is_current=True,
            paid_by=viewer.membership,
            status=ExpenseStatus.OVERDUE,
        )
        overdue = list(
            unanswered.select_related("debtor__user").order_by("respond_by", "pk")[: SHOWN + 1]
        )
        for expense in overdue[:SHOWN]:
            title = _("%(name)s has not answered your request") % {
                "name": expense.debtor.user.display_name if expense.debtor else ""
            }
            detail = _("%(description)s: %(share)s %(currency)s, overdue since %(deadline)s.") % {
                "description": expense.description,
                "share": money.format_plain(expense.requested_minor, expense.currency),
                "currency": expense.currency,
                "deadline": viewer.when(expense.respond_by) if expense.respond_by else "",
            }
            result.append(
                Item(
                    self.kind,
                    title,
                    detail,
                    links.expense(viewer.family, expense.public_id),
                    answer=False,
                )
            )
        result += rest_line(
            self.kind,
            overdue,
            unanswered,
            lambda more: (
                ngettext(
                    "%(n)s more of your requests is overdue",
                    "%(n)s more of your requests are overdue",
                    more,
                )
                % {"n": more}
            ),
            _("The money page lists them all."),
            links.ledger(viewer.family),
            answer=False,
        )
        return result

    def badge(self, viewer: Viewer) -> QuerySet[Expense]:
        return self._pending(viewer)


@register
class PaymentConfirmProvider(Provider):
    """Payments the other parent recorded to the viewer, waiting for confirmation."""

    kind = "payment"
    roles = PARENTS

    def _pending(self, viewer: Viewer) -> QuerySet[Payment]:
        return Payment.objects.filter(
            family=viewer.family, payee=viewer.membership, status=PaymentStatus.PENDING
        )

    def items(self, viewer: Viewer) -> list[Item]:
        result = []
        pending = self._pending(viewer)
        payments = list(pending.select_related("payer__user").order_by("date", "pk")[: SHOWN + 1])
        for payment in payments[:SHOWN]:
            title = _("%(name)s recorded a payment to you") % {
                "name": payment.payer.user.display_name
            }
            detail = _("%(amount)s %(currency)s on %(date)s. Confirm it or dispute it.") % {
                "amount": money.format_plain(payment.amount_minor, payment.currency),
                "currency": payment.currency,
                "date": formats.date_format(payment.date, "DATE_FORMAT"),
            }
            result.append(
                Item(self.kind, title, detail, links.payment(viewer.family, payment.public_id))
            )
        result += rest_line(
            self.kind,
            payments,
            pending,
            lambda more: (
                ngettext(
                    "%(n)s more payment to you to confirm",
                    "%(n)s more payments to you to confirm",
                    more,
                )
                % {"n": more}
            ),
            _("The money page lists them all."),
            links.ledger(viewer.family),
        )
        return result

    def badge(self, viewer: Viewer) -> QuerySet[Payment]:
        return self._pending(viewer)


@register
class SplitRulesProvider(Provider):
    """Split rules the other parent proposed, until their answer date."""

    kind = "expense_rules"
    roles = PARENTS

    def _pending(self, viewer: Viewer) -> QuerySet[SplitAgreement]:
        return SplitAgreement.objects.filter(
            family=viewer.family, status=AgreementStatus.PROPOSED, respond_by__gt=viewer.now
        ).exclude(proposed_by=viewer.user)

    def items(self, viewer: Viewer) -> list[Item]:
        result = []
        for agreement in self._pending(viewer).select_related("proposed_by"):
            title = _("%(name)s proposes split rules for shared expenses") % {
                "name": agreement.proposed_by.display_name
            }
            detail = _("In force from %(date)s once you accept. Answer by %(deadline)s.") % {
                "date": formats.date_format(agreement.effective_from, "DATE_FORMAT"),
                "deadline": viewer.when(agreement.respond_by),
            }
            result.append(
                Item(
                    self.kind,
                    title,
                    detail,
                    links.agreement(viewer.family, agreement.public_id),
                    deadline=agreement.respond_by,
                )
            )
        return result

    def badge(self, viewer: Viewer) -> QuerySet[SplitAgreement]:
        return self._pending(viewer)


@register
class ConsentProvider(Provider):
    """Requests for the viewer's consent before the other parent spends above a limit."""

    kind = "expense_consent"
    roles = PARENTS

    def _pending(self, viewer: Viewer) -> QuerySet[Preapproval]:
        return Preapproval.objects.filter(
            family=viewer.family, status=ConsentStatus.REQUESTED
        ).exclude(requested_by=viewer.membership)

    def items(self, viewer: Viewer) -> list[Item]:
        result = []
        for consent in self._pending(viewer).select_related("requested_by__user"):
            title = _("%(name)s asks your consent before spending") % {
                "name": consent.requested_by.user.display_name
            }
            detail = _("%(description)s: up to %(amount)s %(currency)s.") % {
                "description": consent.description,
                "amount": money.format_plain(consent.amount_minor, consent.currency),
                "currency": consent.currency,
            }
            result.append(Item(self.kind, title, detail, links.ledger(viewer.family)))
        return result

    def badge(self, viewer: Viewer) -> QuerySet[Preapproval]:
        return self._pending(viewer)
