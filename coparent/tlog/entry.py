"""The canonical byte form of one family-record entry: the exact bytes hashed into the log.

An entry is canonical JSON: UTF-8, keys sorted, no whitespace, values only strings, integers
and arrays of strings. That is a subset of RFC 8785 (JCS) with ASCII keys, so any language can
rebuild the bytes, and `decode` accepts only bytes that re-encode to themselves. Content is
never in an entry, only SHA-256(salt || content) in lowercase hex. See docs/record-format.md.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

VERSION = 1
SALT_SIZE = 32
MAX_INT = 2**53 - 1  # integers beyond this do not survive a JavaScript JSON parser

type FieldValue = str | int | tuple[str, ...]

_KIND = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_HEX_HASH = re.compile(r"[0-9a-f]{64}")
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")
_TOP_KEYS = ("actor", "fields", "index", "kind", "time", "v")

# Kinds known today: (required fields, optional fields). Other kinds are accepted with any
# well-formed fields so later features (schedules, swaps, expenses...) need no format change.
KINDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "message.sent": (
        frozenset({"thread", "message", "content"}),
        frozenset({"corrects", "form", "moderated"}),
    ),
    "message.viewed": (frozenset({"message", "viewer"}), frozenset()),
    "attachment.added": (
        frozenset({"message", "attachment", "content", "media_type"}),
        frozenset(),
    ),
    "thread.created": (frozenset({"thread", "subject", "participants"}), frozenset()),
    "redaction": (frozenset({"message", "reason"}), frozenset()),
    "records.rollback": (
        frozenset({"checkpoint", "lost_from", "lost_to", "backup"}),
        frozenset({"reason"}),
    ),
}
HASH_FIELDS = frozenset({"content", "subject"})
"""Fields holding SHA-256(salt || bytes) as 64 lowercase hex digits."""


class EntryError(ValueError):
    """Bytes or values that are not a valid canonical entry."""


@dataclass(frozen=True)
class Entry:
    index: int
    kind: str
    actor: str
    time: datetime
    fields: Mapping[str, FieldValue] = field(default_factory=dict)
    version: int = VERSION


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_SIZE)


def content_hash(salt: bytes, body: bytes) -> str:
    """SHA-256(salt || body) as lowercase hex: what an entry holds instead of the content."""
    if len(salt) != SALT_SIZE:
        raise EntryError(f"salt must be {SALT_SIZE} bytes, got {len(salt)}")
    return hashlib.sha256(salt + body).hexdigest()


def format_time(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise EntryError("entry time must be timezone-aware")
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_time(text: str) -> datetime:
    if not _TIME.fullmatch(text):
        raise EntryError(f"time {text!r} is not YYYY-MM-DDTHH:MM:SS.ffffffZ")
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00")
    except ValueError as exc:
        raise EntryError(f"time {text!r} is not a valid date") from exc
    if moment.replace(tzinfo=None).isoformat(timespec="microseconds") != text[:-1]:
        raise EntryError(f"time {text!r} is not in canonical form")
    return moment


def _check_string(what: str, value: object, *, empty: bool = False) -> str:
    if not isinstance(value, str):
        raise EntryError(f"{what} must be a string")
    if not value and not empty:
        raise EntryError(f"{what} must not be empty")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise EntryError(f"{what} is not valid Unicode") from exc
    return value


def _check_int(what: str, value: object, *, low: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise EntryError(f"{what} must be an integer")
    if not low <= value <= MAX_INT:
        raise EntryError(f"{what} {value} is out of range")
    return value


def _check_fields(kind: str, fields: Mapping[str, object]) -> dict[str, FieldValue]:
    checked: dict[str, FieldValue] = {}
    for name, value in fields.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise EntryError(f"field name {name!r} is not lowercase a-z, 0-9 and _")
        if isinstance(value, str):
            checked[name] = _check_string(name, value, empty=True)
        elif isinstance(value, int) and not isinstance(value, bool):
            checked[name] = _check_int(name, value, low=-MAX_INT)
        elif isinstance(value, list | tuple):
            checked[name] = tuple(_check_string(name, v, empty=True) for v in value)
        else:
            raise EntryError(f"field {name!r} must be a string, an integer or a list of strings")
    if kind in KINDS:
        required, optional = KINDS[kind]
        if missing := required - checked.keys():
            raise EntryError(f"{kind} entry lacks {', '.join(sorted(missing))}")
        if extra := checked.keys() - required - optional:
            raise EntryError(f"{kind} entry has unknown {', '.join(sorted(extra))}")
        for name in HASH_FIELDS & checked.keys():
            value = checked[name]
            if not isinstance(value, str) or not _HEX_HASH.fullmatch(value):
                raise EntryError(f"field {name!r} must be 64 lowercase hex digits")
    return checked


def _check_kind(value: object) -> str:
    kind = _check_string("kind", value)
    if not _KIND.fullmatch(kind):
        raise EntryError(f"kind {kind!r} is not dotted lowercase names")
    return kind


def _to_json(entry: Entry) -> dict[str, Any]:
    if _check_int("version", entry.version, low=0) != VERSION:
        raise EntryError(f"unsupported entry version {entry.version}")
    kind = _check_kind(entry.kind)
    fields = _check_fields(kind, entry.fields)
    return {
        "actor": _check_string("actor", entry.actor),
        "fields": {k: list(v) if isinstance(v, tuple) else v for k, v in fields.items()},
        "index": _check_int("index", entry.index, low=0),
        "kind": kind,
        "time": format_time(entry.time),
        "v": entry.version,
    }


def encode(entry: Entry) -> bytes:
    """The canonical bytes of an entry (the log leaf)."""
    return _ENCODER.encode(_to_json(entry)).encode("utf-8")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise EntryError("duplicate key")
    return result


def _no_floats(text: str) -> Any:
    raise EntryError(f"number {text} is not an integer")


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
_DECODER = json.JSONDecoder(
    object_pairs_hook=_no_duplicates, parse_float=_no_floats, parse_constant=_no_floats
)


def decode(data: bytes) -> Entry:
    """Parse canonical entry bytes; anything `encode` would not have produced is rejected."""
    try:
        raw = _DECODER.decode(data.decode("utf-8"))
        # Same spelling as `encode`; the checks below then make the values the same too.
        if _ENCODER.encode(raw).encode("utf-8") != data:
            raise EntryError("entry bytes are not in canonical form")
    except (UnicodeError, json.JSONDecodeError, RecursionError) as exc:
        raise EntryError(f"not UTF-8 JSON: {exc}") from exc
    if not isinstance(raw, dict) or tuple(sorted(raw)) != _TOP_KEYS:
        raise EntryError(f"an entry is an object with exactly the keys {', '.join(_TOP_KEYS)}")
    if _check_int("version", raw["v"], low=0) != VERSION:
        raise EntryError(f"unsupported entry version {raw['v']}")
    kind = _check_kind(raw["kind"])
    if not isinstance(raw["fields"], dict):
        raise EntryError("fields must be an object")
    return Entry(
        index=_check_int("index", raw["index"], low=0),
        kind=kind,
        actor=_check_string("actor", raw["actor"]),
        time=parse_time(_check_string("time", raw["time"])),
        fields=_check_fields(kind, raw["fields"]),
        version=VERSION,
    )


def message_sent(
    index: int,
    actor: str,
    time: datetime,
    *,
    thread: str,
    message: str,
    content: str,
    corrects: str | None = None,
) -> Entry:
    fields: dict[str, FieldValue] = {"thread": thread, "message": message, "content": content}
    if corrects is not None:
        fields["corrects"] = corrects
    return Entry(index, "message.sent", actor, time, fields)


def message_viewed(index: int, actor: str, time: datetime, *, message: str, viewer: str) -> Entry:
    return Entry(index, "message.viewed", actor, time, {"message": message, "viewer": viewer})


def attachment_added(
    index: int,
    actor: str,
    time: datetime,
    *,
    message: str,
    attachment: str,
    content: str,
    media_type: str,
) -> Entry:
    fields: dict[str, FieldValue] = {
        "message": message,
        "attachment": attachment,
        "content": content,
        "media_type": media_type,
    }
    return Entry(index, "attachment.added", actor, time, fields)


def thread_created(
    index: int, actor: str, time: datetime, *, thread: str, subject: str, participants: list[str]
) -> Entry:
    fields: dict[str, FieldValue] = {
        "thread": thread,
        "subject": subject,
        "participants": tuple(participants),
    }
    return Entry(index, "thread.created", actor, time, fields)


def redaction(index: int, actor: str, time: datetime, *, message: str, reason: str) -> Entry:
    return Entry(index, "redaction", actor, time, {"message": message, "reason": reason})
