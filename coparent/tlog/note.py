"""C2SP signed notes and tlog checkpoints, byte-compatible with Go's golang.org/x/mod/sumdb/note.

Keys are Ed25519 only (signature type 0x01). Base64 must be canonical here, where Go also
accepts non-zero padding bits: a signature line that can be rewritten without changing its
bytes has no place in evidence.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ALG_ED25519 = 1
MAX_SIGNATURES = 100  # as Go's note.Open
_HEX8 = re.compile(r"[0-9a-fA-F]{8}")
_SIZE = re.compile(r"0|[1-9][0-9]*")
# Unicode White_Space, which Go's unicode.IsSpace tests; key names must not contain it.
_WHITE_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
)
SIGNATURE_PREFIX = "\u2014 "


class NoteError(ValueError):
    """A note, key or checkpoint that is malformed or not validly signed."""


class MalformedNoteError(NoteError):
    pass


class UnverifiedNoteError(NoteError):
    """No signature from a known key."""


class InvalidSignatureError(NoteError):
    """A signature from a known key that does not verify."""


def b64decode_strict(text: str) -> bytes:
    """Standard padded base64, rejecting anything that does not re-encode identically."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"invalid base64: {exc}") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise ValueError("non-canonical base64")
    return raw


def b64encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def is_valid_name(name: str) -> bool:
    return bool(name) and "+" not in name and not _WHITE_SPACE.intersection(name)


def key_id(name: str, public_key: bytes) -> int:
    """First 4 bytes, big-endian, of SHA-256(name || 0x0A || 0x01 || public key)."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ALG_ED25519]) + public_key)
    return int.from_bytes(digest.digest()[:4], "big")


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class Verifier:
    name: str
    key_id: int
    public_key: Ed25519PublicKey

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            self.public_key.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def to_string(self) -> str:
        raw = bytes([ALG_ED25519]) + _raw_public(self.public_key)
        return f"{self.name}+{self.key_id:08x}+{b64encode(raw)}"


@dataclass(frozen=True)
class Signer:
    name: str
    key_id: int
    private_key: Ed25519PrivateKey

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)

    @property
    def verifier(self) -> Verifier:
        return Verifier(self.name, self.key_id, self.private_key.public_key())

    def to_string(self) -> str:
        """The secret signer key, in Go's `PRIVATE+KEY+<name>+<id>+<base64>` form."""
        seed = self.private_key.private_bytes_raw()
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{b64encode(bytes([ALG_ED25519]) + seed)}"


def _chop(s: str, sep: str) -> tuple[str, str]:
    before, _, after = s.partition(sep)
    return before, after


def _parse_key(name: str, hex_id: str, key64: str) -> tuple[int, bytes]:
    if not _HEX8.fullmatch(hex_id) or not is_valid_name(name):
        raise NoteError("malformed key")
    try:
        key = b64decode_strict(key64)
    except ValueError as exc:
        raise NoteError("malformed key") from exc
    if len(key) != 33:
        raise NoteError("malformed key")
    if key[0] != ALG_ED25519:
        raise NoteError("unknown key algorithm")
    return int(hex_id, 16), key[1:]


def generate_signer(name: str) -> Signer:
    if not is_valid_name(name):
        raise NoteError(f"invalid key name {name!r}: no spaces or '+'")
    private = Ed25519PrivateKey.generate()
    return Signer(name, key_id(name, _raw_public(private.public_key())), private)


def signer_from_string(skey: str) -> Signer:
    priv, rest = _chop(skey, "+")
    key, rest = _chop(rest, "+")
    name, rest = _chop(rest, "+")
    hex_id, key64 = _chop(rest, "+")
    if priv != "PRIVATE" or key != "KEY":
        raise NoteError("malformed signer key")
    expected_id, seed = _parse_key(name, hex_id, key64)
    private = Ed25519PrivateKey.from_private_bytes(seed)
    if key_id(name, _raw_public(private.public_key())) != expected_id:
        raise NoteError("signer key id does not match the key")
    return Signer(name, expected_id, private)


