"""Asking for a court report, writing it on the worker, and deleting it after seven days.

A report changes nothing in the family, so asking for one is not a record entry (the entry would
also change the record the report proves); a professional's request shows in the access log.
Professionals may ask, within their access period: the period is cut to it.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coparent.core.errors import ServiceError
from coparent.families.models import Family, Membership, Role
from coparent.reports.build import ReportResult, check_sections, report_write
from coparent.reports.models import Report, ReportStatus
from coparent.reports.pdf import paper_for_zone

log = logging.getLogger(__name__)
BATES = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,19}")
MAX_DAYS = 366 * 10


def report_dir() -> Path:
    path = Path(settings.REPORT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def period_for(
    membership: Membership | None, first: dt.date, last: dt.date, zone: ZoneInfo
) -> tuple[dt.datetime, dt.datetime]:
    """[first day's start, the day after last's start) in the zone, as UTC; a professional's
    access period cuts it."""
    if last < first:
        raise ServiceError(_("The last day must not be before the first."), field="end")
    if (last - first).days > MAX_DAYS:
        raise ServiceError(_("A report covers at most ten years."), field="end")
    start = dt.datetime.combine(first, dt.time(), zone).astimezone(dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
    if membership is not None and membership.role == Role.PROFESSIONAL:
        start = max(start, membership.created_at)
        end = min(end, membership.access_until or timezone.now())
        if end <= start:
            raise ServiceError(
                _("Your access to this family does not cover that period."), field="start"
            )
    return start, end


def bates_check(prefix: str) -> str:
    prefix = prefix.strip().upper()
    if prefix and not BATES.fullmatch(prefix):
        raise ServiceError(
            _("Use up to 20 letters, digits, hyphens or underscores, such as FENWICK."),
            field="bates_prefix",
        )
    return prefix


def _own_journal_entries(actor: Membership, entry_ids: list[str]) -> list[str]:
    """The chosen journal entries, each the requester's own; anyone else's is refused as if it
    did not exist (the journal is private)."""
    from coparent.journal.models import JournalEntry

    wanted = []
    for value in entry_ids:
        try:
            wanted.append(uuid.UUID(str(value)))
        except ValueError:
            raise ServiceError(
                _("Choose entries of your own journal."), field="journal_entries"
            ) from None
    own = {
        str(public_id)
        for public_id in JournalEntry.objects.filter(
            family_id=actor.family_id, author_id=actor.user_id, public_id__in=wanted
        ).values_list("public_id", flat=True)
    }
    if len(own) != len({str(w) for w in wanted}):
        raise ServiceError(_("Choose entries of your own journal."), field="journal_entries")
    return sorted(own)


def report_request(
    *,
    family: Family,
    actor: Membership,
    first: dt.date,
    last: dt.date,
    sections: list[str],
    thread_ids: list[str] | None = None,
    bates_prefix: str = "",
    paper: str | None = None,
    journal_entry_ids: list[str] | None = None,
) -> Report:
    """Queues a report for the worker. Parents and professionals may ask; others may not."""
    if actor.role not in (Role.PARENT, Role.PROFESSIONAL):
        raise ServiceError(_("Only parents and professionals can make reports."), code="forbidden")
    zone = ZoneInfo(actor.user.timezone or settings.TIME_ZONE)
    start, end = period_for(actor, first, last, zone)
    sections = check_sections(sections, actor)
    prefix = bates_check(bates_prefix)
    if paper not in (None, "", "A4", "Letter"):
        raise ServiceError(_("Choose A4 or Letter."), field="paper")
    if journal_entry_ids:
        journal_entry_ids = _own_journal_entries(actor, journal_entry_ids)
    with transaction.atomic():
        report = Report.objects.create(
            family=family,
            requested_by=actor,
            start=start,
            end=end,
            zone=zone.key,
            paper=paper or paper_for_zone(zone.key),
            sections=sections,
            thread_ids=thread_ids or None,
            journal_entry_ids=journal_entry_ids or None,
            bates_prefix=prefix,
        )
        from coparent.reports.tasks import report_generate_task

        transaction.on_commit(lambda: report_generate_task.enqueue(report.pk))
    return report


def report_generate(report_pk: int) -> Report | None:
    """Writes the report's PDF and CSV tables. Safe to run again: only a queued report (or one
    a killed worker left running) is written."""
    with transaction.atomic():
        report = (
            Report.objects.select_for_update()
            .select_related("family", "requested_by__user")
            .filter(pk=report_pk, status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING])
            .first()
        )
        if report is None:
            return None
        report.status = ReportStatus.RUNNING
        report.progress = 0
        report.save(update_fields=["status", "progress"])
    name = str(report.public_id)
    pdf_path = report_dir() / f"{name}.pdf"
    csv_path = report_dir() / f"{name}-tables.zip"
    last = [0]

    def progress(fraction: float) -> None:
        percent = min(99, int(fraction * 100))
        if percent >= last[0] + 2:
            last[0] = percent
            Report.objects.filter(pk=report.pk).update(progress=percent)

    membership = report.requested_by
    try:
        # The worker writes the report in the language of the person who asked for it.
        with translation.override(membership.user.language):
            result = _report_write(report, membership, pdf_path, csv_path, progress)
    except ServiceError as error:
        pdf_path.unlink(missing_ok=True)
        csv_path.unlink(missing_ok=True)
        Report.objects.filter(pk=report.pk).update(
            status=ReportStatus.FAILED, error=error.message[:300]
        )
        return None
    now = timezone.now()
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.READY,
        progress=100,
        pdf_name=pdf_path.name,
        csv_name=csv_path.name,
        pages=result.pages,
        entries=result.entries,
        finished_at=now,
        expires_at=now + dt.timedelta(days=settings.REPORT_KEEP_DAYS),
    )
    report.refresh_from_db()
    return report


STUCK = dt.timedelta(days=1)


def reports_expire(now: dt.datetime | None = None) -> int:
    """Deletes the files of reports past their seven days; the row stays, marked expired. A
    report the worker gave up on (still queued or running a day later) is marked failed."""
    now = now or timezone.now()
    Report.objects.filter(
        status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING], requested_at__lt=now - STUCK
    ).update(status=ReportStatus.FAILED, error="The worker could not write it; ask again.")
    count = 0
    for report in Report.objects.filter(status=ReportStatus.READY, expires_at__lte=now):
        for name in (report.pdf_name, report.csv_name):
            if name:
                (report_dir() / name).unlink(missing_ok=True)
        Report.objects.filter(pk=report.pk, status=ReportStatus.READY).update(
            status=ReportStatus.EXPIRED, pdf_name="", csv_name=""
        )
        count += 1
    return count


def _report_write(
    report: Report,
    membership: Membership,
    pdf_path: Path,
    csv_path: Path,
    progress: Callable[[float], None],
) -> ReportResult:
    return report_write(
        pdf_path,
        csv_path,
        family=report.family,
        reader=membership,
        generated_by=f"{membership.user.display_name} ({membership.role_label})",
        start=report.start,
        end=report.end,
        zone=ZoneInfo(report.zone),
        sections=list(report.sections),
        thread_ids=report.thread_ids,
        journal_entry_ids=report.journal_entry_ids,
        bates_prefix=report.bates_prefix,
        report_id=report.short_id,
        paper=report.paper,
        progress=progress,
    )
