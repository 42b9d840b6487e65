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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from itertools import compress, repeat
from operator import attrgetter, is_not, itemgetter
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET

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
_HASH_FIELD_NAMES = tuple(sorted(HASH_FIELDS))


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
    view = leaf_view(data)
    if view is None:
        return _decode_strict(data)  # raises, naming what is wrong
    return Entry(
        index=view.index,
        kind=view.kind,
        actor=view.actor,
        time=datetime.fromisoformat(view.time[:-1]).replace(tzinfo=UTC),
        fields={k: tuple(v) if isinstance(v, list) else v for k, v in view.fields.items()},
        version=VERSION,
    )


def _decode_strict(data: bytes) -> Entry:
    """`decode` with Python's json module, which names the problem when there is one."""
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


class LeafView(msgspec.Struct, forbid_unknown_fields=True):
    """An entry's values as they are spelled in its bytes (`time` as text), for checking many
    leaves fast; `leaf_view` gives one only for bytes that `decode` accepts."""

    actor: Annotated[str, msgspec.Meta(min_length=1)]
    fields: dict[str, str | Annotated[int, msgspec.Meta(ge=-MAX_INT, le=MAX_INT)] | list[str]]
    index: Annotated[int, msgspec.Meta(ge=0, le=MAX_INT)]
    kind: str
    time: str
    v: Literal[1]


