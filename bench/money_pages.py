"""Money pages with ten years of a family's money (5,000 expenses, 2,000 payments)

A temporary SQLite database holds one family with 5,000 expenses (with their shares, most
approved, some disputed or waiting) and 2,000 confirmed payments over ten years, bulk-inserted
as the services would have left them. Then it times, side by side in one loop, the signed-in
framework floor (the family's People page: session, tenancy, the base template and its
navigation), the ledger page, and the balance through the API, and compares their p95.

The floor here is a page, because the ledger is a page: it pays for the same base template,
navigation and attention badge. bench/expenses.py measures the API beside the API floor
(`GET /api/v1/families/<id>`, no template); a page measured against that floor compares
template rendering with none.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Result, django_on_sqlite

EXPENSES = int(os.environ.get("BENCH_MONEY_EXPENSES", 5_000))
PAYMENTS = int(os.environ.get("BENCH_MONEY_PAYMENTS", 2_000))
ROUNDS = 60
FACTOR = 3.0


def _people() -> tuple[Any, Any, Any]:
    from coparent.accounts.models import User
    from coparent.families import services as family_services
    from coparent.families.models import Role

    alice = User.objects.create_user(
        "alice@bench.test", "x" * 20, display_name="Alice", timezone="UTC", email_verified=True
    )
    bob = User.objects.create_user(
        "bob@bench.test", "x" * 20, display_name="Bob", timezone="UTC", email_verified=True
    )
    family = family_services.family_create(actor=alice, name="Bench family")
    family_services.child_add(
        family=family, actor=alice, first_name="Robin", date_of_birth=dt.date(2015, 3, 1)
    )
    _invitation, token = family_services.invitation_create(
        family=family, actor=alice, role=Role.PARENT
    )
    family_services.invitation_accept(token=token, user=bob)
    return alice, bob, family


def _load(alice: Any, bob: Any, family: Any) -> None:
    """Ten years of expenses and payments, as rows the services would have written."""
    from django.db import transaction
    from django.utils import timezone

    from coparent.expenses.models import (
        BuiltInCategory,
        Expense,
        ExpenseShare,
        ExpenseStatus,
        Payment,
        PaymentStatus,
        SplitSource,
    )
    from coparent.families.models import Child, Membership

    a = Membership.objects.get(family=family, user=alice)
    b = Membership.objects.get(family=family, user=bob)
    child = Child.objects.get(family=family)
    now = timezone.now()
    start = now.date() - dt.timedelta(days=3650)
    categories = [c.value for c in BuiltInCategory]
    statuses = [ExpenseStatus.APPROVED] * 8 + [ExpenseStatus.DISPUTED, ExpenseStatus.REQUESTED]
    rows = []
    for i in range(EXPENSES):
        payer, debtor = (a, b) if i % 3 else (b, a)
        amount = 1_000 + (i * 37) % 20_000
        status = statuses[i % len(statuses)]
        rows.append(
            Expense(
                family=family,
                description=f"Expense {i}",
                category=categories[i % len(categories)],
                date=start + dt.timedelta(days=i * 3650 // EXPENSES),
                amount_minor=amount,
                currency="USD" if i % 10 else "EUR",
                paid_by=payer,
                split_source=SplitSource.NO_RULES,
                debtor=debtor,
                requested_minor=amount // 2,
                approved_minor=amount // 2 if status == ExpenseStatus.APPROVED else None,
                status=status,
                respond_by=now + dt.timedelta(days=14),
                created_by=payer.user,
                created_at=now - dt.timedelta(days=3650 - i * 3650 // EXPENSES),
            )
        )
    with transaction.atomic():
        Expense.objects.bulk_create(rows, batch_size=1000)
        saved = list(Expense.objects.filter(family=family))
        shares = []
        for e in saved:
            other = b if e.paid_by_id == a.pk else a
            shares.append(
                ExpenseShare(
                    family=family,
                    expense=e,
                    member=e.paid_by,
                    percent=50,
                    amount_minor=e.amount_minor - e.amount_minor // 2,
                )
            )
            shares.append(
                ExpenseShare(
                    family=family,
                    expense=e,
                    member=other,
                    percent=50,
                    amount_minor=e.amount_minor // 2,
                )
            )
        ExpenseShare.objects.bulk_create(shares, batch_size=2000)
        for e in saved[:200]:
            e.children.add(child)
        Payment.objects.bulk_create(
            [
                Payment(
                    family=family,
                    payer=b if i % 2 else a,
                    payee=a if i % 2 else b,
                    amount_minor=500 + i,
                    currency="USD",
                    date=start + dt.timedelta(days=i * 3650 // PAYMENTS),
                    method="bank_transfer",
                    status=PaymentStatus.CONFIRMED,
                    recorded_by=bob if i % 2 else alice,
                )
                for i in range(PAYMENTS)
            ],
            batch_size=1000,
        )


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def run() -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="coparent-bench-money-") as folder:
        django_on_sqlite(Path(folder))
        from django.test import Client

        alice, bob, family = _people()
        t0 = time.perf_counter()
        _load(alice, bob, family)
        print(f"   {EXPENSES} expenses, {PAYMENTS} payments in {time.perf_counter() - t0:.1f} s")

        client = Client()
        client.force_login(alice)
        from django.urls import reverse

        paths = {
            "floor": reverse("families:members", args=[family.public_id]),
            "ledger": f"/f/{family.public_id}/expenses/",
            "balance": f"/api/v1/families/{family.public_id}/expenses/balance",
        }
        samples: dict[str, list[float]] = {name: [] for name in paths}
        for round_ in range(ROUNDS + 3):
            for name, path in paths.items():
                start = time.perf_counter()
                response = client.get(path)
                elapsed = (time.perf_counter() - start) * 1000
                assert response.status_code == 200, (name, response.status_code)
                if round_ >= 3:  # warm-up rounds are not counted
                    samples[name].append(elapsed)
        floor = _p95(samples["floor"])
        results = [
            Result(
                "GET the family's People page (signed-in framework floor)",
                "reference",
                f"{floor:.1f} ms p95 (median {statistics.median(samples['floor']):.1f})",
                True,
            )
        ]
        for name, label in (
            ("ledger", f"GET money ledger page, {EXPENSES:,} expenses, {PAYMENTS:,} payments"),
            ("balance", "GET /api/v1/.../expenses/balance, same family"),
        ):
            p95 = _p95(samples[name])
            results.append(
                Result(
                    label,
                    f"< {FACTOR:.0f}x the floor's p95 ({FACTOR * floor:.1f} ms)",
                    f"{p95:.1f} ms p95 ({p95 / floor:.1f}x; median "
                    f"{statistics.median(samples[name]):.1f})",
                    p95 < FACTOR * floor,
                )
            )
        return results
