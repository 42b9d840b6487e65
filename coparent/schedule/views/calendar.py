"""The family calendar: month, week and agenda."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coparent.core import fragments
from coparent.core.forms import FIRST_DAY, LAST_DAY
from coparent.core.http import FamilyRequest
from coparent.core.tenancy import family_view
from coparent.schedule import selectors
from coparent.schedule.views import READERS


def _date_param(request: FamilyRequest, name: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return timezone.localdate()
    return day if FIRST_DAY <= day <= LAST_DAY else timezone.localdate()


@login_required
@family_view(roles=READERS)
def calendar_month(request: FamilyRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        first_of_month = dt.date(year, month, 1)
    except ValueError:
        first_of_month = today.replace(day=1)
    if not FIRST_DAY <= first_of_month <= LAST_DAY:
        first_of_month = today.replace(day=1)

    def context() -> dict[str, object]:
        first, last = selectors.month_grid(first_of_month.year, first_of_month.month)
        view = selectors.calendar(
            request.family, request.membership, first, last, month=first_of_month.month
        )
        return {
            "calendar": view,
            "weeks": [view.days[i : i + 7] for i in range(0, len(view.days), 7)],
            "month": first_of_month,
            "previous": (first_of_month - dt.timedelta(days=1)).replace(day=1),
            "following": (first_of_month + dt.timedelta(days=32)).replace(day=1),
            "today": today,
            "tab": "month",
        }

    return fragments.render_kept(
        request, _("Calendar"), "schedule/month.html", context, vary=[today]
    )


@login_required
@family_view(roles=READERS)
def calendar_week(request: FamilyRequest) -> HttpResponse:
    day = _date_param(request, "date")
    first = day - dt.timedelta(days=day.weekday())
    title = _("Week of %(date)s") % {"date": date_format(first)}

    def context() -> dict[str, object]:
        view = selectors.calendar(
            request.family, request.membership, first, first + dt.timedelta(6)
        )
        return {
            "calendar": view,
            "days": view.days,
            "title": title,
            "previous": first - dt.timedelta(days=7),
            "following": first + dt.timedelta(days=7),
            "tab": "week",
            "show_quiet": True,
        }

    return fragments.render_kept(
        request, title, "schedule/days.html", context, vary=[timezone.localdate()]
    )


@login_required
@family_view(roles=READERS)
def calendar_agenda(request: FamilyRequest) -> HttpResponse:
    first = _date_param(request, "date")
    title = _("Next 30 days from %(date)s") % {"date": date_format(first)}

    def context() -> dict[str, object]:
        view = selectors.calendar(
            request.family, request.membership, first, first + dt.timedelta(29)
        )
        return {
            "calendar": view,
            "days": [d for d in view.days if not d.quiet or d.is_today],
            "title": title,
            "previous": first - dt.timedelta(days=30),
            "following": first + dt.timedelta(days=30),
            "tab": "agenda",
            "show_quiet": False,
        }

    return fragments.render_kept(
        request, title, "schedule/days.html", context, vary=[timezone.localdate()]
    )
