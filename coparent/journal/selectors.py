"""Reads of the journal. The author reads their own entries; a professional reads only what an
active share gives them, with each entry's proof. Nobody else reads anything here: every
function takes the reader's membership and answers only for it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from coparent.core.tenancy import get_for_family
from coparent.families.models import Family, Membership, Role
from coparent.journal.models import JournalEntry, JournalPhoto, JournalShare
from coparent.records import keys
from coparent.records import selectors as records
from coparent.records.models import LogEntry
from coparent.tlog import (
    NoteError,
    ProofError,
    content_hash,
    decode,
    leaf_hash,
    open_note,
    parse_checkpoint,
    verify_inclusion,
)


def _entries(family_id: int) -> QuerySet[JournalEntry]:
    return (
        JournalEntry.objects.filter(family_id=family_id)
        .select_related("author", "corrects")
        .prefetch_related(
            Prefetch("photos", queryset=JournalPhoto.objects.order_by("position")),
            Prefetch("corrections", queryset=JournalEntry.objects.order_by("created_at")),
        )
    )


def entry_list(membership: Membership) -> list[JournalEntry]:
    """The member's own entries, newest first."""
    return list(_entries(membership.family_id).filter(author_id=membership.user_id))


def entry_get(membership: Membership, entry_id: object) -> JournalEntry:
    """One of the member's own entries, or 404: another person's entry is as missing."""
    return get_for_family(
        _entries(membership.family_id).filter(author_id=membership.user_id),
        membership.family,
        public_id=entry_id,
    )


def share_list(membership: Membership) -> list[JournalShare]:
    """What the member shares of their journal, newest first."""
    return list(
        JournalShare.objects.filter(
            family_id=membership.family_id, author_id=membership.user_id
        ).select_related("professional__user", "entry")
    )


def share_get(membership: Membership, share_id: object) -> JournalShare:
    return get_for_family(
        JournalShare.objects.filter(author_id=membership.user_id).select_related(
            "professional__user"
        ),
        membership.family,
        public_id=share_id,
    )


def professionals(family: Family) -> QuerySet[Membership]:
    return (
        Membership.objects.active()
        .filter(family=family, role=Role.PROFESSIONAL)
        .select_related("user")
    )


def _shared_filter(shares: list[JournalShare]) -> Q | None:
    condition: Q | None = None
    for share in shares:
        part = (
            Q(pk=share.entry_id)
            if share.entry_id
            else Q(created_at__gte=share.starts_at, created_at__lt=share.ends_at)
        )
        part &= Q(author_id=share.author_id)
        condition = part if condition is None else condition | part
    return condition


def shared_entries(membership: Membership) -> list[JournalEntry]:
    """The entries active shares give this professional, oldest first. Anyone else: none."""
    if membership.role != Role.PROFESSIONAL:
        return []
    shares = list(
        JournalShare.objects.filter(
            family_id=membership.family_id, professional=membership, revoked_at__isnull=True
        )
    )
    condition = _shared_filter(shares)
    if condition is None:
        return []
    return list(_entries(membership.family_id).filter(condition).order_by("created_at", "id"))


def photo_get(membership: Membership, entry_id: object, photo_id: object) -> JournalPhoto:
    """A photo its author may see, or a professional through an active share; else 404."""
    if membership.role == Role.PROFESSIONAL:
        entries = {str(e.public_id): e for e in shared_entries(membership)}
        entry = entries.get(str(entry_id))
        if entry is None:
            return get_for_family(
                JournalPhoto.objects.none(), membership.family, public_id=photo_id
            )
    else:
        entry = entry_get(membership, entry_id)
    return get_for_family(
        JournalPhoto.objects.filter(entry=entry), membership.family, public_id=photo_id
    )


@dataclass(frozen=True)
class PhotoProof:
    photo: JournalPhoto
    salt: bytes


@dataclass(frozen=True)
class ProvedEntry:
    """An entry with what proves it: its salt, the record entry (leaf) that holds its salted
    hash at `index`, and the inclusion proof of that leaf in the tree of `size` entries whose
    root the signed `checkpoint` states. Anyone can check it with `coparent.tlog` alone."""

    entry: JournalEntry
    salt: bytes
    index: int
    leaf: bytes
    proof: list[bytes]
    size: int
    checkpoint: str
    photos: list[PhotoProof]

    @property
    def salt_hex(self) -> str:
        return self.salt.hex()

    @property
    def proof_hex(self) -> list[str]:
        return [node.hex() for node in self.proof]

    @property
    def leaf_text(self) -> str:
        return self.leaf.decode("utf-8")


def prove(family: Family, entries: list[JournalEntry]) -> list[ProvedEntry]:
    """Each entry with its proof against the family's newest signed checkpoint: a fixed number
    of queries for any number of entries (the proofs' nodes are read in batches)."""
    if not entries:
        return []
    checkpoint = records.checkpoint_get(family)
    indexes = [e.record_index for e in entries]
    leaves = dict(
        LogEntry.objects.filter(family=family, index__in=indexes).values_list("index", "leaf")
    )
    proofs = records.inclusion_proofs(family, indexes, checkpoint.size)
    return [
        ProvedEntry(
            entry=e,
            salt=bytes(e.salt),
            index=e.record_index,
            leaf=bytes(leaves[e.record_index]),
            proof=proofs[e.record_index],
            size=checkpoint.size,
            checkpoint=checkpoint.note,
            photos=[PhotoProof(p, bytes(p.salt)) for p in e.photos.all()],
        )
        for e in entries
    ]


def entries_for_report(
    *,
    family: Family,
    author: Membership,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    entry_ids: list[str] | None = None,
) -> list[ProvedEntry]:
    """For a court report (issue 11): the entries the author chose (all of theirs in the period
    when `entry_ids` is None), oldest first, each with its proof. Only the author's own entries
    can come out of here; the report must be the author's."""
    entries = _entries(family.pk).filter(author_id=author.user_id)
    if start is not None:
        entries = entries.filter(created_at__gte=start)
    if end is not None:
        entries = entries.filter(created_at__lt=end)
    if entry_ids is not None:
        entries = entries.filter(public_id__in=entry_ids)
    return prove(family, list(entries.order_by("created_at", "id")))


def proof_problem(proved: ProvedEntry, body: str | None = None) -> str | None:
    """What is wrong with a proof, or None when it holds: the text hashes with its salt to the
    record's value, the leaf is in the tree, the tree's root is the checkpoint's, and the
    checkpoint is signed by a key this server publishes."""
    fields = decode(proved.leaf).fields
    text = proved.entry.body if body is None else body
    if fields.get("entry") != str(proved.entry.public_id):
        return "the record entry is about another journal entry"
    if fields.get("content") != content_hash(proved.salt, text.encode("utf-8")):
        return "the text does not match the hash on the record"
    try:
        checkpoint = parse_checkpoint(open_note(proved.checkpoint, keys.verifiers()))
    except NoteError as error:
        return f"the checkpoint does not verify: {error}"
    if checkpoint.size != proved.size:
        return "the proof is for another tree size"
    try:
        verify_inclusion(
            leaf_hash(proved.leaf), proved.index, proved.size, proved.proof, checkpoint.root
        )
    except ProofError as error:
        return str(error)
    return None