# msgspec checks UTF-8 (no lone surrogates) and the types in C, and writes strings with the
# same escapes as `_ENCODER`, so "re-encodes to itself" means what it means in `decode`;
# tests/tlog/test_entry.py holds the two to the same verdicts. Names and dates are checked
# here, each distinct one once (a record has a few dozen names and a few thousand days).
_VIEW_DECODER = msgspec.json.Decoder(LeafView)
# Dict keys sorted, Struct fields in their order: LeafView declares its fields sorted.
_VIEW_ENCODER = msgspec.json.Encoder(order="deterministic")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CLOCK = re.compile(r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{6}Z")
_SEEN_LIMIT = 100_000
_VALID_DATES: set[str] = set()
_VALID_KINDS: set[str] = set()
_VALID_NAMES: set[str] = set()
_VALID_SHAPES: set[tuple[str, ...]] = set()
_VALID_RUN_SHAPES: set[tuple[str, tuple[str, ...]]] = set()


def _seen[T](value: T, valid: bool, seen: set[T]) -> bool:
    if valid:
        if len(seen) > _SEEN_LIMIT:  # stay bounded whatever a bundle holds
            seen.clear()
        seen.add(value)
    return valid


def _valid_date(text: str) -> bool:
    if text in _VALID_DATES:
        return True
    try:
        valid = _DATE.fullmatch(text) is not None and date.fromisoformat(text).year >= 1
    except ValueError:
        valid = False
    return _seen(text, valid, _VALID_DATES)


def _shape_holds(kind: str, names: Iterable[str]) -> bool:
    if kind not in _VALID_KINDS and not _seen(
        kind, _KIND.fullmatch(kind) is not None, _VALID_KINDS
    ):
        return False
    names = set(names)
    if not _VALID_NAMES.issuperset(names):
        for name in names:
            if not _seen(name, _NAME.fullmatch(name) is not None, _VALID_NAMES):
                return False
    if (spec := KINDS.get(kind)) is not None:
        required, optional = spec
        if not required <= names or not names - required <= optional:
            return False
    return True


def _view_holds(view: LeafView) -> bool:
    """The checks of `decode` that the types of LeafView do not make."""
    kind, time, fields = view.kind, view.time, view.fields
    # A kind with its field names, checked once: a record has a few dozen shapes.
    shape = (kind, *fields)
    if shape not in _VALID_SHAPES and not _seen(shape, _shape_holds(kind, fields), _VALID_SHAPES):
        return False
    if not _CLOCK.fullmatch(time, 10) or (
        time[:10] not in _VALID_DATES and not _valid_date(time[:10])
    ):
        return False
    if kind in KINDS:
        for name in _HASH_FIELD_NAMES:
            value = fields.get(name)
            if value is not None and (not isinstance(value, str) or not _HEX_HASH.fullmatch(value)):
                return False
    return True


def leaf_view(data: bytes) -> LeafView | None:
    """The entry in `data`, or None when `decode` would reject it (call `decode` for the reason).
    Same verdict as `decode`, several times faster: what a verifier runs on every leaf."""
    try:
        view = _VIEW_DECODER.decode(data)
    except msgspec.MsgspecError:
        return None
    if _VIEW_ENCODER.encode(view) != data or not _view_holds(view):
        return None
    return view


def leaf_views(leaves: Sequence[bytes]) -> list[LeafView | None]:
    """`leaf_view` of each leaf, decoding and re-encoding the lot in one call each."""
    joined = b"\n".join(leaves)
    # A canonical leaf holds no raw newline, so the newlines split the lot back into leaves.
    if leaves and joined.count(b"\n") == len(leaves) - 1:
        try:
            views: list[LeafView | None] = list(_VIEW_DECODER.decode_lines(joined))
        except msgspec.MsgspecError:
            views = []
        if len(views) == len(leaves) and _VIEW_ENCODER.encode_lines(views) == joined + b"\n":
            # Each re-encoded view is the leaf at its place: every leaf was canonical.
            return [view if _view_holds(view) else None for view in views]  # type: ignore[arg-type]
    return [leaf_view(leaf) for leaf in leaves]


# A run of leaves is checked with a few passes in C over the whole run (a verifier checks a
# million): spellings by mapping every character of a class to one and comparing with the
# template repeated, values by msgspec (a time's digits as a datetime: ranges and calendar).
_DIGITS = bytes.maketrans(b"123456789", b"000000000")
_HEX_DIGITS = bytes.maketrans(b"123456789abcdef", b"000000000000000")
_TIME_SPELLING = b"0000-00-00T00:00:00.000000Z\n"
_HASH_SPELLING = b"0" * 64 + b"\n"
_is_value = partial(is_not, None)


def _spelled_as(values: Sequence[str], spelling: bytes, table: bytes) -> bool:
    """Whether each value, its characters mapped by `table`, is `spelling` without its newline
    (a value holding a newline gives one line too many)."""
    # surrogatepass: a lone surrogate (msgspec lets none through) would fail, not raise
    text = "\n".join([*values, ""]).encode("utf-8", "surrogatepass") if values else b""
    return text.translate(table) == spelling * len(values)


def _times_hold(times: Sequence[str]) -> bool:
    """Every time spelled as `parse_time` accepts: the digits where `_TIME` has them, and a
    real moment (hour below 24, the day in its month, year 1 or later)."""
    if not _spelled_as(times, _TIME_SPELLING, _DIGITS):
        return False
    try:
        msgspec.convert(times, list[datetime])  # parsed as from JSON, with no JSON in between
    except msgspec.ValidationError:
        return False
    return True


def _decoded_run[T](
    decoder: msgspec.json.Decoder[T], encoder: msgspec.json.Encoder, leaves: Sequence[bytes]
) -> list[T] | None:
    """Each leaf decoded, when each re-encodes to itself (one call each way for the run)."""
    if not leaves:
        return None
    # Each leaf with the newline that encode_lines writes after it: the bytes to compare with
    # are joined once, not copied again to add the last one.
    joined = b"\n".join([*leaves, b""])
    try:
        views = decoder.decode_lines(joined)
    except msgspec.MsgspecError:
        return None
    # A canonical leaf holds no raw newline, so as many views re-encoded (one line each) to
    # the same bytes means each leaf is one view re-encoded: no need to count newlines.
    if len(views) != len(leaves) or encoder.encode_lines(views) != joined:
        return None
    return views


def all_leaf_views(leaves: Sequence[bytes]) -> list[LeafView] | None:
    """Every leaf's view when `decode` accepts every leaf, else None (then `leaf_views` says
    which). The checks of `_view_holds`, made over the whole list at once: each distinct
    shape once, the times and the hashes each in a few passes over the run."""
    views = _decoded_run(_VIEW_DECODER, _VIEW_ENCODER, leaves)
    if views is None:
        return None
    kinds = [view.kind for view in views]
    fields = [view.fields for view in views]
    for shape in set(zip(kinds, map(tuple, fields), strict=True)):
        if shape not in _VALID_RUN_SHAPES and not _seen(
            shape, _shape_holds(*shape), _VALID_RUN_SHAPES
        ):
            return None
    if not _times_hold([view.time for view in views]):
        return None
    if not KINDS.keys() >= set(kinds):
        fields = [f for k, f in zip(kinds, fields, strict=True) if k in KINDS]
    for name in _HASH_FIELD_NAMES:
        values: list[Any] = list(filter(_is_value, map(dict.get, fields, repeat(name))))
        try:
            spelled = _spelled_as(values, _HASH_SPELLING, _HEX_DIGITS)
        except TypeError:  # an integer or a list where a hash belongs
            return None
        if not spelled:
            return None
    return views


class KnownLeaf(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A leaf of a kind in KINDS, decoded by `known_leaf_views`: one subclass a kind, where
    `kind` is that kind's literal and `fields` a Struct of the names the kind takes, so msgspec
    checks the kind and the shape while it decodes. Every key is in canonical (sorted) order,
    so a view encodes back to canonical bytes without sorting. Not tracked by the garbage
    collector (decoded JSON holds no cycle): a run of leaves would otherwise set off a
    collection every few hundred."""

    actor: Annotated[str, msgspec.Meta(min_length=1)]
    fields: msgspec.Struct
    index: Annotated[int, msgspec.Meta(ge=0, le=MAX_INT)]
    kind: str
    time: str
    v: Literal[1]


_FIELD_VALUE = str | Annotated[int, msgspec.Meta(ge=-MAX_INT, le=MAX_INT)] | list[str]


def _known_leaf(kind: str, required: frozenset[str], optional: frozenset[str]) -> type[KnownLeaf]:
    def value(name: str) -> Any:
        return str if name in HASH_FIELDS else _FIELD_VALUE  # hashes: then checked as hex

    fields = msgspec.defstruct(
        f"{kind}.fields",
        sorted(
            [(name, value(name)) for name in required]
            + [(name, value(name) | msgspec.UnsetType, msgspec.UNSET) for name in optional],
            key=itemgetter(0),
        ),
        kw_only=True,  # required and optional names mixed, in sorted order
        forbid_unknown_fields=True,
        gc=False,
    )
    # A subclass's field keeps its place among the base's fields.
    return msgspec.defstruct(  # type: ignore[return-value]
        kind, [("fields", fields), ("kind", Literal[kind])], bases=(KnownLeaf,)
    )


_KNOWN_DECODERS = {
    kind: msgspec.json.Decoder(_known_leaf(kind, *spec)) for kind, spec in KINDS.items()
}
_KNOWN_ENCODER = msgspec.json.Encoder()  # in field order: canonical for a KnownLeaf
# The hash fields each known kind takes, read from a view, and whether each may be left out.
_HASHES_OF = {
    kind: [
        (attrgetter(f"fields.{name}"), name in optional)
        for name in sorted(HASH_FIELDS & (required | optional))
    ]
    for kind, (required, optional) in KINDS.items()
}


class _Kind(msgspec.Struct, gc=False):
    """A leaf's "kind" alone, its other keys skipped."""

    kind: str


_KIND_DECODER = msgspec.json.Decoder(_Kind)


def _kinds(leaves: Sequence[bytes]) -> list[str] | None:
    """The kind each leaf names, as far as a look at its "kind" key shows."""
    try:
        heads = _KIND_DECODER.decode_lines(b"\n".join(leaves))
    except msgspec.MsgspecError:
        return None
    return [head.kind for head in heads] if len(heads) == len(leaves) else None


def known_leaf_views(
    leaves: Sequence[bytes], kinds: Sequence[str] | None = None
) -> list[KnownLeaf] | None:
    """`all_leaf_views` for a run of leaves of the kinds in KINDS only: None when any leaf is of
    another kind, or of another kind than `kinds` (when given) names for it, or is one `decode`
    rejects. Several times faster: the leaves of a kind are decoded together as that kind's
    Struct (no dict of fields to build and no shape to check per leaf, no tag to look ahead
    for); read a field with `getattr(view.fields, name)`."""
    if kinds is None:
        kinds = _kinds(leaves)
    if not leaves or kinds is None or len(kinds) != len(leaves):
        return None
    run_kinds = set(kinds)
    if not KINDS.keys() >= run_kinds:
        return None
    views_of: dict[str, Iterator[KnownLeaf]] = {}
    hashes: list[str] = []
    for kind in run_kinds:
        group = (
            leaves if len(run_kinds) == 1 else list(compress(leaves, [k == kind for k in kinds]))
        )
        views = _decoded_run(_KNOWN_DECODERS[kind], _KNOWN_ENCODER, group)
        if views is None or not _times_hold([view.time for view in views]):
            return None
        for hash_of, optional in _HASHES_OF[kind]:
            values = map(hash_of, views)
            hashes += [value for value in values if value is not UNSET] if optional else values
        views_of[kind] = iter(views)
    if not _spelled_as(hashes, _HASH_SPELLING, _HEX_DIGITS):
        return None
    return list(map(next, map(views_of.__getitem__, kinds)))  # each view at its leaf's place


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
