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


def new_origin(family: Family) -> str:
    """The checkpoint's first line for a log that starts now: names this server and this
    family's log, never a person. Computed once and stored (FamilyLog.origin): a verifier pins
    it, so moving the site to another address must not change it."""
    host = urlsplit(settings.SITE_URL).netloc or "coparent.localhost"
    return f"{host}/family/{family.public_id}"


def origin(family: Family) -> str:
    stored = FamilyLog.objects.filter(family=family).values_list("origin", flat=True).first()
    return stored or new_origin(family)


def lock_log(family: Family) -> FamilyLog:
    """Take the family's log lock now. A write that stamps its own time (a message) takes it
    first, so times follow the order in which writes commit and a reader paging by time never
    skips a row that committed late."""
    return _locked_log(family)


def _locked_log(family: Family) -> FamilyLog:
    FamilyLog.objects.get_or_create(family=family)
    # The row lock serialises appends per family on PostgreSQL; on SQLite the write
    # transaction (BEGIN IMMEDIATE) already does. Either way no index is skipped or forked.
    return FamilyLog.objects.select_for_update().get(family=family)


@transaction.atomic
def record_append(
    *, family: Family, actor: User | None, kind: str, fields: Mapping[str, FieldValue]
) -> LogEntry:
    log = _locked_log(family)
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
    if not log.origin:
        log.origin = new_origin(family)
    log.checkpoint = sign_note(format_checkpoint(log.origin, frontier.size, root), keys.signer())
    log.updated_at = now
    log.save(update_fields=["origin", "size", "frontier", "root", "checkpoint", "updated_at"])
    return row
