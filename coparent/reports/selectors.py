"""Reads of court reports: a member sees only the reports they asked for."""

from __future__ import annotations

from django.db.models import QuerySet

from coparent.families.models import Family, Membership
from coparent.messaging.models import Thread
from coparent.records.disclosure import visible_threads
from coparent.reports.models import Report

LIST_LIMIT = 50


def report_list(family: Family, membership: Membership) -> QuerySet[Report]:
    return (
        Report.objects.filter(family=family, requested_by=membership)
        .select_related("family")
        .order_by("-requested_at")[:LIST_LIMIT]
    )


def thread_choices(family: Family, membership: Membership) -> list[tuple[str, str]]:
    threads = list(Thread.objects.filter(family=family).order_by("-last_message_at")[:200])
    readable = visible_threads(membership, {str(t.public_id) for t in threads})
    return [(str(t.public_id), t.subject) for t in threads if str(t.public_id) in readable]
