"""One date format across the site: "Wed 17 Jun 2026", with "18:00" after a comma for times."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils.formats import date_format

from tests.cast import Cast

TEMPLATES = Path(__file__).resolve().parents[1] / "coparent" / "templates"


def test_the_formats_are_the_sites_own() -> None:
    day = dt.date(2026, 6, 17)
    assert date_format(day) == "Wed 17 Jun 2026"
    assert date_format(dt.datetime(2026, 6, 17, 18, 0), "DATETIME_FORMAT") == (
        "Wed 17 Jun 2026, 18:00"
    )


def test_templates_write_full_dates_only_through_the_named_formats() -> None:
    """A full date (day, month and year, or day, month and a time) in a template goes through
    DATE_FORMAT or DATETIME_FORMAT; short labels inside calendars (a weekday, "17 Jun") are
    fine."""
    full = re.compile(r"""\|date:["']([^"']*)["']""")
    offenders = []
    for path in TEMPLATES.rglob("*.*"):
        for found in full.findall(path.read_text()):
            has_day = any(c in found for c in "jd")
            has_more = any(c in found for c in "YyHGi")
            if has_day and has_more and found not in ("Y-m-d", "c"):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {found}")
    assert offenders == []


@pytest.mark.django_db
def test_pages_show_dates_in_that_format(cast: Cast, client_for) -> None:
    from tests.exchanges.helpers import daily_exchanges, next_exchange

    plan = daily_exchanges(cast)
    at = next_exchange()
    page = client_for(cast.alice).get(
        f"/f/{cast.family_a.public_id}/exchanges/{plan.public_id}/{int(at.timestamp())}/"
    )
    local = at.astimezone(dt.timezone(dt.timedelta(hours=-5)))  # Alice is in Chicago (CDT)
    assert f"Exchange on {date_format(local, 'DATETIME_FORMAT')}" in page.content.decode()
    home = client_for(cast.alice).get(f"/f/{cast.family_a.public_id}/").content.decode()
    assert "born " + date_format(cast.kit.date_of_birth) in home
