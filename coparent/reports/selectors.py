"""Reads of court reports: a member sees only the reports they asked for."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.timezone import localtime

from coparent.families.models import Family, Membership, Role
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


def journal_choices(membership: Membership) -> list[tuple[str, str]]:
    """The member's own journal entries (newest first, up to 500) to choose from for the
    journal section; nobody else's, and none for a professional."""
    from coparent.journal.models import JournalEntry

    if membership.role != Role.PARENT:
        return []
    entries = JournalEntry.objects.filter(
        family_id=membership.family_id, author_id=membership.user_id
    ).order_by("-created_at", "-id")[:500]
    choices = []
    for entry in entries.only("public_id", "created_at", "body"):
        text = " ".join(entry.body.split())
        text = text if len(text) <= 60 else text[:59] + "…"
        choices.append(
            (
                str(entry.public_id),
                f"{date_format(localtime(entry.created_at), 'DATE_FORMAT')}: {text}",
            )
        )
    return choices


def thread_choices(family: Family, membership: Membership) -> list[tuple[str, str]]:
    threads = list(Thread.objects.filter(family=family).order_by("-last_message_at")[:200])
    readable = visible_threads(membership, {str(t.public_id) for t in threads})
    return [(str(t.public_id), t.subject) for t in threads if str(t.public_id) in readable]
