"""The export bundle: a zip a court can check offline with `coparent verify BUNDLE.zip`.

Layout (see docs/record-format.md): manifest.json, entries.jsonl (one line per log entry,
with the exact leaf bytes and the readable fields they commit to), checkpoint.txt (signed
C2SP checkpoint), verifier-key.txt, README.txt, proofs.json (partial exports only) and
attachments/<index> for disclosed files.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from coparent.tlog import entry as entry_mod
from coparent.tlog.merkle import leaf_hash, root_from_leaf_hashes, verify_inclusion
from coparent.tlog.note import b64encode, open_note, parse_checkpoint, verifier_from_string

FORMAT = "coparent-record-bundle/1"
MANIFEST, ENTRIES, CHECKPOINT, KEY, README, PROOFS = (
    "manifest.json",
    "entries.jsonl",
    "checkpoint.txt",
    "verifier-key.txt",
    "README.txt",
    "proofs.json",
)
ATTACHMENTS = "attachments/"
# The readable field naming disclosed content, per kind, and the leaf field its hash is in.
DISCLOSED: dict[str, tuple[str, str]] = {
    "message.sent": ("body", "content"),
    "thread.created": ("subject", "subject"),
    "attachment.added": ("file", "content"),
    # a child's information: the version's canonical JSON
    "childinfo.added": ("body", "content"),
    "childinfo.changed": ("body", "content"),
    "childinfo.removed": ("body", "content"),
    "document.added": ("subject", "title"),
    "document.changed": ("subject", "title"),
    "document.version_added": ("file", "content"),
    # a decision's proposal (its canonical JSON), a decline's reason, a comment
    "decision.proposed": ("body", "content"),
    "decision.countered": ("body", "content"),
    "decision.declined": ("body", "content"),
    "decision.commented": ("body", "content"),
    # the note a parent wrote with their time away (right of first refusal)
    "plan.time_away_offered": ("body", "note"),
    "plan.time_away_accepted": ("body", "note"),
    "plan.time_away_declined": ("body", "note"),
    "plan.time_away_withdrawn": ("body", "note"),
    "plan.time_away_expired": ("body", "note"),
    # an expense's note, answer or reason; a receipt; a payment's reference and note, or the
    # reason it was disputed; the reason given with a consent (expenses/disclosure.py)
    "expense.created": ("body", "content"),
    "expense.corrected": ("body", "content"),
    "expense.correction_reason": ("body", "content"),
    "expense.approved": ("body", "content"),
    "expense.partly_approved": ("body", "content"),
    "expense.disputed": ("body", "content"),
    "expense.replied": ("body", "content"),
    "expense.withdrawn": ("body", "content"),
    "expense.receipt_added": ("file", "content"),
    "payment.recorded": ("body", "content"),
    "payment.disputed": ("body", "content"),
    "expense.consent_given": ("body", "content"),
    "expense.consent_refused": ("body", "content"),
}
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip entries carry no export time: same input, same bytes


@dataclass(frozen=True)
class BundleEntry:
    """One log entry as exported. `content` is the disclosed body, subject or file (None when
    redacted or withheld); `salt` is the salt its hash in the leaf was made with.
    `thread_subject` is written only when the thread's thread.created entry, subject
    disclosed, comes earlier in the same bundle: include those entries to show subjects."""

    leaf: bytes
    author: str
    content: bytes | None = None
    salt: bytes | None = None
    thread_subject: str | None = None


def _line(index: int, item: BundleEntry, entry: entry_mod.Entry) -> dict[str, Any]:
    line: dict[str, Any] = {
        "index": index,
        "kind": entry.kind,
        "time": entry_mod.format_time(entry.time),
        "author": item.author,
    }
    if item.thread_subject is not None:
        line["thread_subject"] = item.thread_subject
    if item.content is not None:
        if item.salt is None or entry.kind not in DISCLOSED:
            raise ValueError(f"entry {index}: disclosed content needs a salt and a content kind")
        name, leaf_field = DISCLOSED[entry.kind]
        if entry_mod.content_hash(item.salt, item.content) != entry.fields[leaf_field]:
            raise ValueError(f"entry {index}: content does not match the hash in the leaf")
        line[name] = f"{ATTACHMENTS}{index}" if name == "file" else item.content.decode("utf-8")
        line["salt"] = item.salt.hex()
    line["leaf"] = b64encode(item.leaf)
    return line


def readme_text(
    *, origin: str, size: int, root: bytes, count: int, partial: bool, description: str
) -> str:
    scope = (
        f"This is a PARTIAL export: it holds {count} of the {size} entries in the family record "
        f"(for example one thread or a date range); the other {size - count} are left out. Each "
        "included entry comes with an inclusion proof (proofs.json) showing it is in the signed "
        "record at its position; nothing can be concluded about the entries left out from this "
        "bundle."
        if partial
        else f"This is a COMPLETE export: all {size} entries of the family record, in order."
    )
    return f"""Coparent family record export
