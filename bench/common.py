"""Shared helpers for benchmarks: a result row and a timer that reports the median."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Result:
    name: str
    target: str
    measured: str
    met: bool

    def line(self) -> str:
        return (
            f"{self.name}: {self.measured} (target {self.target}) {'ok' if self.met else 'MISSED'}"
        )


def median_ms(fn: Callable[[], object], *, repeat: int = 7, warmup: int = 1) -> float:
    """Median wall time of `fn` in milliseconds over `repeat` runs, after `warmup` runs."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def django_on_sqlite(directory: Path) -> None:
    """Sets Django up on a fresh SQLite database (and var directory) in `directory`, migrated.
    Benchmarks run one after another in one process, so a later one re-points the connection."""
    os.environ["COPARENT_VAR_DIR"] = str(directory)
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "coparent.test_settings"
    # As served: with DEBUG on, every template is parsed again on every request and every query
    # is kept in memory, which measures the development server rather than the code.
    os.environ["DEBUG"] = "0"
    import django
    from django.conf import settings

    if settings.configured:
        from django.db import connection

        connection.close()
        connection.settings_dict["NAME"] = str(directory / "bench.sqlite3")
        settings.MESSAGING_ATTACHMENT_DIR = str(directory / "attachments")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


@dataclass(frozen=True)
class BenchFamily:
    """Two parents and their children, made through the services as a real family would be."""

    alice: Any
    bob: Any
    family: Any
    children: list[Any]
    a: Any  # Alice's membership
    b: Any  # Bob's


def bench_family(
    *, children: tuple[str, ...] = (), zones: tuple[str, str] = ("UTC", "UTC")
) -> BenchFamily:
    import datetime as dt

    from coparent.accounts.models import User
    from coparent.families import services as family_services
    from coparent.families.models import Membership, Role

    alice, bob = (
        User.objects.create_user(
            f"{name.lower()}@bench.test",
            "x" * 20,
            display_name=name,
            timezone=zone,
            email_verified=True,
        )
        for name, zone in zip(("Alice", "Bob"), zones, strict=True)
    )
    family = family_services.family_create(actor=alice, name="Bench family")
    kids = [
        family_services.child_add(
            family=family, actor=alice, first_name=name, date_of_birth=dt.date(2016, 5, 1)
        )
        for name in children
    ]
    _invitation, token = family_services.invitation_create(
        family=family, actor=alice, role=Role.PARENT
    )
    family_services.invitation_accept(token=token, user=bob)
    a, b = list(Membership.objects.filter(family=family).order_by("created_at"))
    return BenchFamily(alice, bob, family, kids, a, b)
