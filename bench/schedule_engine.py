"""Schedule engine: 18 years of a 2-2-3 plan with holidays, a recurring block and overrides.

Times `parse_spec` plus the timeline and its counts, once with the engine's caches (zone
transitions, public-holiday tables) emptied before every run and once with them warm.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bench.common import Result, median_ms
from coparent.engine import COMMON_HOLIDAYS, parse_spec, window
from coparent.engine.timeline import clear_caches

TARGET_MS = 50.0


def eighteen_year_spec() -> dict[str, Any]:
    holidays = [holiday.as_rule("A", "B") for holiday in COMMON_HOLIDAYS[:11]]
    holidays.append(
        {
            "name": "Juneteenth",
            "date": {
                "public": "US",
                "subdiv": "TX",
                "holiday": "Juneteenth National Independence Day",
            },
            "start": {"days": 0, "time": "09:00"},
            "end": {"days": 0, "time": "19:00"},
            "parent": {"even": "B", "odd": "A"},
        }
    )
    overrides = []
    for number in range(50):
        first = date(2026, 1, 10) + timedelta(days=131 * number)
        overrides.append(
            {
                "start": f"{first.isoformat()}T10:00",
                "end": f"{(first + timedelta(days=3)).isoformat()}T18:00",
                "parent": "AB"[number % 2],
                "name": f"trip {number}",
            }
        )
    return {
        "timezone": "America/Chicago",
        "parents": ["A", "B"],
        "day_rule": "arizona",
        "rotation": {
            "template": "2-2-3",
            "anchor": "2026-01-05",
            "first": "A",
            "exchange_time": "18:00",
        },
        "recurring": [
            {
                "rrule": "FREQ=MONTHLY;BYDAY=1FR,3FR,5FR",
                "start_time": "18:00",
                "end": {"days": 2, "time": "18:00"},
                "parent": "B",
                "name": "SPO weekend",
            }
        ],
        "holidays": holidays,
        "overrides": overrides,
    }


def run() -> list[Result]:
    spec = eighteen_year_spec()

    def compute() -> object:
        schedule = parse_spec(spec)
        timeline = schedule.timeline(*window(schedule, date(2026, 1, 1), date(2044, 1, 1)))
        return timeline.summary()

    def compute_cold() -> object:
        clear_caches()
        return compute()

    results = []
    for label, function in (("cold caches", compute_cold), ("warm caches", compute)):
        measured = median_ms(function, repeat=15, warmup=2)
        results.append(
            Result(
                name=f"18 years of 2-2-3, 12 holidays, 1 recurring block, 50 overrides, "
                f"with counts ({label})",
                target=f"< {TARGET_MS:.0f} ms",
                measured=f"{measured:.1f} ms (median of 15)",
                met=measured < TARGET_MS,
            )
        )
    return results
