"""Month calendar page with 10 years of history

A family with ten years of schedule versions (a change every six months), about 480 swap
requests (240 accepted) and about 1,000 events, in a temporary SQLite database. Times
`GET /f/<family>/calendar/` for this month and for a month five years back through Django's test
client (full middleware, templates and queries), warm (the agreed schedule parsed once and
cached in the process) and cold (the parse cache emptied before every request).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from bench.common import Result, django_on_sqlite, median_ms

TARGET_MS = 50.0
YEARS = 10
REPEAT = 15


def _family() -> tuple[Any, Any]:
    """Two parents and a child, made through the real services; the history below is written
    directly (services refuse to backdate, which is the point of them)."""
    from django.utils import timezone

    from coparent.accounts.models import User
    from coparent.families import services as family_services
    from coparent.families.models import Membership, Role
    from coparent.schedule.models import Event, Plan, ScheduleVersion, SwapRequest

    alice = User.objects.create_user(
        "alice@bench.test",
        "x" * 20,
        display_name="Alice",
        timezone="America/Chicago",
        email_verified=True,
    )
    bob = User.objects.create_user(
        "bob@bench.test",
        "x" * 20,
        display_name="Bob",
        timezone="America/New_York",
        email_verified=True,
    )
    family = family_services.family_create(actor=alice, name="Bench family")
    kit = family_services.child_add(
        family=family, actor=alice, first_name="Kit", date_of_birth=dt.date(2016, 5, 1)
    )
    _invitation, token = family_services.invitation_create(
        family=family, actor=alice, role=Role.PARENT
    )
    family_services.invitation_accept(token=token, user=bob)
    parents = list(Membership.objects.filter(family=family).order_by("created_at"))
    plan = Plan.objects.create(family=family, parent_a=parents[0], parent_b=parents[1])

    now = timezone.now()
    start = now - dt.timedelta(days=365 * YEARS)
    templates = ["2-2-3", "7-7", "2-2-5-5", "3-4-4-3"]
    versions = []
    for number in range(YEARS * 2):
        effective = start + dt.timedelta(days=182 * number)
        spec: dict[str, Any] = {
            "timezone": "America/Chicago",
            "parents": ["A", "B"],
            "rotation": {
                "template": templates[number % len(templates)],
                "anchor": effective.date().isoformat(),
                "first": "AB"[number % 2],
                "exchange_time": "18:00",
            },
            "holidays": [
                {
                    "name": "Thanksgiving",
                    "date": {"month": 11, "weekday": "TH", "nth": 4},
                    "start": {"days": -1, "time": "18:00"},
                    "end": {"days": 3, "time": "18:00"},
                    "parent": {"even": "A", "odd": "B"},
                },
                {
                    "name": "Christmas",
                    "date": {"month": 12, "day": 24},
                    "start": {"days": 0, "time": "13:00"},
                    "end": {"days": 2, "time": "13:00"},
                    "parent": {
                        "split": {"days": 1, "time": "13:00"},
                        "first_half": {"even": "A", "odd": "B"},
                    },
                },
            ],
        }
        versions.append(
            ScheduleVersion(
                family=family,
                plan=plan,
                spec=spec,
                effective_at=None if number == 0 else effective,
                status="accepted",
                proposed_by=alice,
                proposed_at=effective - dt.timedelta(days=10),
                decided_by=bob,
                decided_at=effective - dt.timedelta(days=5),
            )
        )
    ScheduleVersion.objects.bulk_create(versions)
    swaps = []
    for number in range(YEARS * 48):
        begins = start + dt.timedelta(days=7.6 * number + 2)
        swaps.append(
            SwapRequest(
                family=family,
                plan=plan,
                requested_by=alice if number % 2 else bob,
                start_at=begins,
                end_at=begins + dt.timedelta(days=1),
                respond_by=begins - dt.timedelta(days=1),
                reason="Bench swap",
                status="accepted" if number % 2 else "declined",
                requested_at=begins - dt.timedelta(days=3),
                decided_by=bob if number % 2 else alice,
                decided_at=begins - dt.timedelta(days=2),
            )
        )
    SwapRequest.objects.bulk_create(swaps)
    events = [
        Event(
            family=family,
            title=f"Event {number}",
            kind="activity",
            starts_at=start + dt.timedelta(days=3.6 * number, hours=3),
            ends_at=start + dt.timedelta(days=3.6 * number, hours=5),
            place="Sports hall",
            created_by=alice,
        )
        for number in range(YEARS * 100)
    ]
    Event.objects.bulk_create(events)
    for event in Event.objects.filter(family=family)[:500]:
        event.children.add(kit)
    return family, alice


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as directory:
        django_on_sqlite(Path(directory))
        from django.test import Client
        from django.utils import timezone

        from coparent.schedule import specs

        family, alice = _family()
        client = Client()
        client.force_login(alice)
        today = timezone.now().date()
        months = {
            "this month": f"{today:%Y-%m}",
            "a month 5 years back": f"{today.year - 5}-{today.month:02d}",
        }
        results = []
        for label, month in months.items():
            path = f"/f/{family.public_id}/calendar/?month={month}"

            def get(path: str = path) -> None:
                response = client.get(path)
                assert response.status_code == 200, response.status_code
                assert b"Alice" in response.content

            def get_cold(path: str = path) -> None:
                specs._PARSED.clear()
                get(path)

            for mode, function in (("warm", get), ("cold parse cache", get_cold)):
                measured = median_ms(function, repeat=REPEAT, warmup=2)
                results.append(
                    Result(
                        name=f"month page, {label}, 10 years of history ({mode})",
                        target=f"< {TARGET_MS:.0f} ms",
                        measured=f"{measured:.1f} ms (median of {REPEAT})",
                        met=measured < TARGET_MS,
                    )
                )
        return results
