"""Building schedule data through the real services, for the schedule tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from coparent.schedule import services
from coparent.schedule.models import ScheduleVersion, SwapRequest
from tests.cast import Cast


def two_two_three(**extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "timezone": "America/Chicago",
        "parents": ["A", "B"],
        "rotation": {
            "template": "2-2-3",
            "anchor": "2026-01-05",
            "first": "A",
            "exchange_time": "18:00",
        },
    }
    spec.update(extra)
    return spec


def week_on_week_off(first: str = "A") -> dict[str, Any]:
    return {
        "timezone": "America/Chicago",
        "parents": ["A", "B"],
        "rotation": {"template": "7-7", "anchor": "2026-01-02", "first": first},
    }


def agreed(cast: Cast, spec: dict[str, Any] | None = None, **kwargs: Any) -> ScheduleVersion:
    """Alice proposes, Bob accepts."""
    version = services.schedule_propose(
        family=cast.family_a, actor=cast.alice, spec=spec or two_two_three(), **kwargs
    )
    return services.schedule_accept(family=cast.family_a, actor=cast.bob, version=version)


def soon(days: float, hour: int = 18) -> dt.datetime:
    moment = timezone.now() + dt.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def swap(
    cast: Cast, version: ScheduleVersion, *, by=None, days: float = 10, **kwargs: Any
) -> SwapRequest:
    values: dict[str, Any] = {
        "start_at": soon(days),
        "end_at": soon(days + 2),
        "respond_by": soon(days - 3),
        "reason": "Grandma's birthday",
    }
    values.update(kwargs)
    return services.swap_request(
        family=cast.family_a, actor=by or cast.alice, plan=version.plan, **values
    )
