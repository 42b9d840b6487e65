"""Build an export bundle of a family's record: all of it, or one thread or a date range with
inclusion proofs. Readable fields come from the apps that wrote the entries (disclosure.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import IO

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from coparent.core.errors import ServiceError
from coparent.families.models import Family, Membership
from coparent.records import keys, selectors
from coparent.records.disclosure import Disclosure, disclose, visible_threads
from coparent.records.models import LogEntry
from coparent.tlog import BundleEntry, NoteError, build_bundle, decode
from coparent.tlog.rollback import KIND as ROLLBACK


def _names(entries: list[LogEntry]) -> dict[int | None, str]:
    from coparent.accounts.models import User

    ids = {e.actor_id for e in entries if e.actor_id}
    names: dict[int | None, str] = {None: "coparent (system)"}
    names.update(User.objects.filter(pk__in=ids).values_list("pk", "display_name"))
    return names


def _when(moment: dt.datetime | None, default: str) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M") if moment else default


def export_bundle(
    out: str | Path | IO[bytes],
    *,
    family: Family,
    reader: Membership | None = None,
    thread_id: str | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> int:
    """Writes the bundle; returns how many entries it holds. With a thread or a period the
    export is partial: only matching entries, each with its inclusion proof. A `reader` (a
    member exporting from the app) gets readable content only of conversations they are in;
    the operator's command passes none and gets everything."""
    checkpoint = selectors.checkpoint_get(family)
    queryset: QuerySet[LogEntry] = LogEntry.objects.filter(family=family, index__lt=checkpoint.size)
    partial = thread_id is not None or start is not None or end is not None
    if start is not None:
        queryset = queryset.filter(created_at__gte=start)
    if end is not None:
        queryset = queryset.filter(created_at__lt=end)
    entries = list(queryset.order_by("index"))
    disclosed = disclose(entries, reader)
    if thread_id is not None:
        if not visible_threads(reader, {thread_id}):
            raise ServiceError(
                _("That conversation has no entries in the record."), code="not_found"
            )
        entries = [e for e in entries if (d := disclosed.get(e.index)) and d.thread_id == thread_id]
        if not entries:
            raise ServiceError(
                _("That conversation has no entries in the record."), code="not_found"
            )
    if partial and len(entries) == checkpoint.size:
        # The thread or period takes in every entry (a range from before the family began): it
        # is the whole record, and saying "partial" would make a reader look for what is missing.
        partial = False
    what = []
    if thread_id is not None:
        what.append("one conversation")
    if start is not None or end is not None:
        what.append(f"entries from {_when(start, 'the start')} to {_when(end, 'now')} (UTC)")
    description = (
        f"Part of the family record of {family.name}: " + " and ".join(what)
        if partial
        else f"The whole family record of {family.name}, {checkpoint.size} entries."
    )
    return bundle_write(
        out,
        family=family,
        entries=entries,
        checkpoint=checkpoint,
        disclosed=disclosed,
        partial=partial,
        description=description,
    )


def bundle_write(
    out: str | Path | IO[bytes],
    *,
    family: Family,
    entries: list[LogEntry],
    checkpoint: selectors.CheckpointView,
    disclosed: dict[int, Disclosure],
    partial: bool,
    description: str,
) -> int:
    """Writes a bundle of exactly these entries (in log order) against the checkpoint, with
    inclusion proofs when partial; a court report embeds one for the entries it prints."""
    names = _names(entries)
    items = []
    for entry in entries:
        found = disclosed.get(entry.index)
        items.append(
            BundleEntry(
                leaf=bytes(entry.leaf),
                author=names.get(entry.actor_id, "former member"),
                content=found.content if found else None,
                salt=found.salt if found else None,
                thread_subject=found.thread_subject if found else None,
            )
        )
    proofs = None
    if partial:
        proofs = selectors.inclusion_proofs(family, [e.index for e in entries], checkpoint.size)
    try:
        build_bundle(
            out,
            entries=items,
            checkpoint_note=checkpoint.note,
            verifier_key=keys.verifier_key_for(checkpoint.note),
            # A rollback statement quotes a checkpoint perhaps signed by a key retired since.
            other_keys=[
                keys.verifier_key_for(str(decode(bytes(e.leaf)).fields["checkpoint"]))
                for e in entries
                if e.kind == ROLLBACK
            ],
            family=str(family.public_id),
            description=description,
            partial=partial,
            proofs=proofs,
        )
    except NoteError as error:
        raise ServiceError(
            _("The record's checkpoint is not signed by a key this server publishes (%(error)s).")
            % {"error": error},
            code="unverifiable",
        ) from error
    return len(items)
