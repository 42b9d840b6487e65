"""Canonical entry bytes: a golden example, round trips, and strict rejection."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coparent.tlog.entry import (
    HASH_FIELDS,
    KINDS,
    Entry,
    EntryError,
    _decode_strict,
    all_leaf_views,
    content_hash,
    decode,
    encode,
    format_time,
    known_leaf_views,
    leaf_view,
    message_sent,
    message_viewed,
    redaction,
    thread_created,
)
from coparent.tlog.merkle import leaf_hash

WHEN = datetime(2026, 3, 1, 9, 30, 5, 120000, tzinfo=UTC)
SALT = bytes(range(32))
HASH = content_hash(SALT, b"See you at 5.")

GOLDEN = (
    '{"actor":"u_7Qx","fields":{"content":"' + HASH + '","message":"m_2","thread":"t_1"},'
    '"index":3,"kind":"message.sent","time":"2026-03-01T09:30:05.120000Z","v":1}'
).encode()


def test_a_message_entry_has_the_documented_bytes() -> None:
    entry = message_sent(3, "u_7Qx", WHEN, thread="t_1", message="m_2", content=HASH)
    assert encode(entry) == GOLDEN
    assert decode(GOLDEN) == entry
    # The example in docs/record-format.md.
    assert leaf_hash(GOLDEN).hex() == (
        "0b12cf73f4b5e1ed65779ee5f1e7098e575aa9054e6f2e4974a5a3788eb8febe"
    )


def test_content_hash_is_sha256_of_salt_then_body() -> None:
    assert hashlib.sha256(SALT + b"See you at 5.").hexdigest() == HASH
    with pytest.raises(EntryError):
        content_hash(b"short", b"body")


def test_times_are_stored_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    entry = message_viewed(0, "u", WHEN.astimezone(paris), message="m", viewer="u")
    assert b'"time":"2026-03-01T09:30:05.120000Z"' in encode(entry)
    with pytest.raises(EntryError):
        encode(message_viewed(0, "u", datetime(2026, 3, 1), message="m", viewer="u"))


def test_known_kinds_need_their_fields() -> None:
    with pytest.raises(EntryError, match="lacks content"):
        encode(Entry(0, "message.sent", "u", WHEN, {"thread": "t", "message": "m"}))
    with pytest.raises(EntryError, match="unknown body"):
        fields = {"thread": "t", "message": "m", "content": HASH, "body": "hi"}
        encode(Entry(0, "message.sent", "u", WHEN, fields))
    with pytest.raises(EntryError, match="64 lowercase hex"):
        encode(message_sent(0, "u", WHEN, thread="t", message="m", content=HASH.upper()))


def test_later_kinds_need_no_format_change() -> None:
    entry = Entry(
        9,
        "expense.recorded",
        "u",
        WHEN,
        {"amount_cents": 1250, "currency": "EUR", "shared_with": ("u2",)},
    )
    assert decode(encode(entry)) == entry


def test_known_kind_helpers_round_trip() -> None:
    for entry in [
        message_sent(0, "u", WHEN, thread="t", message="m", content=HASH, corrects="m0"),
        thread_created(1, "u", WHEN, thread="t", subject=HASH, participants=["u", "v"]),
        redaction(2, "court", WHEN, message="m", reason="court order 12/2026"),
    ]:
        assert decode(encode(entry)) == entry


@pytest.mark.parametrize(
    "variant",
    [
        GOLDEN.replace(b'","', b'", "', 1),  # whitespace
        GOLDEN + b"\n",
        b" " + GOLDEN,
        b"\xef\xbb\xbf" + GOLDEN,  # byte order mark
        GOLDEN.replace(b'"index":3', b'"index":3.0'),
        GOLDEN.replace(b'"index":3', b'"index":"3"'),
        GOLDEN.replace(b'"v":1', b'"v":true'),
        GOLDEN.replace(b'"v":1', b'"v":2'),
        GOLDEN.replace(b'"index":3', b'"index":-3'),
        GOLDEN.replace(b'"actor":"u_7Qx"', b'"actor":"u_\\u0037Qx"'),  # needless escape
        GOLDEN.replace(b'"actor":"u_7Qx",', b"") + b"",  # missing key
        GOLDEN.replace(b'"actor":"u_7Qx",', b'"actor":"u_7Qx","actor":"u_7Qx",'),
        GOLDEN.replace(b'"v":1}', b'"v":1,"x":"y"}'),
        GOLDEN.replace(b".120000Z", b".12Z"),
        GOLDEN.replace(b".120000Z", b".120000+00:00"),
        GOLDEN.replace(b"2026-03-01", b"2026-02-30"),
        GOLDEN.replace(b"T09:30:05", b"T24:00:00"),
        GOLDEN.replace(b"2026-03-01", b"0000-03-01"),
        GOLDEN.replace(b"2026-03-01", b"\xd9\xa2026-03-01"),  # Arabic-Indic digit
        GOLDEN.replace(b'"message":"m_2","thread":"t_1"', b'"thread":"t_1","message":"m_2"'),
        GOLDEN.replace(b'"m_2"', b'"m_\\ud800"'),  # lone surrogate
        GOLDEN.replace(b'"m_2"', b'"m_\xff"'),  # not UTF-8
        b"[]",
        b"",
    ],
)
def test_non_canonical_bytes_are_rejected(variant: bytes) -> None:
    assert variant != GOLDEN
    with pytest.raises(EntryError):
        decode(variant)
    assert leaf_view(variant) is None
    _same_run_verdict(variant)


def _same_run_verdict(raw: bytes) -> None:
    """The checks of a run of leaves (the verifier's) agree with `leaf_view` on one leaf, and
    on the leaf between two good ones."""
    view = leaf_view(raw)
    for run in ([raw], [GOLDEN, raw, GOLDEN]):
        views = all_leaf_views(run)
        assert (views is None) == (view is None)
        known = known_leaf_views(run)
        assert (known is None) == (view is None or view.kind not in KINDS)
        if view is not None and views is not None:
            assert views[len(run) // 2] == view
        if view is not None and known is not None:
            got = known[len(run) // 2]
            assert (got.index, got.kind, got.actor, got.time) == (
                view.index,
                view.kind,
                view.actor,
                view.time,
            )
            assert {name: getattr(got.fields, name) for name in view.fields} == view.fields


def _same_verdict(raw: bytes) -> None:
    """`leaf_view` (the fast path of `decode` and the verifier) accepts exactly what the json
    module's strict decoding accepts, with the same values."""
    _same_run_verdict(raw)
    view = leaf_view(raw)
    try:
        entry = _decode_strict(raw)
    except EntryError:
        assert view is None
        with pytest.raises(EntryError):
            decode(raw)
        return
    assert view is not None
    assert decode(raw) == entry
    assert (view.index, view.kind, view.actor, view.time) == (
        entry.index,
        entry.kind,
        entry.actor,
        format_time(entry.time),
    )


def test_the_fast_view_agrees_on_the_golden_entry_and_known_kinds() -> None:
    _same_verdict(GOLDEN)
    for name in ("content", "thread", "message"):
        _same_verdict(GOLDEN.replace(f'"{name}":'.encode(), b'"other":'))
    _same_verdict(GOLDEN.replace(b'"9841b578', b'"9841B578'))
    _same_verdict(GOLDEN.replace(b'"m_2"', b"1"))
    _same_verdict(GOLDEN.replace(b'"m_2"', b'["m_2"]'))
    _same_verdict(GOLDEN.replace(b'"thread":"t_1"', b'"thread":"t_1","zz":9007199254740992'))
    _same_verdict(GOLDEN.replace(b'"thread":"t_1"', b'"thread":"t_1","zz":-9007199254740991'))
    _same_verdict(GOLDEN.replace(b'"u_7Qx"', b'""'))
    _same_verdict(GOLDEN.replace(b'"u_7Qx"', b'"a\\u0001\\n\\"\\\\b"'))


def test_a_run_of_known_kinds_is_read_as_the_kinds_it_is_said_to_be() -> None:
    """The verifier names each leaf's kind from its line: the views come back in the leaves'
    order, and a leaf of another kind than the one named is not read as that kind."""
    run = [
        encode(thread_created(0, "u_1", WHEN, thread="t_1", subject=HASH, participants=["u_1"])),
        GOLDEN,
        encode(message_viewed(4, "u_2", WHEN, message="m_2", viewer="u_2")),
        encode(message_sent(5, "u_2", WHEN, thread="t_1", message="m_3", content=HASH)),
        encode(redaction(6, "u_1", WHEN, message="m_2", reason="typo")),
    ]
    kinds = [view.kind for view in map(leaf_view, run) if view is not None]
    views = known_leaf_views(run, kinds)
    assert views is not None and [view.index for view in views] == [0, 3, 4, 5, 6]
    assert [view.kind for view in views] == kinds
    assert views == known_leaf_views(run)
    for i, other in [(1, "message.viewed"), (2, "message.sent"), (4, "records.rollback")]:
        assert known_leaf_views(run, [*kinds[:i], other, *kinds[i + 1 :]]) is None
    assert known_leaf_views(run, kinds[1:]) is None


def test_escaped_non_ascii_is_rejected_in_favour_of_raw_utf8() -> None:
    entry = message_viewed(0, "Zoë", WHEN, message="m", viewer="Zoë")
    raw = encode(entry)
    assert "Zoë".encode() in raw
    escaped = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    assert escaped != raw
    with pytest.raises(EntryError):
        decode(escaped)


text = st.text(st.characters(codec="utf-8"), max_size=20)
names = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
values = st.one_of(
    text, st.integers(-(2**53) + 1, 2**53 - 1), st.lists(text, max_size=3).map(tuple)
)
entries = st.builds(
    Entry,
    index=st.integers(0, 2**53 - 1),
    kind=st.from_regex(r"[a-z][a-z0-9_]{0,8}(\.[a-z][a-z0-9_]{0,8}){0,2}", fullmatch=True).filter(
        lambda k: (
            k not in {"message.sent", "message.viewed", "attachment.added"}
            and k not in {"thread.created", "redaction"}
        )
    ),
    actor=text.filter(bool),
    time=st.datetimes(timezones=st.just(UTC)),
    fields=st.dictionaries(names, values, max_size=5),
)


@settings(max_examples=200, deadline=None)
@given(entries)
def test_encode_decode_round_trip(entry: Entry) -> None:
    raw = encode(entry)
    assert decode(raw) == entry
    assert encode(decode(raw)) == raw
    _same_verdict(raw)


@settings(max_examples=200, deadline=None)
@given(entries, st.data())
def test_any_other_json_spelling_is_rejected(entry: Entry, data: st.DataObject) -> None:
    raw = encode(entry)
    parsed = json.loads(raw)
    spelling: dict[str, Any] = data.draw(
        st.sampled_from(
            [
                {"indent": 1},
                {"separators": (", ", ":")},
                {"separators": (",", ": ")},
                {"sort_keys": False, "reverse": True},
            ]
        )
    )
    if spelling.pop("reverse", False):
        parsed = dict(reversed(parsed.items()))
    else:
        spelling["sort_keys"] = True
    other = json.dumps(parsed, ensure_ascii=False, **spelling).encode()
    _same_verdict(other)
    if other != raw:
        with pytest.raises(EntryError):
            decode(other)


@settings(max_examples=300, deadline=None)
@given(entries, st.integers(0, 10**6), st.integers(1, 255))
def test_a_changed_byte_never_decodes_to_the_same_entry(
    entry: Entry, position: int, delta: int
) -> None:
    raw = _flipped(entry, position, delta)
    _same_verdict(raw)
    try:
        other = decode(raw)
    except EntryError:
        return
    assert other != entry
    assert encode(other) == raw


def _flipped(entry: Entry, position: int, delta: int) -> bytes:
    """The entry's bytes with the byte at `position` (wrapped to the length) changed by `delta`."""
    raw = bytearray(encode(entry))
    position %= len(raw)
    raw[position] = (raw[position] + delta) % 256
    return bytes(raw)


hashes = st.text("0123456789abcdef", min_size=64, max_size=64)


@st.composite
def known_entries(draw: st.DrawFn) -> Entry:
    """Entries of the kinds with a declared shape, which the verifier decodes to Structs."""
    kind = draw(st.sampled_from(sorted(KINDS)))
    required, optional = KINDS[kind]
    chosen = draw(st.sets(st.sampled_from(sorted(optional)))) if optional else set()
    names = sorted(required | chosen)
    fields = {n: draw(hashes if n in HASH_FIELDS else values) for n in names}
    return draw(
        st.builds(
            Entry,
            index=st.integers(0, 2**53 - 1),
            kind=st.just(kind),
            actor=text.filter(bool),
            time=st.datetimes(timezones=st.just(UTC)),
            fields=st.just(fields),
        )
    )


@settings(max_examples=300, deadline=None)
@given(known_entries(), st.integers(0, 10**6), st.integers(0, 255))
def test_a_known_kind_with_a_changed_byte_gets_the_same_verdict_in_a_run(
    entry: Entry, position: int, delta: int
) -> None:
    _same_verdict(_flipped(entry, position, delta))
