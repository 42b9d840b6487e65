"""The demo's shared expenses: a few months of a fictional family's money, built through the
real services (agreed split rules, expenses answered in full, in part and disputed, a payment,
a repeating tuition)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from coparent.accounts.models import User
from coparent.families.models import Child, Family, Membership


def load_expenses(family: Family, people: dict[str, User]) -> None:
    from coparent.expenses import services
    from coparent.expenses.models import Expense

    if Expense.objects.filter(family=family).exists():
        return
    morgan, casey = people["morgan"], people["casey"]
    member = {
        key: Membership.objects.get(family=family, user=people[key], revoked_at__isnull=True)
        for key in ("morgan", "casey", "ellis")
    }
    children = list(Child.objects.filter(family=family).order_by("date_of_birth"))
    robin, sky = children[0], children[-1]
    today = timezone.now().date()
    start = today - dt.timedelta(days=120)

    agreement = services.agreement_propose(
        family=family,
        actor=morgan,
        effective_from=start,
        rules=[
            services.RuleSpec({member["morgan"]: Decimal(60), member["casey"]: Decimal(40)}),
            services.RuleSpec(
                {member["morgan"]: Decimal(50), member["casey"]: Decimal(50)},
                category="education",
            ),
        ],
        limits=[services.LimitSpec("activities", "USD", Decimal("250.00"))],
        note="As in the parenting plan, section 7: pro rata to income, school costs halved.",
    )
    services.agreement_decide(family=family, actor=casey, agreement=agreement, accept=True)
    services.category_share_set(
        family=family, actor=morgan, member=member["ellis"], categories=["activities"]
    )

    def spend(
        user: User, days: int, description: str, category: str, amount: str, kids: list[Child]
    ) -> Expense:
        return services.expense_create(
            family=family,
            actor=user,
            description=description,
            category=category,
            amount=Decimal(amount),
            currency="USD",
            date=start + dt.timedelta(days=days),
            children=kids,
        )

    dentist = spend(morgan, 5, "Dental check-up and cleaning", "medical", "145.00", [robin])
    services.expense_approve(family=family, actor=casey, expense=dentist)
    shoes = spend(casey, 12, "Winter boots", "clothing", "89.99", [sky])
    services.expense_approve(family=family, actor=morgan, expense=shoes)
    camp = spend(morgan, 30, "Summer science camp deposit", "activities", "320.00", [robin])
    services.expense_approve(
        family=family,
        actor=casey,
        expense=camp,
        amount=Decimal("100.00"),
        reason="We agreed to ask first above 250; I can cover the deposit share up to 100.",
    )
    phone = spend(morgan, 44, "New phone for Robin", "other", "399.00", [robin])
    services.expense_dispute(
        family=family,
        actor=casey,
        expense=phone,
        reason="We did not agree on a new phone; the old one still works.",
    )
    books = spend(casey, 52, "School books and supplies", "education", "76.40", children)
    services.expense_approve(family=family, actor=morgan, expense=books)
    glasses = spend(morgan, 70, "Glasses for Sky", "medical", "210.00", [sky])
    services.expense_approve(family=family, actor=casey, expense=glasses)
    spend(morgan, 110, "Swimming lessons, spring term", "activities", "180.00", children)

    payment = services.payment_record(
        family=family,
        actor=casey,
        payee=member["morgan"],
        amount=Decimal("100.00"),
        currency="USD",
        date=start + dt.timedelta(days=80),
        method="bank_transfer",
        reference="Dentist and glasses",
    )
    services.payment_confirm(family=family, actor=morgan, payment=payment)

    services.recurring_create(
        family=family,
        actor=morgan,
        description="Music school tuition",
        category="education",
        amount=Decimal("120.00"),
        currency="USD",
        rrule="FREQ=MONTHLY;BYMONTHDAY=1",
        starts_on=start,
        children=[robin],
    )
    services.recurring_run()
