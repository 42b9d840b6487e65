"""Migrations that move data, run from the state before them against rows made then."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from coparent.documents.models import DocumentChild
from coparent.families.models import Membership
from coparent.schedule.models import EventAttendee, EventChild
from tests.cast import Cast

# Each app's migration before its links carried the family key, and its newest.
BEFORE = [("schedule", "0006_lists_newest_first"), ("documents", "0001_initial")]
AFTER = [("schedule", "0008_links_family_required"), ("documents", "0003_links_family_required")]


def _migrate(targets: list[tuple[str, str]]):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_links_are_given_their_family(cast: Cast) -> None:
    old = _migrate(BEFORE)
    try:
        event = old.get_model("schedule", "Event").objects.create(
            family_id=cast.family_b.pk,
            title="Dentist",
            kind="medical",
            starts_at=dt.datetime(2026, 6, 1, 15, tzinfo=dt.UTC),
            ends_at=dt.datetime(2026, 6, 1, 16, tzinfo=dt.UTC),
            created_by_id=cast.charlie.pk,
        )
        event.children.add(cast.charlies_child.pk)
        charlie = Membership.objects.get(family=cast.family_b, user=cast.charlie)
        event.attendees.add(charlie.pk)
        document = old.get_model("documents", "Document").objects.create(
            family_id=cast.family_a.pk,
            title="School report",
            title_salt=b"\0" * 32,
            category="school_report",
            visibility="parents",
            created_by_id=cast.alice.pk,
        )
        document.children.add(cast.kit.pk)
    finally:
        _migrate(AFTER)
    assert EventChild.objects.get(event_id=event.pk).family_id == cast.family_b.pk
    assert EventAttendee.objects.get(event_id=event.pk).family_id == cast.family_b.pk
    assert DocumentChild.objects.get(document_id=document.pk).family_id == cast.family_a.pk
