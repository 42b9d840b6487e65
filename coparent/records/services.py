"""Appending to a family's record. Every state change in the app calls `record_append` inside
the same transaction as the change itself, so the change and its log entry commit together or
not at all."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coparent.core.errors import ServiceError, Unavailable
from coparent.core.statements import Statement
from coparent.core.together import Together
from coparent.records import checkpoints, keys
from coparent.records.checkpoints import StoredCheckpoint
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
from coparent.tlog.rollback import KIND as ROLLBACK
from coparent.tlog.rollback import rollback_fields

if TYPE_CHECKING:
    from coparent.accounts.models import User
    from coparent.families.models import Family

SYSTEM_ACTOR = "system"
_LOG_FIELDS = ("origin", "size", "frontier", "root", "checkpoint", "updated_at")
logger = logging.getLogger("coparent.records")


class RecordUnavailable(Unavailable):
    """The log is behind, or forks from, the newest checkpoint this server has signed (a backup
    was restored): signing now would show the parents' witnesses a second history."""

    code = "record_unavailable"


def new_origin(family: Family) -> str:
    """The checkpoint's first line for a log that starts now: names this server and this
    family's log, never a person. Computed once and stored (FamilyLog.origin): a verifier pins
    it, so moving the site to another address must not change it."""
    host = urlsplit(settings.SITE_URL).netloc or "coparent.localhost"
    return f"{host}/family/{family.public_id}"


def origin(family: Family) -> str:
    stored = FamilyLog.objects.filter(family=family).values_list("origin", flat=True).first()
    return stored or new_origin(family)


# Every write of every family takes it: compiled once (core/statements.py).
_LOCK = Statement(
    lambda family: FamilyLog.objects.select_for_update(no_key=True).filter(family_id=family)[:1],
    family=int,
)


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
    found = _LOCK(family=family.pk)
    if not found:  # the family's first entry: create the row, then lock it like any other
        FamilyLog.objects.get_or_create(family=family)
        found = _LOCK(family=family.pk)
    log: FamilyLog = found[0]
    return log


def _newest_signed_problem(family: Family, log: FamilyLog) -> str | None:
    """Why appending to this log would contradict the newest checkpoint signed for it, if it
    would. Cheap when the two agree (a file read); a lagging file costs one query."""
    stored = checkpoints.newest(str(family.public_id))
    if stored is None or log.size == stored.size == 0:
        return None
    if stored.size > log.size:
        return (
            f"the log holds {log.size} entries but a checkpoint of {stored.size} was signed "
            f"(entries {log.size}-{stored.size - 1} are missing)"
        )
    if stored.size == log.size:
        return (
            None if bytes(log.root) == stored.root else "the log forks from the newest checkpoint"
        )
    from coparent.records.selectors import root_at

    if root_at(family, stored.size) != stored.root:
        return f"the log forks from the checkpoint of size {stored.size}"
    return None


def record_append(
    *,
    family: Family,
    actor: User | None,
    kind: str,
    fields: Mapping[str, FieldValue],
    locked: FamilyLog | None = None,
    writes: Together | None = None,
) -> LogEntry:
    """Append one entry. `locked` is the family's log as `family_lock` returned it earlier in
    this same transaction, so the lock is not taken twice; each append updates it in place.
    `writes` are the change's own writes, not yet run: they go with the entry's (on PostgreSQL in
    the same statement), so they must not depend on the entry's rows.

    Inside the change's transaction (the usual case) it takes no savepoint: a refusal comes
    before anything is written, and a failure while writing marks the whole transaction for
    rollback, so a change never commits with half an entry or without one."""
    if transaction.get_connection().in_atomic_block:
        return _append(
            family=family, actor=actor, kind=kind, fields=fields, log=locked, writes=writes
        )
    with transaction.atomic():
        return _append(
            family=family, actor=actor, kind=kind, fields=fields, log=locked, writes=writes
        )


def _append(
    *,
    family: Family,
    actor: User | None,
    kind: str,
    fields: Mapping[str, FieldValue],
    rolling_back: StoredCheckpoint | None = None,
    log: FamilyLog | None = None,
    writes: Together | None = None,
) -> LogEntry:
    if log is None:
        log = family_lock(family)
    elif log.family_id != family.pk:
        raise ValueError("the lock held is another family's")
    if rolling_back is None and (problem := _newest_signed_problem(family, log)):
        logger.error(
            "refusing to sign for family %s: %s. If a backup was restored on purpose, run "
            "`coparent records accept-rollback %s`.",
            family.public_id,
            problem,
            family.public_id,
        )
        raise RecordUnavailable(
            _(
                "The family record cannot be written right now, so nothing was saved. "
                "The server's operator has to check it first."
            )
        )
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
    root = frontier.root()
    if not log.origin:
        log.origin = new_origin(family)
    checkpoint = sign_note(format_checkpoint(log.origin, frontier.size, root), keys.signer())
    row = LogEntry(family=family, index=log.size, kind=kind, actor=actor, leaf=leaf, created_at=now)
    nodes = [
        LogNode(family=family, level=level, index=index, hash=value)
        for level, index, value in new_nodes
    ]
    log.size = frontier.size
    log.frontier = frontier.to_blob()
    log.root = root
    log.checkpoint = checkpoint
    log.updated_at = now
    if writes is None:
        writes = Together()
    writes.insert(row)
    writes.insert(*nodes)
    writes.update_row(FamilyLog, log.pk, **{name: getattr(log, name) for name in _LOG_FIELDS})
    writes.run()  # on PostgreSQL, one statement: the entry costs one round trip
    # After the commit, never before: the file must not get ahead of the database.
    if rolling_back:
        kept = partial(checkpoints.replace_after_rollback, str(family.public_id), checkpoint)
    else:
        signed = StoredCheckpoint(checkpoint, log.origin, frontier.size, root)
        kept = partial(checkpoints.remember, str(family.public_id), signed)
    transaction.on_commit(kept, robust=True)
    return row


@transaction.atomic
def record_rollback_accept(*, family: Family, backup: str, reason: str = "") -> LogEntry | None:
    """Put a signed rollback statement on the record of a family whose log is behind the newest
    checkpoint signed for it (a backup was restored), so witnesses see an explained rollback
    instead of a silent fork. None when the log is not behind."""
    log = family_lock(family)
    stored = checkpoints.newest(str(family.public_id))
    if stored is None or stored.size <= log.size:
        if _newest_signed_problem(family, log):
            raise ServiceError(
                _("The record forks from its newest signed checkpoint; that is not a rollback."),
                code="fork",
            )
        return None
    fields = rollback_fields(
        kept=log.size, checkpoint_note=stored.note, backup=backup, reason=reason
    )
    return _append(family=family, actor=None, kind=ROLLBACK, fields=fields, rolling_back=stored)
