"""API operations for court reports: ask for one, follow its progress, download it."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from django.http import FileResponse, Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from coparent.api.base import family_membership
from coparent.core.inputs import Day, Text
from coparent.core.tenancy import get_for_family
from coparent.families.models import Membership, Role
from coparent.reports import selectors, services
from coparent.reports.models import Report, ReportStatus

router = Router(tags=["reports"])
WHO = [Role.PARENT, Role.PROFESSIONAL]


class ReportIn(Schema):
    start: Day
    end: Annotated[Day, Field(description="The last day of the period, included.")]
    sections: Annotated[
        list[Annotated[str, Text(20, required=True)]],
        Field(min_length=1, max_length=10, description="Section keys, such as messages."),
    ]
    threads: Annotated[list[uuid.UUID], Field(max_length=200)] = []
    bates_prefix: Annotated[str, Text(20)] = ""
    paper: Annotated[str, Text(6)] = ""
    journal_entries: Annotated[
        list[uuid.UUID],
        Field(
            max_length=500,
            description="Your own journal entries for the journal section (none: all yours in "
            "the period).",
        ),
    ] = []


class ReportOut(Schema):
    id: uuid.UUID
    status: str
    progress: int
    requested_at: dt.datetime
    start: dt.datetime
    end: dt.datetime
    time_zone: str
    sections: list[str]
    bates_prefix: str
    pages: int
    entries: int
    expires_at: dt.datetime | None
    error: str


def _out(report: Report) -> ReportOut:
    return ReportOut(
        id=report.public_id,
        status=report.status,
        progress=report.progress,
        requested_at=report.requested_at,
        start=report.start,
        end=report.end,
        time_zone=report.zone,
        sections=list(report.sections),
        bates_prefix=report.bates_prefix,
        pages=report.pages,
        entries=report.entries,
        expires_at=report.expires_at,
        error=report.error,
    )


def _own(membership: Membership, report_id: str) -> Report:
    return get_for_family(
        Report.objects.filter(requested_by=membership), membership.family, public_id=report_id
    )


@router.post(
    "/families/{family_id}/reports",
    response={202: ReportOut},
    summary="Ask for a court report (written on the worker)",
)
def report_create(request: HttpRequest, family_id: str, payload: ReportIn) -> Status[ReportOut]:
    membership = family_membership(request, family_id, roles=WHO, read_only_may_post=True)
    report = services.report_request(
        family=membership.family,
        actor=membership,
        first=payload.start,
        last=payload.end,
        sections=list(payload.sections),
        thread_ids=[str(t) for t in payload.threads] or None,
        bates_prefix=payload.bates_prefix,
        paper=payload.paper or None,
        journal_entry_ids=[str(e) for e in payload.journal_entries] or None,
    )
    return Status(202, _out(report))


@router.get("/families/{family_id}/reports", response=list[ReportOut], summary="Your court reports")
def report_list(request: HttpRequest, family_id: str) -> list[ReportOut]:
    membership = family_membership(request, family_id, roles=WHO)
    return [_out(r) for r in selectors.report_list(membership.family, membership)]


@router.get(
    "/families/{family_id}/reports/{report_id}",
    response=ReportOut,
    summary="A court report's status and progress",
)
def report_get(request: HttpRequest, family_id: str, report_id: str) -> ReportOut:
    membership = family_membership(request, family_id, roles=WHO)
    return _out(_own(membership, report_id))


PDF_RESPONSE: dict[str, Any] = {
    "responses": {
        "200": {
            "description": "The report (PDF, with the record bundle attached)",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get(
    "/families/{family_id}/reports/{report_id}/pdf",
    summary="Download a ready court report (only the member who asked)",
    openapi_extra=PDF_RESPONSE,
)
def report_pdf(request: HttpRequest, family_id: str, report_id: str) -> FileResponse:
    membership = family_membership(request, family_id, roles=WHO)
    report = _own(membership, report_id)
    if report.status != ReportStatus.READY or not report.pdf_name:
        raise Http404
    try:
        handle = (services.report_dir() / report.pdf_name).open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"report-{report.short_id}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "no-store"
    return response
