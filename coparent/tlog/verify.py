"""Offline verifier for export bundles: `coparent verify BUNDLE.zip [--key VERIFIER_KEY ...]`.

Needs only the standard library, `cryptography`, `msgspec` and `zlib-ng`. Exit status 0 when
the bundle is intact, 1 with one line naming the first problem otherwise. entries.jsonl is read
as a stream, so memory stays flat whatever the record's size; each run of lines of a complete
bundle is checked at once (`_fast_chunk`), a run it does not fully accept line by line through
a fast path (msgspec), and any line that one does not fully accept through the plain path that
names the problem, so the verdict is the plain path's.
"""

from __future__ import annotations

import argparse
import binascii
import functools
import hashlib
import json
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from hashlib import sha256
from itertools import compress, repeat
from operator import add
from pathlib import Path
from typing import IO, Any

import msgspec
from msgspec import UNSET, UnsetType
from zlib_ng import zlib_ng

from coparent.tlog.bundle import (
    ATTACHMENTS,
    CHECKPOINT,
    DISCLOSED,
    ENTRIES,
    FORMAT,
    KEY,
    MANIFEST,
    PROOFS,
    README,
)
from coparent.tlog.entry import (
    KINDS,
    SALT_SIZE,
    EntryError,
    LeafView,
    all_leaf_views,
    content_hash,
    decode,
    format_time,
    known_leaf_views,
    leaf_views,
)
from coparent.tlog.merkle import ProofError, RootStream, verify_inclusion
from coparent.tlog.note import (
    Checkpoint,
    NoteError,
    Verifier,
    b64decode_strict,
    b64encode,
    open_note,
    parse_checkpoint,
    verifier_from_string,
)
from coparent.tlog.rollback import KIND as ROLLBACK
from coparent.tlog.rollback import RollbackError, check_rollback

_LINE_KEYS = frozenset(
    {"index", "leaf", "kind", "time", "author", "thread_subject", "body", "subject", "file", "salt"}
)
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_KNOWN_FILES = frozenset({MANIFEST, ENTRIES, CHECKPOINT, KEY, README, PROOFS})
# A run of lines checked at once. What is decoded from a run takes several times its size: at
# 128 KiB most of it stays in a 512 KiB L2 cache while the run is checked (twice that missed
# there 1.4 times as often).
_CHUNK = 1 << 17
_MAX_LINE = 64 << 20  # a line holds one entry's text; a bigger one is not a bundle of ours


class _Line(msgspec.Struct, forbid_unknown_fields=True):
    """A line of entries.jsonl as the fast path takes it (a null or a number where a string
    belongs fails here and goes to the slow path, which names the problem)."""

    index: int
    leaf: str
    kind: str
    time: str
    author: str
    thread_subject: str | UnsetType = UNSET
    body: str | UnsetType = UNSET
    subject: str | UnsetType = UNSET
    file: str | UnsetType = UNSET
    salt: str | UnsetType = UNSET


_LINE_DECODER = msgspec.json.Decoder(_Line)


class BundleProblem(Exception):
    """The first thing found wrong with a bundle, phrased for a person."""


@dataclass(frozen=True)
class VerifyResult:
    """`partial` is what the check proved (some entries of the signed record are not in the
    bundle), judged from the entries against the checkpoint; `labelled_partial` is what the
    manifest says, which anyone can edit and so proves nothing."""

    ok: bool
    problem: str | None = None
    origin: str = ""
    size: int = 0
    root: bytes = b""
    entries: int = 0
    partial: bool = False
    labelled_partial: bool = False
    pinned: bool = False
    rollbacks: tuple[str, ...] = ()


# zlib-ng's type stub declares its `error` an instance; it is the class of what it raises.
_INFLATE_ERROR: type[Exception] = zlib_ng.error  # type: ignore[assignment]
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    _INFLATE_ERROR,
    OSError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
)


