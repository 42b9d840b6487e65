"""The reports page: ask for a court report, watch it being written, download it."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from coparent.core.errors import ServiceError
from coparent.core.forms import add_service_error
from coparent.core.http import FamilyRequest
from coparent.core.tenancy import family_view, get_for_family
from coparent.families.models import Role
from coparent.reports import selectors, services
from coparent.reports.forms import ReportForm
from coparent.reports.models import Report, ReportStatus
from coparent.reports.pdf import paper_for_zone
from coparent.reports.sections import section_keys

WHO = [Role.PARENT, Role.PROFESSIONAL]


@login_required
@family_view(roles=WHO, read_only_may_post=True)
def report_list(request: FamilyRequest) -> HttpResponse:
    threads = selectors.thread_choices(request.family, request.membership)
    today = timezone.localdate()
    form = ReportForm(
        request.POST or None,
        threads=threads,
        journal_entries=selectors.journal_choices(request.membership),
        reader=request.membership,
        initial={
            "start": today - dt.timedelta(days=90),
            "end": today,
            "sections": section_keys(request.membership),
            "paper": paper_for_zone(timezone.get_current_timezone_name()),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.report_request(
                family=request.family,
                actor=request.membership,
                first=form.cleaned_data["start"],
                last=form.cleaned_data["end"],
                sections=form.cleaned_data["sections"],
                thread_ids=form.cleaned_data["threads"] or None,
                bates_prefix=form.cleaned_data["bates_prefix"],
                paper=form.cleaned_data["paper"] or None,
                journal_entry_ids=form.cleaned_data.get("journal_entries") or None,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("Your report is being written. It appears below when it is ready.")
            )
            return redirect("reports:list", request.family.public_id)
    reports = list(selectors.report_list(request.family, request.membership))
    return render(
        request,
        "reports/list.html",
        {"form": form, "reports": reports, "professional": request.membership.read_only},
    )


def _own(request: FamilyRequest, report_id: str) -> Report:
    """Only the member who asked can see a report; anyone else gets the same 404 as missing."""
    return get_for_family(
        Report.objects.filter(requested_by=request.membership),
        request.family,
        public_id=report_id,
    )


@login_required
@family_view(roles=WHO)
def report_status(request: FamilyRequest, report_id: str) -> HttpResponse:
    return render(request, "reports/_row.html", {"report": _own(request, report_id)})


def _file(request: FamilyRequest, report_id: str, *, tables: bool) -> FileResponse:
    report = _own(request, report_id)
    name = report.csv_name if tables else report.pdf_name
    if report.status != ReportStatus.READY or not name:
        raise Http404
    try:
        handle = (services.report_dir() / name).open("rb")
    except OSError:
        raise Http404 from None
    stem = f"report-{report.short_id}"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{stem}-tables.zip" if tables else f"{stem}.pdf",
        content_type="application/zip" if tables else "application/pdf",
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@family_view(roles=WHO)
def report_download(request: FamilyRequest, report_id: str) -> HttpResponse:
    return _file(request, report_id, tables=False)  # type: ignore[return-value]


@login_required
@family_view(roles=WHO)
def report_tables(request: FamilyRequest, report_id: str) -> HttpResponse:
    # A FileResponse streams the file (a report may be large); family_view passes it through.
    return _file(request, report_id, tables=True)  # type: ignore[return-value]
