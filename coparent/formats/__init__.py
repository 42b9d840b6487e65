"""Project date and time formats, one module per language (en/formats.py, es/formats.py): one
way of writing a date across the site ("Wed 17 Jun 2026", "mié 17 jun 2026"). Code formats
through Django's named formats or the helpers here, never a format string of its own."""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format, time_format


def month_day_time(moment: dt.datetime) -> str:
    """A moment near enough not to need its year: "Thu 18 Jun, 18:00", "jue 18 jun, 18:00"."""
    return f"{date_format(moment, 'MONTH_DAY_FORMAT')}, {time_format(moment, 'TIME_FORMAT')}"
