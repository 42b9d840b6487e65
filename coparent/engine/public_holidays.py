"""Public holidays by name and year from the `holidays` package, cached per country and year."""

from __future__ import annotations

import threading
from datetime import date

import holidays

_CACHE: dict[tuple[str, str | None], dict[int, dict[str, tuple[date, ...]]]] = {}
_LOCK = threading.Lock()


def holidays_by_name(
    country: str, subdiv: str | None, years: range
) -> dict[int, dict[str, tuple[date, ...]]]:
    """{year: {holiday name: dates}}; raises NotImplementedError for an unknown country.

    Missing years are built in one call: each `holidays` instance costs a fixed overhead.
    """
    with _LOCK:
        known = _CACHE.setdefault((country, subdiv), {})
        missing = [year for year in years if year not in known]
        if missing:
            found: dict[int, dict[str, list[date]]] = {year: {} for year in missing}
            table = holidays.country_holidays(country, subdiv=subdiv, years=missing)
            for day, names in table.items():
                if day.year in found:
                    for name in names.split(";"):
                        found[day.year].setdefault(name.strip(), []).append(day)
            for year, by_name in found.items():
                known[year] = {name: tuple(days) for name, days in by_name.items()}
        return {year: known[year] for year in years}


def clear() -> None:
    with _LOCK:
        _CACHE.clear()


def match_holiday_name(query: str, names: set[str]) -> str | None:
    """The holiday `query` names: an exact match, else the one name it begins (observed days
    excluded, so "Juneteenth" is the day itself, not the Monday off when it falls on a Sunday)."""
    lowered = {name.lower(): name for name in names}
    if query.lower() in lowered:
        return lowered[query.lower()]
    prefixed = [
        name
        for key, name in lowered.items()
        if key.startswith(query.lower()) and "observed" not in key.removeprefix(query.lower())
    ]
    return prefixed[0] if len(prefixed) == 1 else None