=============================

{description}

{scope}

Log: {origin}
Tree size: {size}
Root hash (base64): {b64encode(root)}
Root hash (hex): {root.hex()}

What this is
------------
Every event of the family record (a message sent, a message viewed, a redaction, ...) is
appended to a Merkle tree transparency log (RFC 6962 / RFC 9162) as one entry. The server
signs the tree head (checkpoint.txt). If any entry were later edited, removed, reordered or
added, the root hash would change and the signature would no longer match.

Files: entries.jsonl (one entry per line: index, kind, time, author, the disclosed body and
its salt, and "leaf", the exact logged bytes in base64), checkpoint.txt (signed tree head),
verifier-key.txt (the server's public key; more lines if the record quotes checkpoints signed
by earlier keys), manifest.json, proofs.json (partial exports),
attachments/ (disclosed files).

Redacted or withheld content has no body in the export; its salted hash stays in the leaf,
so the record still verifies without revealing it.

How to verify
-------------
With the coparent verifier (no network needed):

    coparent verify BUNDLE.zip --key 'VERIFIER KEY PUBLISHED BY THE SERVER'

It prints the tree size and root hash when everything checks out and names the first
problem otherwise. Pin the key (--key) to one obtained from the server operator
independently of this bundle; otherwise the bundle only proves it is self-consistent.

With standard tools:
1. Each leaf hash is SHA-256(0x00 || leaf bytes). Interior nodes are
   SHA-256(0x01 || left || right), the left subtree holding the largest power of two of
   leaves smaller than the total (RFC 6962 section 2.1). Go's golang.org/x/mod/sumdb/tlog
   computes these hashes (RecordHash, TreeHash, CheckRecord).
2. checkpoint.txt is a C2SP signed note; its text is three lines: origin, tree size, base64
   root hash. Go's golang.org/x/mod/sumdb/note verifies it with note.NewVerifier(key) and
   note.Open; verifier-key.txt holds the key in that package's format.
3. A disclosed body is checked with SHA-256(salt || body bytes), salt given in hex, against
   the "content" field of the decoded leaf (the leaf is UTF-8 JSON).

