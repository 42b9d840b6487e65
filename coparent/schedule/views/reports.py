"""The parenting-time report and its CSV download."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from coparent.core import csv
from coparent.core.http import FamilyRequest
from coparent.core.tenancy import family_view
from coparent.schedule import forms, selectors
from coparent.schedule.views import PARENTS_AND_PROFESSIONALS


def _report_form(request: FamilyRequest) -> forms.ReportForm:
    today = timezone.localdate()
    data = request.GET if "date_from" in request.GET else None
    return forms.ReportForm(
        data,
        initial={
            "date_from": dt.date(today.year, 1, 1),
            "date_to": dt.date(today.year + 1, 1, 1),
            "rule": "tennessee",
        },
    )


def _report_values(form: forms.ReportForm) -> tuple[dt.date, dt.date, str] | None:
    if form.is_bound:
        if not form.is_valid():
            return None
        return (
            form.cleaned_data["date_from"],
            form.cleaned_data["date_to"],
            form.cleaned_data["rule"],
        )
    return form.initial["date_from"], form.initial["date_to"], form.initial["rule"]


@login_required
@family_view(roles=PARENTS_AND_PROFESSIONALS)
def report(request: FamilyRequest) -> HttpResponse:
    form = _report_form(request)
    values = _report_values(form)
    sections = selectors.report(request.family, request.membership, *values) if values else []
    query = ""
    if values:
        query = f"?date_from={values[0]}&date_to={values[1]}&rule={values[2]}"
    return render(
        request,
        "schedule/report.html",
        {"form": form, "sections": sections, "values": values, "query": query, "tab": "report"},
    )


@login_required
@family_view(roles=PARENTS_AND_PROFESSIONALS)
def report_csv(request: FamilyRequest) -> HttpResponse:
    form = _report_form(request)
    values = _report_values(form)
    if values is None:
        return HttpResponse(
            "; ".join(str(e) for errors in form.errors.values() for e in errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    first, last, rule = values
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="parenting-time-{first}-{last}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "children",
            "parent",
            "from",
            "to",
            "nights_in_period",
            "overnights",
            "overnights_percent",
            "hours",
            "hours_percent",
            f"days_{rule}",
            *(f"meets_{value}_overnights_scaled" for value, _label in selectors.THRESHOLDS),
        ]
    )
    for section in selectors.report(request.family, request.membership, first, last, rule):
        for row in section.rows:
            writer.writerow(
                [
                    section.label,
                    row.name,
                    first.isoformat(),
                    last.isoformat(),
                    section.nights,
                    row.overnights,
                    row.overnights_percent,
                    row.hours,
                    row.hours_percent,
                    row.days,
                    *("yes" if met else "no" for _label, _value, met in row.thresholds),
                ]
            )
    return response
