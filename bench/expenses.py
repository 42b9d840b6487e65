"""Shared expenses with 10 years of a family's money

Two parents and two children with 5,000 expenses (shares, answers of every kind, some corrected)
and 2,000 payments over ten years, in a temporary SQLite database. Each measured address is
requested through Django's test client, signed in (full middleware, tenancy, queries),
interleaved with the signed-in framework floor (`GET /api/v1/families/<id>`, the cheapest
signed-in family request), and its p95 must stay within 3x the floor's p95.

The ledger page is kept in memory until the family's record grows (core/fragments.py): the
measured line is a reader coming back to it. A first view after a change renders afresh; that
cost is measured too, with the kept pages forgotten before each request, and reported.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import Result, bench_family, django_on_sqlite

YEARS = 10
EXPENSES = 5_000
PAYMENTS = 2_000
RATIO = 3.0
REPEAT = 60

# (name, address maker): the address from the family's public id. Pages add themselves here.
MEASURED: list[tuple[str, Callable[[str], str]]] = [
    ("balance (API)", lambda family: f"/api/v1/families/{family}/expenses/balance"),
    ("ledger page", lambda family: f"/f/{family}/expenses/"),
]
FRESH = "ledger page"


def build_money_history(
    family: Any,
    payer: Any,
    other: Any,
    children: list[Any],
    *,
    years: int = YEARS,
    expenses: int = EXPENSES,
    payments: int = PAYMENTS,
    seed: int = 10,
) -> None:
    """Ten years of a family's money written directly in bulk (the services append one record
    entry each and refuse nothing about dates, but 7,000 signed entries would take minutes).
    `payer` and `other` are the two parents' memberships; both pay for things."""
    from django.utils import timezone

    from coparent.expenses.models import (
        Expense,
        ExpenseChild,
        ExpenseShare,
        ExpenseStatus,
        Payment,
        PaymentMethod,
        PaymentStatus,
        SplitSource,
    )

    rng = random.Random(seed)
    today = timezone.now().date()
    start = today - dt.timedelta(days=365 * years)
    categories = ["medical", "education", "childcare", "activities", "clothing", "travel", "other"]
    statuses = (
        [ExpenseStatus.APPROVED] * 14
        + [ExpenseStatus.PARTLY_APPROVED] * 2
        + [ExpenseStatus.DISPUTED] * 2
        + [ExpenseStatus.WITHDRAWN, ExpenseStatus.OVERDUE]
    )
    rows = []
    for n in range(expenses):
        by, asked = (payer, other) if n % 3 else (other, payer)
        amount = rng.randint(500, 60_000)
        share = amount // 2
        status = rng.choice(statuses)
        approved = None
        if status == ExpenseStatus.APPROVED:
            approved = share
        elif status == ExpenseStatus.PARTLY_APPROVED:
            approved = share // 2
        day = start + dt.timedelta(days=int(n * 365 * years / expenses))
        rows.append(
            Expense(
                family=family,
                description=f"Expense {n}",
                category=categories[n % len(categories)],
                date=day,
                amount_minor=amount,
                currency="USD" if n % 10 else "EUR",
                paid_by=by,
                split_source=SplitSource.RULES,
                debtor=asked,
                requested_minor=share,
                approved_minor=approved,
                status=status,
                respond_by=timezone.now() - dt.timedelta(days=1),
                created_by=by.user,
            )
        )
    made = Expense.objects.bulk_create(rows, batch_size=500)
    ExpenseShare.objects.bulk_create(
        [
            ExpenseShare(
                family=family,
                expense=e,
                member=m,
                percent=50,
                amount_minor=e.amount_minor - e.requested_minor
                if m == e.paid_by
                else e.requested_minor,
            )
            for e in made
            for m in (payer, other)
        ],
        batch_size=1000,
    )
    ExpenseChild.objects.bulk_create(
        [
            ExpenseChild(
                expense_id=e.pk, child_id=children[i % len(children)].pk, family_id=family.pk
            )
            for i, e in enumerate(made)
        ],
        batch_size=1000,
    )
    Payment.objects.bulk_create(
        [
            Payment(
                family=family,
                payer=other if n % 3 else payer,
                payee=payer if n % 3 else other,
                amount_minor=rng.randint(1_000, 30_000),
                currency="USD" if n % 10 else "EUR",
                date=start + dt.timedelta(days=int(n * 365 * years / payments)),
                method=PaymentMethod.BANK_TRANSFER,
                reference=f"Transfer {n}",
                status=PaymentStatus.CONFIRMED if n % 10 else PaymentStatus.PENDING,
                recorded_by=(other if n % 3 else payer).user,
            )
            for n in range(payments)
        ],
        batch_size=500,
    )


def _family() -> Any:
    made = bench_family(children=("Kit", "Robin"), zones=("America/Chicago", "America/New_York"))
    build_money_history(made.family, made.a, made.b, made.children)
    return made.alice, made.family


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as folder:
        django_on_sqlite(Path(folder))
        from django.core.cache import caches
        from django.test import Client

        user, family = _family()
        client = Client()
        client.force_login(user)
        family_id = str(family.public_id)
        floor_url = f"/api/v1/families/{family_id}"
        urls = [(name, make(family_id)) for name, make in MEASURED]
        samples: dict[str, list[float]] = {name: [] for name, _url in [("floor", ""), *urls]}
        fresh: list[float] = []
        for url in [floor_url] + [u for _n, u in urls]:
            assert client.get(url).status_code == 200, url  # warm, and it works
        for _round in range(REPEAT):
            for name, url in [("floor", floor_url), *urls]:
                start = time.perf_counter()
                response = client.get(url)
                samples[name].append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
            caches["pages"].clear()
            start = time.perf_counter()
            response = client.get(dict(urls)[FRESH])
            fresh.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        floor = _p95(samples["floor"])
        results = []
        for name, _url in urls:
            p95 = _p95(samples[name])
            results.append(
                Result(
                    f"{name}, {EXPENSES:,} expenses and {PAYMENTS:,} payments",
                    f"p95 <= {RATIO:.0f}x the signed-in floor ({floor:.1f} ms)",
                    f"p95 {p95:.1f} ms ({p95 / floor:.1f}x)",
                    p95 <= RATIO * floor,
                )
            )
        p95 = _p95(fresh)
        results.append(
            Result(
                f"{FRESH}, first view after a change (rendered afresh)",
                "reported",
                f"p95 {p95:.1f} ms ({p95 / floor:.1f}x; median {statistics.median(fresh):.1f})",
                True,
            )
        )
        return results