def verifier_from_string(vkey: str) -> Verifier:
    name, rest = _chop(vkey, "+")
    hex_id, key64 = _chop(rest, "+")
    expected_id, public = _parse_key(name, hex_id, key64)
    if key_id(name, public) != expected_id:
        raise NoteError("verifier key id does not match the key")
    try:
        return Verifier(name, expected_id, Ed25519PublicKey.from_public_bytes(public))
    except ValueError as exc:
        raise NoteError("malformed key") from exc


def _check_text(text: str) -> bytes:
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise MalformedNoteError("note is not valid UTF-8") from exc
    if any(c < " " and c != "\n" for c in text):
        raise MalformedNoteError("note contains control characters")
    return raw


def sign_note(text: str, signer: Signer) -> str:
    """Text (ending in a newline), a blank line, and one signature line."""
    if not text.endswith("\n"):
        raise MalformedNoteError("note text must end with a newline")
    raw = _check_text(text)
    blob = signer.key_id.to_bytes(4, "big") + signer.sign(raw)
    return f"{text}\n{SIGNATURE_PREFIX}{signer.name} {b64encode(blob)}\n"


def open_note(note: str | bytes, verifiers: Iterable[Verifier]) -> str:
    """Check the signatures of a note and return its text, as Go's note.Open.

    Signatures from unknown keys are ignored; a known key's bad signature is an error; at
    least one known key must have signed.
    """
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedNoteError("note is not valid UTF-8") from exc
    _check_text(note)
    known: dict[tuple[str, int], list[Verifier]] = {}
    for v in verifiers:
        known.setdefault((v.name, v.key_id), []).append(v)

    split = note.rfind("\n\n")
    if split < 0:
        raise MalformedNoteError("note has no signature block")
    text, sigs = note[: split + 1], note[split + 2 :]
    if not sigs.endswith("\n"):
        raise MalformedNoteError("note does not end with a signature line")
    raw_text = text.encode("utf-8")
    verified: set[tuple[str, int]] = set()
    lines = sigs[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError("note has too many signatures")
    for line in lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise MalformedNoteError(f"not a signature line: {line[:40]!r}")
        name, b64 = _chop(line[len(SIGNATURE_PREFIX) :], " ")
        try:
            blob = b64decode_strict(b64)
        except ValueError as exc:
            raise MalformedNoteError(f"signature by {name} is not base64") from exc
        if not is_valid_name(name) or len(blob) < 5:
            raise MalformedNoteError(f"malformed signature line: {line[:40]!r}")
        kid = int.from_bytes(blob[:4], "big")
        candidates = known.get((name, kid))
        if candidates is None or (name, kid) in verified:
            continue
        if len(candidates) > 1:
            raise NoteError(f"ambiguous key {name}+{kid:08x}")
        if not candidates[0].verify(raw_text, blob[4:]):
            raise InvalidSignatureError(f"invalid signature for key {name}+{kid:08x}")
        verified.add((name, kid))
    if not verified:
        wanted = ", ".join(f"{n}+{k:08x}" for n, k in known) or "no key given"
        raise UnverifiedNoteError(f"note has no signature from a known key ({wanted})")
    return text


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()


def format_checkpoint(origin: str, size: int, root: bytes, extensions: Iterable[str] = ()) -> str:
    """C2SP tlog-checkpoint body: origin, decimal size, base64 root, extension lines."""
    ext = tuple(extensions)
    if not origin or "\n" in origin or any(not e or "\n" in e for e in ext):
        raise NoteError("checkpoint lines must be non-empty single lines")
    if size < 0 or len(root) != 32:
        raise NoteError("checkpoint needs a size >= 0 and a 32-byte root hash")
    return "".join(f"{line}\n" for line in (origin, str(size), b64encode(root), *ext))


def parse_checkpoint(text: str) -> Checkpoint:
    if not text.endswith("\n"):
        raise NoteError("checkpoint must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3 or any(not line for line in lines):
        raise NoteError("checkpoint needs at least three non-empty lines")
    origin, size, root64, *ext = lines
    if not _SIZE.fullmatch(size) or int(size) >= 2**63:
        raise NoteError(f"checkpoint tree size {size!r} is not a decimal number")
    try:
        root = b64decode_strict(root64)
    except ValueError as exc:
        raise NoteError("checkpoint root hash is not base64") from exc
    if len(root) != 32:
        raise NoteError("checkpoint root hash is not 32 bytes")
    return Checkpoint(origin, int(size), root, tuple(ext))