Limits: the log proves that nothing changed after an entry was logged. It does not prove
what a person's device typed, or who was holding it.
"""


def _write(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def build_bundle(
    out: str | Path | IO[bytes],
    *,
    entries: Sequence[BundleEntry],
    checkpoint_note: str,
    verifier_key: str,
    family: str,
    description: str,
    partial: bool = False,
    proofs: Mapping[int, Sequence[bytes]] | None = None,
    extra: Mapping[str, str] | None = None,
    other_keys: Sequence[str] = (),
) -> None:
    """Write an export bundle. `entries` are in log order; a full export holds every entry
    0..n-1 of the checkpoint's tree, a partial one any subset plus an inclusion proof per
    entry against the checkpoint's tree size (a "partial" one holding every entry is written
    as full). `other_keys` are verifier keys of checkpoints
    quoted inside the entries (rollback statements), written after the checkpoint's key."""
    # Refuse to write a bundle that would fail `coparent verify`: cheaper to catch here.
    checkpoint = parse_checkpoint(open_note(checkpoint_note, [verifier_from_string(verifier_key)]))
    if partial != (proofs is not None):
        raise ValueError("a partial export needs proofs, a full one none")
    people: dict[str, str] = {}
    included: list[int] = []
    subjects: set[str] = set()
    lines: list[str] = []
    files: list[tuple[str, bytes]] = []
    for position, item in enumerate(entries):
        entry = entry_mod.decode(item.leaf)
        if not partial and entry.index != position:
            raise ValueError(f"full export: entry {entry.index} at position {position}")
        if people.setdefault(entry.actor, item.author) != item.author:
            raise ValueError(f"actor {entry.actor} has two display names")
        if included and entry.index <= included[-1]:
            raise ValueError(f"entry {entry.index} after entry {included[-1]}: not in log order")
        if proofs is not None:
            if entry.index not in proofs:
                raise ValueError(f"entry {entry.index} has no inclusion proof")
            verify_inclusion(
                leaf_hash(item.leaf),
                entry.index,
                checkpoint.size,
                proofs[entry.index],
                checkpoint.root,
            )
        included.append(entry.index)
        if entry.kind == "thread.created" and item.content is not None:
            subjects.add(str(entry.fields["thread"]))
        if item.thread_subject is not None and entry.fields.get("thread") not in subjects:
            # The verifier checks a subject against its thread.created entry; without that
            # entry in the bundle the subject could not be checked, so it is left out.
            item = replace(item, thread_subject=None)
        line = _line(entry.index, item, entry)
        if "file" in line and item.content is not None:
            files.append((line["file"], item.content))
        lines.append(json.dumps(line, ensure_ascii=False) + "\n")
    if partial and len(included) == checkpoint.size:
        # A thread or period that takes in every entry is the whole record: labelled partial it
        # would read "PARTIAL export: 36 of 36 entries". Written as complete, the verifier also
        # recomputes the root from every leaf, which proves more than a proof per entry.
        partial, proofs = False, None
    if not partial and len(entries) != checkpoint.size:
        raise ValueError(
            f"full export of {len(entries)} entries, checkpoint size {checkpoint.size}"
        )
    if (
        not partial
        and root_from_leaf_hashes([leaf_hash(i.leaf) for i in entries]) != checkpoint.root
    ):
        raise ValueError("the entries do not hash to the checkpoint's root")

    if extra and set(extra) & {"format", "partial", "family", "origin", "description", "people"}:
        raise ValueError("extra manifest keys must not replace the standard ones")
    manifest = {
        "format": FORMAT,
        "partial": partial,
        "family": family,
        "origin": checkpoint.origin,
        "description": description,
        "people": people,
        **(extra or {}),
    }
    with zipfile.ZipFile(out, "w") as zf:
        _write(zf, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode() + b"\n")
        _write(zf, ENTRIES, "".join(lines).encode("utf-8"))
        _write(zf, CHECKPOINT, checkpoint_note.encode("utf-8"))
        keys = [verifier_key, *(k for k in dict.fromkeys(other_keys) if k != verifier_key)]
        _write(zf, KEY, "".join(f"{k}\n" for k in keys).encode("utf-8"))
        if proofs is not None:
            body = {
                "tree_size": checkpoint.size,
                "proofs": {str(i): [b64encode(h) for h in proofs[i]] for i in included},
            }
            _write(zf, PROOFS, json.dumps(body, indent=1).encode() + b"\n")
        for name, data in files:
            _write(zf, name, data)
        readme = readme_text(
            origin=checkpoint.origin,
            size=checkpoint.size,
            root=checkpoint.root,
            count=len(entries),
            partial=partial,
            description=description,
        )
        _write(zf, README, readme.encode("utf-8"))
