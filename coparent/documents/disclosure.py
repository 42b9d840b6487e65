"""What an export shows of document entries: the title (with its salt) and each version's file.

Each entry names its document's id as its "thread", which is no conversation anyone is in: a
member's export keeps these entries as hashes (the document visibility is not known there), an
operator's export (for a court) shows them."""

from __future__ import annotations

import uuid

from coparent.documents.models import Document, DocumentVersion
from coparent.messaging import files
from coparent.records.disclosure import Disclosure, register_disclosure
from coparent.records.models import LogEntry
from coparent.tlog import content_hash, decode


def _ids(entries: list[LogEntry], name: str) -> dict[int, uuid.UUID]:
    found = {}
    for entry in entries:
        try:
            found[entry.index] = uuid.UUID(str(decode(bytes(entry.leaf)).fields.get(name)))
        except ValueError:
            continue
    return found


def _hashes(entries: list[LogEntry], name: str) -> dict[int, str]:
    return {e.index: str(decode(bytes(e.leaf)).fields.get(name, "")) for e in entries}


@register_disclosure("document.added")
@register_disclosure("document.changed")
def _titles(entries: list[LogEntry]) -> dict[int, Disclosure]:
    ids = _ids(entries, "document")
    documents = {
        d.public_id: d
        for d in Document.objects.filter(family_id=entries[0].family_id, public_id__in=ids.values())
    }
    hashes = _hashes(entries, "title")
    found = {}
    for index, public_id in ids.items():
        document = documents.get(public_id)
        if document is None:
            continue
        title = document.title.encode("utf-8")
        salt = bytes(document.title_salt)
        # Only the current title's salt is kept: an entry with an earlier title stays a hash.
        readable = content_hash(salt, title) == hashes.get(index)
        found[index] = Disclosure(
            content=title if readable else None,
            salt=salt if readable else None,
            thread_id=str(public_id),
        )
    return found


@register_disclosure("document.version_added")
def _versions(entries: list[LogEntry]) -> dict[int, Disclosure]:
    ids = _ids(entries, "version")
    versions = {
        v.public_id: v
        for v in DocumentVersion.objects.filter(
            family_id=entries[0].family_id, public_id__in=ids.values()
        ).select_related("document")
    }
    found = {}
    for index, public_id in ids.items():
        version = versions.get(public_id)
        if version is None:
            continue
        try:
            content: bytes | None = files.read(version.stored_name)
        except OSError:
            content = None
        found[index] = Disclosure(
            content=content,
            salt=bytes(version.salt) if content is not None else None,
            thread_id=str(version.document.public_id),
        )
    return found
