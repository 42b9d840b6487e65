"""Appending to a family's record. Every state change in the app calls `record_append` inside
the same transaction as the change itself, so the change and its log entry commit together or
not at all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from coparent.records import keys
from coparent.records.models import FamilyLog, LogEntry, LogNode
from coparent.tlog import (
    Entry,
    Frontier,
    encode,
    format_checkpoint,
    frontier_append,
    leaf_hash,
    sign_note,
)
from coparent.tlog.entry import FieldValue

if TYPE_CHECKING:
    from coparent.accounts.models import User
    from coparent.families.models import Family

SYSTEM_ACTOR = "system"


def origin(family: Family) -> str:
    """The checkpoint's first line: names this server and this family's log, never a person."""
    host = urlsplit(settings.SITE_URL).netloc or "coparent.localhost"
    return f"{host}/family/{family.public_id}"


def family_lock(family: Family) -> FamilyLog:
    """Take the family's write lock, the row of its log (FOR NO KEY UPDATE). The one lock order
    (docs/ARCHITECTURE.md, "Locks"): this first, before a service reads what it decides on or
    locks, updates or deletes any row of the family; then the objects, no_key=True. Never the
    family row FOR UPDATE: foreign keys to the family take KEY SHARE on it at commit, and a
    FOR UPDATE holder waiting here deadlocks with the appender. On SQLite, BEGIN IMMEDIATE
    already serialises writers and this is a plain read.

    A write that stamps its own time (a message) takes it before stamping, so times follow the
    order in which writes commit and a reader paging by time never skips a row that committed
    late."""
    log = FamilyLog.objects.select_for_update(no_key=True).filter(family=family).first()
    if log is None:  # the family's first entry: create the row, then lock it like any other
        FamilyLog.objects.get_or_create(family=family)
        log = FamilyLog.objects.select_for_update(no_key=True).get(family=family)
    return log


@transaction.atomic
def record_append(
    *, family: Family, actor: User | None, kind: str, fields: Mapping[str, FieldValue]
) -> LogEntry:
    log = family_lock(family)
    now = timezone.now()
    entry = Entry(
        index=log.size,
        kind=kind,
        actor=str(actor.public_id) if actor is not None else SYSTEM_ACTOR,
        time=now,
        fields=dict(fields),
    )
    leaf = encode(entry)
    frontier, new_nodes = frontier_append(
        Frontier.from_blob(log.size, bytes(log.frontier)), leaf_hash(leaf)
    )
    row = LogEntry.objects.create(
        family=family, index=log.size, kind=kind, actor=actor, leaf=leaf, created_at=now
    )
    LogNode.objects.bulk_create(
        [
            LogNode(family=family, level=level, index=index, hash=value)
            for level, index, value in new_nodes
        ]
    )
    root = frontier.root()
    log.size = frontier.size
    log.frontier = frontier.to_blob()
    log.root = root
    log.checkpoint = sign_note(
        format_checkpoint(origin(family), frontier.size, root), keys.signer()
    )
    log.updated_at = now
    log.save(update_fields=["size", "frontier", "root", "checkpoint", "updated_at"])
    return row