def verify_bundle(
    path: str | Path | IO[bytes],
    *,
    pinned_key: str | None = None,
    pinned_keys: Sequence[str] = (),
) -> VerifyResult:
    """Check a bundle; the result names the first problem found, if any. With pinned keys
    (several after a key rotation) the checkpoint must be signed by one of them."""
    pinned = [*pinned_keys, *([pinned_key] if pinned_key is not None else [])]
    try:
        with zipfile.ZipFile(path) as zf:
            return _Checker(zf, pinned).run()
    except BundleProblem as exc:
        return VerifyResult(ok=False, problem=str(exc))
    except _ZIP_ERRORS as exc:
        # Problems inside the bundle are BundleProblems; what is left is a damaged zip.
        return VerifyResult(ok=False, problem=f"bundle: cannot be read ({exc})")


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's structFileHeader
_DEFLATED_READ = _CHUNK // 8  # compressed bytes a read: about _CHUNK once inflated


def _member_pieces(zf: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """A member's bytes, a piece at a time. zipfile inflates no more bytes a call than it reads
    compressed and copies the unused input on every call: on a record that compresses eight to
    one that costs a sixth of a hashlib-only root's time. A deflated member is inflated here
    from whole compressed reads instead, with zipfile's checks of the CRC and the size, by
    zlib-ng: the same format, inflated and checksummed in a third less CPU than zlib (a tenth of
    a verification, more than any other part the floor does not also do)."""
    with zf.open(name) as stream:  # zipfile checks the member's headers as it always has
        info = zf.getinfo(name)
        if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 0x1 or zf.fp is None:
            while piece := stream.read(_CHUNK):
                yield piece
            return
    zf.fp.seek(info.header_offset)
    header = _LOCAL_HEADER.unpack(zf.fp.read(_LOCAL_HEADER.size))
    position = info.header_offset + _LOCAL_HEADER.size + header[10] + header[11]
    left, size, crc = info.compress_size, 0, 0
    inflater = zlib_ng.decompressobj(-zlib_ng.MAX_WBITS)
    while left and not inflater.eof:
        zf.fp.seek(position)
        data = zf.fp.read(min(left, _DEFLATED_READ))
        if not data:
            raise EOFError
        position, left = position + len(data), left - len(data)
        while data and not inflater.eof:
            # Bounded, so a member that inflates a thousandfold still takes constant memory.
            piece = inflater.decompress(data, 4 * _CHUNK)
            data = inflater.unconsumed_tail
            piece = piece[: info.file_size - size]  # as zipfile: no more than the stated size
            size += len(piece)
            crc = zlib_ng.crc32(piece, crc)
            if piece:
                yield piece
            if size == info.file_size:
                left = 0
                break
    if size != info.file_size or crc != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {name!r}")


def _json(data: bytes, where: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise BundleProblem(f"{where}: not valid UTF-8 JSON ({exc})") from exc


def _text(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleProblem(f"{where}: not valid UTF-8") from exc


class _Checker:
    def __init__(self, zf: zipfile.ZipFile, pinned_keys: list[str]) -> None:
        self.zf = zf
        self.pinned_keys = pinned_keys
        self.verifiers: list[Verifier] = []
        self.origin = ""
        self.rollbacks: list[str] = []
        names = zf.namelist()
        if len(names) != len(set(names)):
            raise BundleProblem("bundle: a file name appears twice in the zip")
        self.names = set(names)
        self.used_files: set[str] = set()

    def read(self, name: str) -> bytes:
        if name not in self.names:
            raise BundleProblem(f"bundle: {name} is missing")
        return self.zf.read(name)

    def run(self) -> VerifyResult:
        manifest = _json(self.read(MANIFEST), MANIFEST)
        if unexpected := sorted(
            n for n in self.names if n not in _KNOWN_FILES and not n.startswith(ATTACHMENTS)
        ):
            raise BundleProblem(f"bundle: unexpected file {unexpected[0]}")
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BundleProblem(f"{MANIFEST}: not a {FORMAT} manifest")
        partial = manifest.get("partial")
        people = manifest.get("people")
        if not isinstance(partial, bool) or not isinstance(people, dict):
            raise BundleProblem(f"{MANIFEST}: 'partial' must be true or false, 'people' an object")

        checkpoint = self.checkpoint()
        if manifest.get("origin") != checkpoint.origin:
            raise BundleProblem(
                f"{MANIFEST}: origin {manifest.get('origin')!r} is not the checkpoint's "
                f"origin {checkpoint.origin!r}"
            )
        if not partial and PROOFS in self.names:
            raise BundleProblem(f"{PROOFS}: present in a bundle that says it is complete")
        # The manifest's label is not signed: a bundle without proofs is checked as a complete
        # one whatever it says, and completeness is judged from the entries, not the label.
        proofs = self.proofs(checkpoint) if PROOFS in self.names else None

        count, tree = self.entries(checkpoint, people, proofs)
        if proofs:
            raise BundleProblem(
                f"{PROOFS}: proof for entry {min(proofs)}, which is not in the bundle"
            )
        if proofs is None and count != checkpoint.size:
            raise BundleProblem(
                f"bundle: {count} entries but the checkpoint covers {checkpoint.size} "
                + (
                    f"and there is no {PROOFS} to show the ones included are in it"
                    if partial
                    else "(entries were removed)"
                )
            )
        # Indices rise and stay below the tree size, so as many entries as the tree holds is
        # every entry 0..n-1: then the root is recomputed from all of them, proofs or not.
        complete = count == checkpoint.size
        if complete:
            root = tree.root()
            if root != checkpoint.root:
                raise BundleProblem(
                    f"checkpoint: the entries hash to root {b64encode(root)}, not the signed "
                    f"root {b64encode(checkpoint.root)} (entries differ from those signed)"
                )
        # Directory entries appear when someone unzips and re-zips a bundle; they hold nothing.
        if unused := sorted(
            n for n in self.names - _KNOWN_FILES - self.used_files if not n.endswith("/")
        ):
            raise BundleProblem(f"bundle: {unused[0]} is not referenced by any entry")
        return VerifyResult(
            ok=True,
            origin=checkpoint.origin,
            size=checkpoint.size,
            root=checkpoint.root,
            entries=count,
            partial=not complete,
            labelled_partial=partial,
            pinned=bool(self.pinned_keys),
            rollbacks=tuple(self.rollbacks),
        )

    def checkpoint(self) -> Checkpoint:
        # The first line is the key that signed checkpoint.txt; more lines are keys that signed
        # checkpoints quoted in rollback statements (before a key rotation).
        key_lines = _text(self.read(KEY), KEY).removesuffix("\n").split("\n")
        try:
            keys = [verifier_from_string(line) for line in key_lines]
        except NoteError as exc:
            raise BundleProblem(f"{KEY}: not a valid verifier key ({exc})") from exc
        verifier = keys[0]
        if self.pinned_keys:
            try:
                pinned = [verifier_from_string(k.strip()) for k in self.pinned_keys]
            except NoteError as exc:
                raise BundleProblem(f"--key: not a valid verifier key ({exc})") from exc
            names = [p.to_string() for p in pinned]
            if verifier.to_string() not in names:
                raise BundleProblem(
                    f"{KEY}: the bundle's key {key_lines[0]} is not the pinned key "
                    + " or ".join(names)
                )
            keys = pinned
        self.verifiers = keys
        try:
            text = open_note(self.read(CHECKPOINT), [verifier])
            checkpoint = parse_checkpoint(text)
        except NoteError as exc:
            raise BundleProblem(f"{CHECKPOINT}: {exc}") from exc
        self.origin = checkpoint.origin
        return checkpoint

    def proofs(self, checkpoint: Checkpoint) -> dict[int, list[bytes]]:
        body = _json(self.read(PROOFS), PROOFS)
        if not isinstance(body, dict) or not isinstance(body.get("proofs"), dict):
            raise BundleProblem(f"{PROOFS}: expected {{'tree_size': N, 'proofs': {{...}}}}")
        if body.get("tree_size") != checkpoint.size:
            raise BundleProblem(
                f"{PROOFS}: proofs are for tree size {body.get('tree_size')}, "
                f"the checkpoint is for {checkpoint.size}"
            )
        proofs: dict[int, list[bytes]] = {}
        for key, hashes in body["proofs"].items():
            if not _DECIMAL.fullmatch(key) or not isinstance(hashes, list):
                raise BundleProblem(f"{PROOFS}: bad proof entry {key!r}")
            try:
                proofs[int(key)] = [b64decode_strict(h) for h in hashes]
            except (ValueError, TypeError) as exc:
                raise BundleProblem(f"{PROOFS}: proof for entry {key} is not base64") from exc
        return proofs

    def line_batches(self) -> Iterator[bytes]:
        """entries.jsonl as runs of whole lines (each with its newline), read in chunks: a
        bundle of any size is checked in constant memory. Not yet checked to be UTF-8 (a
        character never spans a newline, so each run can be checked on its own)."""
        if ENTRIES not in self.names:
            raise BundleProblem(f"bundle: {ENTRIES} is missing")
        rest = b""
        for chunk in _member_pieces(self.zf, ENTRIES):
            cut = chunk.rfind(b"\n") + 1
            # Each byte copied once: a slice of bytes is a copy, a slice of a memoryview is not.
            whole, rest = (
                (rest + memoryview(chunk)[:cut], chunk[cut:]) if cut else (b"", rest + chunk)
            )
            if len(rest) > _MAX_LINE:
                raise BundleProblem(f"{ENTRIES}: a line longer than {_MAX_LINE} bytes")
            if whole:
                yield whole
        if rest:
            _text(rest, ENTRIES)
            raise BundleProblem(f"{ENTRIES}: the last line is cut off")

    def entries(
        self,
        checkpoint: Checkpoint,
        people: dict[str, Any],
        proofs: dict[int, list[bytes]] | None,
    ) -> tuple[int, RootStream]:
        tree = RootStream()
        subjects: dict[str, str] = {}
        previous = -1
        position = 0
        for whole in self.line_batches():
            if proofs is None:
                hashes = _fast_chunk(whole, position, checkpoint.size, people, subjects)
                if hashes is not None:
                    tree.extend(hashes)
                    position += len(hashes)
                    previous = position - 1
                    continue
            # A run the fast path took is valid UTF-8 (msgspec checks every string): only the
            # others are decoded to check it.
            _text(whole, ENTRIES)
            raws = whole.split(b"\n")[:-1]
            for raw, candidate in zip(raws, _decoded(whole, raws), strict=True):
                line: dict[str, Any] | None = None
                if candidate is not None and _fast_line_holds(*candidate, people, subjects):
                    index, leaf = candidate[0].index, candidate[1]
                else:
                    index, line = self.parse_line(position, raw)
                label = f"entry {index}"
                if index >= checkpoint.size:
                    raise BundleProblem(
                        f"{label}: beyond the checkpoint's tree size {checkpoint.size} "
                        "(an entry was added)"
                    )
                if proofs is None and index != position:
                    raise BundleProblem(
                        f"{label}: found where entry {position} belongs "
                        "(an entry was removed, added or reordered)"
                    )
                if index <= previous:
                    raise BundleProblem(f"{label}: comes after entry {previous} (out of order)")
                previous = index
                position += 1
                if line is not None:
                    leaf = self.check_line(label, index, line, people, subjects)
                h = sha256(b"\x00" + leaf).digest()  # leaf_hash, inlined: a million calls
                if proofs is not None:
                    proof = proofs.pop(index, None)
                    if proof is None:
                        raise BundleProblem(f"{label}: no inclusion proof in {PROOFS}")
                    try:
                        verify_inclusion(h, index, checkpoint.size, proof, checkpoint.root)
                    except ProofError as exc:
                        raise BundleProblem(
                            f"{label}: inclusion proof does not match the signed checkpoint ({exc})"
                        ) from exc
                tree.append(h)
        return position, tree

    @staticmethod
    def parse_line(position: int, raw: bytes) -> tuple[int, dict[str, Any]]:
        try:
            line = json.loads(raw)
        except (json.JSONDecodeError, RecursionError):
            line = None
        if not isinstance(line, dict):
            raise BundleProblem(f"{ENTRIES} line {position + 1}: not a JSON object")
        index = line.get("index")
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            raise BundleProblem(f"{ENTRIES} line {position + 1}: no valid index")
        if unknown := line.keys() - _LINE_KEYS:
            raise BundleProblem(f"entry {index}: unknown field {sorted(unknown)[0]!r}")
        return index, line

    def check_line(
        self,
        label: str,
        index: int,
        line: dict[str, Any],
        people: dict[str, Any],
        subjects: dict[str, str],
    ) -> bytes:
        try:
            leaf = b64decode_strict(line.get("leaf", ""))
            entry = decode(leaf)
        except (ValueError, TypeError) as exc:
            raise BundleProblem(f"{label}: the leaf is not a valid entry ({exc})") from exc
        if entry.index != index:
            raise BundleProblem(f"{label}: the leaf says it is entry {entry.index}")
        if line.get("kind") != entry.kind:
            raise BundleProblem(
                f"{label}: kind {line.get('kind')!r} does not match the leaf's {entry.kind!r}"
            )
        if line.get("time") != (logged := format_time(entry.time)):
            raise BundleProblem(
                f"{label}: time {line.get('time')!r} does not match the leaf's {logged!r}"
            )
        if entry.kind == ROLLBACK:
            try:
                found = check_rollback(entry, origin=self.origin, verifiers=self.verifiers)
            except RollbackError as exc:
                raise BundleProblem(f"{label}: rollback statement: {exc}") from exc
            self.rollbacks.append(f"{label}: {found.describe()}")
        if entry.actor not in people:
            raise BundleProblem(f"{label}: the author is not listed in {MANIFEST}")
        if line.get("author") != people[entry.actor]:
            raise BundleProblem(f"{label}: author does not match the leaf's actor")

        disclosed = DISCLOSED.get(entry.kind)
        for name in ("body", "subject", "file"):
            if name in line and (disclosed is None or disclosed[0] != name):
                raise BundleProblem(f"{label}: a {entry.kind} entry has no {name}")
        if disclosed is not None and disclosed[0] in line:
            name, leaf_field = disclosed
            content = self.content(label, index, name, line[name])
            try:
                salt = bytes.fromhex(line.get("salt", ""))
                digest = content_hash(salt, content)
            except (ValueError, TypeError, EntryError) as exc:
                raise BundleProblem(f"{label}: salt is not 32 bytes of hex") from exc
            if digest != entry.fields[leaf_field]:
                raise BundleProblem(
                    f"{label}: {name} does not match the content hash in the leaf "
                    "(the content or its salt was changed)"
                )
            if entry.kind == "thread.created":
                subjects[str(entry.fields["thread"])] = line[name]
        elif "salt" in line:
            raise BundleProblem(f"{label}: salt without disclosed content")

        if "thread_subject" in line:
            thread = entry.fields.get("thread") if entry.kind == "message.sent" else None
            if not isinstance(thread, str) or thread not in subjects:
                raise BundleProblem(
                    f"{label}: thread_subject cannot be checked: the thread's creation entry "
                    "and its subject are not in the bundle"
                )
            if line["thread_subject"] != subjects[thread]:
                raise BundleProblem(f"{label}: thread_subject is not the thread's logged subject")
        return leaf

    def content(self, label: str, index: int, name: str, value: object) -> bytes:
        if not isinstance(value, str):
            raise BundleProblem(f"{label}: {name} must be a string")
        if name != "file":
            try:
                return value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise BundleProblem(f"{label}: {name} is not valid Unicode") from exc
        if value != f"{ATTACHMENTS}{index}":
            raise BundleProblem(f"{label}: file must be {ATTACHMENTS}{index}")
        self.used_files.add(value)
        return self.read(value)


_A2B = functools.partial(binascii.a2b_base64, strict_mode=True)
_BASE64_ENCODER = msgspec.json.Encoder()
# The methods themselves, not methodcaller: that looks the name up on every call, which adds
# a good third to the cost of hashing a leaf.
_DIGEST, _HEXDIGEST = type(sha256()).digest, type(sha256()).hexdigest


def _decoded_lines(whole: bytes, count: int) -> list[_Line] | None:
    """The `count` lines of `whole` decoded in one call, or None. msgspec reads a stream of
    values, not lines; when every line starts with "{" and ends with "}", a value cannot
    span lines ("}" then "{" is a syntax error inside a value), so `count` values are one a
    line. msgspec is at least as strict as the json module on each value."""
    if not (whole[:1] == b"{" and whole[-2:] == b"}\n" and whole.count(b"}\n{") == count - 1):
        return None
    try:
        lines = _LINE_DECODER.decode_lines(whole)
    except msgspec.MsgspecError:
        return None
    return lines if len(lines) == count else None


def _decoded_one(raw: bytes) -> tuple[_Line, bytes] | None:
    try:
        line = _LINE_DECODER.decode(raw)
        leaf = _A2B(line.leaf)
    except (msgspec.MsgspecError, ValueError):  # binascii.Error, or text not ASCII
        return None
    # strict_mode allows padding bits that are not zero: only the canonical spelling passes
    return (line, leaf) if binascii.b2a_base64(leaf, newline=False) == line.leaf.encode() else None


def _decoded(whole: bytes, raws: Sequence[bytes]) -> list[tuple[_Line, bytes, LeafView] | None]:
    """Each line with its leaf bytes and entry when they are well formed (the leaf as
    `decode` accepts it), else None: the fast path's parsing, for a run of lines at once."""
    found: list[tuple[_Line, bytes] | None] | None = None
    lines = _decoded_lines(whole, len(raws))
    if lines is not None:
        texts = [line.leaf for line in lines]
        try:
            leaves = list(map(_A2B, texts))
        except ValueError:  # binascii.Error, or text not ASCII
            leaves = []
        # msgspec writes bytes as canonical base64: one comparison shows every leaf was
        # spelled that way (see `_decoded_one`).
        if leaves and _BASE64_ENCODER.encode(leaves) == _BASE64_ENCODER.encode(texts):
            found = list(zip(lines, leaves, strict=True))
    if found is None:
        found = [_decoded_one(raw) for raw in raws]
    views = iter(leaf_views([item[1] for item in found if item is not None]))
    out: list[tuple[_Line, bytes, LeafView] | None] = []
    for item in found:
        view = next(views) if item is not None else None
        out.append(None if item is None or view is None else (item[0], item[1], view))
    return out


_BODY_KINDS = frozenset(kind for kind, (name, _) in DISCLOSED.items() if name == "body")
_SUBJECT_KINDS = frozenset(kind for kind, (name, _) in DISCLOSED.items() if name == "subject")
_DISCLOSED_FIELD = {kind: field for kind, (_, field) in DISCLOSED.items()}


class _RunLine(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """`_Line` with the leaf decoded from base64 by msgspec (which accepts padding bits that are
    not zero: `_BAD_PADDING` turns those runs away), and without `file`: a run holding a file
    fails to decode here and goes line by line. Not tracked by the garbage collector (decoded
    JSON holds no cycle)."""

    index: int
    leaf: bytes
    kind: str
    time: str
    author: str
    thread_subject: str | UnsetType = UNSET
    body: str | UnsetType = UNSET
    subject: str | UnsetType = UNSET
    salt: str | UnsetType = UNSET


_RUN_DECODER = msgspec.json.Decoder(_RunLine)
# Where a newline is not between "}" and "{" (or at the end), a line may not hold exactly one
# JSON object: "}" then "{" is a syntax error inside a value.
_LINE_BREAK = re.compile(rb"\n(?:(?<!\}\n)|(?!\{|\Z))")
# The last character before base64 padding carries padding bits, which must be zero: a leaf
# spelled another way is turned away (so is anything else ending in =" or ==", which at worst
# sends a run line by line). A \u escape could hide a padding character from this. Looked
# for from the =" that ends the padding: fewer places to try than every =.
_BAD_PADDING = re.compile(rb'="(?:(?<=[^AEIMQUYcgkosw048=]=")|(?<=[^AQgw]=="))')
_UNICODE_ESCAPE = re.compile(rb"\\u")


def _fast_chunk(
    whole: bytes, position: int, size: int, people: dict[str, Any], subjects: dict[str, str]
) -> list[bytes] | None:
    """The leaf hashes of a run of lines of a complete bundle starting at entry `position` of
    a tree of `size`, when every line passes every check `check_line` and the order checks
    make, else None (then the run goes line by line). Each check runs over the whole run at
    once, mostly inside msgspec and C functions: what stays in Python is a few operations per
    distinct value. Rollback statements and files always go line by line."""
    if (
        whole[:1] != b"{"
        or _LINE_BREAK.search(whole)
        or _BAD_PADDING.search(whole)
        or (b"\\" in whole and _UNICODE_ESCAPE.search(whole))
    ):
        return None
    try:
        lines = _RUN_DECODER.decode_lines(whole)
    except msgspec.MsgspecError:
        return None
    count = len(lines)
    if position + count > size or whole.count(b"\n") != count:  # one object a line
        return None
    # Comprehensions, not map(attrgetter(...)): the interpreter specialises a field read in a
    # loop, a third cheaper than a call per value.
    kinds = [line.kind for line in lines]
    run_kinds = set(kinds)
    if ROLLBACK in run_kinds:
        return None
    leaves = [line.leaf for line in lines]
    # A run of the kinds in KINDS (most records) decodes several times faster, each leaf's
    # fields a Struct: read with getattr where a dict is read with dict.get.
    entries: Sequence[Any] | None
    field: Callable[..., Any]
    if KINDS.keys() >= run_kinds:
        # Each leaf decoded as the kind its line names: a leaf of another kind fails there.
        entries, field = known_leaf_views(leaves, kinds), getattr
    else:
        entries, field = all_leaf_views(leaves), dict.get
        if entries is not None and [entry.kind for entry in entries] != kinds:
            return None
    if entries is None:
        return None
    indexes = list(range(position, position + count))
    if (
        [line.index for line in lines] != indexes
        or [entry.index for entry in entries] != indexes
        or [line.time for line in lines] != [entry.time for entry in entries]
        or list(map(people.get, [entry.actor for entry in entries]))
        != [line.author for line in lines]
    ):
        return None
    fields: list[Any] = [entry.fields for entry in entries]
    has_body = [line.body is not UNSET for line in lines]
    has_title = [line.subject is not UNSET for line in lines]
    # A kind discloses a body or a subject, never both, so no line holds both. Each line with
    # either has a salt (`bytes.fromhex` below fails on UNSET), so the count of salts shows
    # that no other line has one.
    if (
        not _BODY_KINDS.issuperset(compress(kinds, has_body))
        or not _SUBJECT_KINDS.issuperset(compress(kinds, has_title))
        or [line.salt is not UNSET for line in lines].count(True)
        != has_body.count(True) + has_title.count(True)
    ):
        return None
    # Disclosed content: its salted hash is the one in the leaf.
    disclosures: tuple[tuple[list[bool], list[Any]], ...] = (
        (has_body, [line.body for line in compress(lines, has_body)]),
        (has_title, [line.subject for line in compress(lines, has_title)]),
    )
    for disclosed, values in disclosures:
        given_salts: list[Any] = [line.salt for line in compress(lines, disclosed)]
        try:
            salts = list(map(bytes.fromhex, given_salts))
            contents = list(map(str.encode, values))
        except (ValueError, TypeError, UnicodeEncodeError):  # TypeError: no salt
            return None
        leaf_fields = map(_DISCLOSED_FIELD.__getitem__, compress(kinds, disclosed))
        if not set(map(len, salts)) <= {SALT_SIZE} or list(
            map(field, compress(fields, disclosed), leaf_fields)
        ) != list(map(_HEXDIGEST, map(sha256, map(add, salts, contents)))):
            return None
    # A thread's subject, shown on its messages, is the one its creation entry disclosed.
    has_thread_subject = [line.thread_subject is not UNSET for line in lines]
    creations = (
        [
            i
            for i, (kind, disclosed) in enumerate(zip(kinds, has_title, strict=True))
            if disclosed and kind == "thread.created"
        ]
        if "thread.created" in run_kinds
        else []
    )
    if creations:
        known: dict[str, Any] = dict(subjects)
        for i in sorted({*creations, *compress(range(count), has_thread_subject)}):
            thread = field(fields[i], "thread", None)
            if not isinstance(thread, str) or (
                has_thread_subject[i]
                and (kinds[i] != "message.sent" or known.get(thread) != lines[i].thread_subject)
            ):
                return None
            if i in creations:
                known[thread] = lines[i].subject
        subjects.update(known)
    elif any(has_thread_subject):
        shown: list[Any] = [line.thread_subject for line in compress(lines, has_thread_subject)]
        threads: list[Any] = list(
            map(field, compress(fields, has_thread_subject), repeat("thread"), repeat(None))
        )
        if set(compress(kinds, has_thread_subject)) != {"message.sent"}:
            return None
        try:
            if list(map(subjects.get, threads)) != shown:
                return None
        except TypeError:  # a list where a thread belongs
            return None
    return list(map(_DIGEST, map(sha256, map(add, repeat(b"\x00"), leaves))))


def _fast_line_holds(
    line: _Line, leaf: bytes, entry: LeafView, people: dict[str, Any], subjects: dict[str, str]
) -> bool:
    """Whether a line passes every check `check_line` makes (then recording a thread's
    subject as it does). False sends the line to the slow path, which names the problem;
    rollback statements and files always take it. So the verdict is always the slow path's."""
    if (
        entry.index != line.index
        or entry.kind != line.kind
        or entry.time != line.time
        or entry.kind == ROLLBACK
        or entry.actor not in people
        or line.author != people[entry.actor]
    ):
        return False
    body, subject, file, salt = line.body, line.subject, line.file, line.salt
    disclosed = DISCLOSED.get(entry.kind)
    name = disclosed[0] if disclosed is not None else ""
    value = body if name == "body" else subject if name == "subject" else UNSET
    if isinstance(value, UnsetType):
        # Nothing disclosed (redacted, withheld, a file, or no content): slow path for any.
        if body is not UNSET or subject is not UNSET or file is not UNSET or salt is not UNSET:
            return False
    else:
        assert disclosed is not None
        if (
            file is not UNSET
            or (body is not UNSET and subject is not UNSET)
            or isinstance(salt, UnsetType)
        ):
            return False
        try:
            salt_bytes = bytes.fromhex(salt)
            content = value.encode()
        except (ValueError, UnicodeEncodeError):
            return False
        if len(salt_bytes) != 32 or (
            hashlib.sha256(salt_bytes + content).hexdigest() != entry.fields.get(disclosed[1])
        ):
            return False
    thread = entry.fields.get("thread")
    if line.thread_subject is not UNSET and (
        entry.kind != "message.sent"
        or not isinstance(thread, str)
        or subjects.get(thread) != line.thread_subject
    ):
        return False
    if entry.kind == "thread.created" and not isinstance(value, UnsetType):
        if not isinstance(thread, str):
            return False
        subjects[thread] = value
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="coparent verify",
        description="Check a coparent record export offline: signature, order and content.",
    )
    parser.add_argument("bundle", type=Path, help="the export, BUNDLE.zip")
    parser.add_argument(
        "--key",
        metavar="VERIFIER_KEY",
        action="append",
        default=[],
        help="the server's published verifier key (name+id+key), or a file of them one a line "
        "(the server's /.well-known/coparent-record-keys); pin it to trust the signature. "
        "Give it again for each key after a key rotation.",
    )
    args = parser.parse_args(argv)
    pinned: list[str] = []
    for value in args.key:
        if "+" not in value and Path(value).is_file():
            # Each line is `<key> [from=... until=...]`, as the well-known document lists them.
            lines = Path(value).read_text(encoding="utf-8").splitlines()
            pinned += [line.split()[0] for line in lines if line.strip()]
        else:
            pinned.append(value)
    result = verify_bundle(args.bundle, pinned_keys=pinned)
    if not result.ok:
        print(f"FAILED: {result.problem}")
        return 1
    print(f"OK: {args.bundle} is intact")
    print(f"log: {result.origin}")
    print(f"tree size: {result.size}")
    print(f"root hash (base64): {b64encode(result.root)}")
    print(f"root hash (hex): {result.root.hex()}")
    if result.partial:
        left_out = result.size - result.entries
        print(
            f"PARTIAL export: {result.entries} of {result.size} entries in the signed record, "
            "each proven by its inclusion proof to be in it at its position. The other "
            f"{left_out} {'is' if left_out == 1 else 'are'} not in this bundle: it shows nothing "
            "about them."
        )
    else:
        print(
            f"complete export: all {result.entries} entries of the signed record, in order; "
            "together they hash to the signed root, so none was edited, removed, reordered or "
            "added after it was signed"
            + (
                " (the manifest calls it partial, but nothing is missing)"
                if result.labelled_partial
                else ""
            )
        )
    for rollback in result.rollbacks:
        print(
            f"ROLLBACK explained by the server: {rollback}. The signed checkpoint quoted there "
            "covered the lost entries; a checkpoint of those entries you hold is expected not to "
            "match this log."
        )
    if not result.pinned:
        print(
            "note: the signing key was not pinned; the signature was checked with the key inside "
            "the bundle. Run again with --key and the server's published key to rule out a "
            "substituted key."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
