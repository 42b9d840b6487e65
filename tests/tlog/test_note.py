"""Signed notes and checkpoints against the published Go / C2SP vectors."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coparent.tlog.merkle import leaf_hash
from coparent.tlog.note import (
    Checkpoint,
    InvalidSignatureError,
    MalformedNoteError,
    NoteError,
    UnverifiedNoteError,
    format_checkpoint,
    generate_signer,
    key_id,
    open_note,
    parse_checkpoint,
    sign_note,
    signer_from_string,
    verifier_from_string,
)

# golang.org/x/mod/sumdb/note/note_test.go (commit 02c991387e35f9e4c0a9b7ce137717055f8d716d).
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "\u2014 PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "\u2014 EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
)


def test_go_verifier_key_parses() -> None:
    verifier = verifier_from_string(PETER_VKEY)
    assert (verifier.name, verifier.key_id) == ("PeterNeumann", 0xC74F20A3)
    assert verifier.to_string() == PETER_VKEY


def test_every_mangled_verifier_key_is_rejected() -> None:
    # The manglings of Go's TestNewVerifier: every proper substring, every byte incremented.
    key = PETER_VKEY
    for i in range(len(key) + 1):
        for j in range(i + 1, len(key) + 1):
            if (i, j) != (0, len(key)):
                with pytest.raises(NoteError):
                    verifier_from_string(key[i:j])
    for i in range(len(key)):
        with pytest.raises(NoteError):
            verifier_from_string(key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :])
    # Wrong key length and unknown algorithm, each with a matching key id (from the Go test).
    for bad in [
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ]:
        with pytest.raises(NoteError):
            verifier_from_string(bad)


def test_go_signer_key_parses_and_every_mangling_is_rejected() -> None:
    signer = signer_from_string(PETER_SKEY)
    assert signer.to_string() == PETER_SKEY
    assert signer.verifier.to_string() == PETER_VKEY
    key = PETER_SKEY
    for i in range(len(key) + 1):
        for j in range(i + 1, len(key) + 1):
            if (i, j) != (0, len(key)):
                with pytest.raises(NoteError):
                    signer_from_string(key[i:j])
    for i in range(len(key)):
        with pytest.raises(NoteError):
            signer_from_string(key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :])


def test_signing_matches_go_byte_for_byte() -> None:
    # Go's TestSign: Ed25519 is deterministic, so the note is identical.
    assert sign_note(TEXT, signer_from_string(PETER_SKEY)) == TEXT + "\n" + PETER_SIG
    with pytest.raises(MalformedNoteError):
        sign_note("abc", signer_from_string(PETER_SKEY))


def test_key_id_is_the_c2sp_hash() -> None:
    verifier = verifier_from_string(PETER_VKEY)
    raw = base64.b64decode(PETER_VKEY.rsplit("+", 1)[1])
    assert raw[0] == 1
    assert verifier.key_id == key_id("PeterNeumann", raw[1:]) == 0xC74F20A3


def test_open_checks_known_keys_and_ignores_unknown_ones() -> None:
    # Go's TestOpen.
    peter, enoch = verifier_from_string(PETER_VKEY), verifier_from_string(ENOCH_VKEY)
    note = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    assert open_note(note, [peter]) == TEXT
    assert open_note(note, [peter, enoch]) == TEXT
    assert open_note(note.encode(), [enoch]) == TEXT
    with pytest.raises(UnverifiedNoteError):
        open_note(note, [])
    with pytest.raises(NoteError, match="ambiguous key EnochRoot"):
        open_note(TEXT + "\n" + ENOCH_SIG, [enoch, peter, enoch])
    assert open_note(TEXT + "\n" + PETER_SIG, [enoch, peter, enoch]) == TEXT
    with pytest.raises(MalformedNoteError):
        open_note(TEXT + "\n" + PETER_SIG * 101, [peter])
    with pytest.raises(InvalidSignatureError, match="PeterNeumann\\+c74f20a3"):
        open_note(TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:], [peter])


@pytest.mark.parametrize(
    "message",
    [
        TEXT.encode(),
        (TEXT + "\n").encode(),
        (TEXT + "\n" + PETER_SIG[:-1]).encode(),
        ("\x01" + TEXT + "\n" + PETER_SIG).encode(),
        b"\xff" + (TEXT + "\n" + PETER_SIG).encode(),
        (TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Bad Name")[:-1]).encode(),
        (TEXT + "\n" + PETER_SIG + "Unexpected line.\n").encode(),
    ],
)
def test_malformed_notes_are_rejected(message: bytes) -> None:
    # Go's badMsgs list.
    with pytest.raises(MalformedNoteError):
        open_note(message, [verifier_from_string(PETER_VKEY)])


def test_a_generated_key_round_trips() -> None:
    signer = generate_signer("coparent.example/log")
    again = signer_from_string(signer.to_string())
    verifier = verifier_from_string(signer.verifier.to_string())
    note = sign_note("hello\n", again)
    assert open_note(note, [verifier]) == "hello\n"
    other = generate_signer("coparent.example/log").verifier
    with pytest.raises((InvalidSignatureError, UnverifiedNoteError)):
        open_note(note, [other])
    with pytest.raises(NoteError):
        generate_signer("has space")


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 200), st.integers(0, 7))
def test_any_changed_bit_of_a_signed_note_is_caught(position: int, bit: int) -> None:
    signer = signer_from_string(PETER_SKEY)
    note = sign_note(format_checkpoint("example.org/log", 42, bytes(32)), signer).encode()
    position %= len(note)
    changed = bytearray(note)
    changed[position] ^= 1 << bit
    with pytest.raises(NoteError):
        open_note(bytes(changed), [signer.verifier])


def test_checkpoint_format_matches_go() -> None:
    # golang.org/x/mod/sumdb/tlog/note_test.go TestFormatTree.
    golden = "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n"
    assert format_checkpoint("go.sum database tree", 123456789012, leaf_hash(b"hello world")) == (
        golden
    )
    assert parse_checkpoint(golden) == Checkpoint(
        "go.sum database tree", 123456789012, leaf_hash(b"hello world")
    )


@pytest.mark.parametrize(
    "text",
    [
        "go.sum database tree\n0xabcdef\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
        "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG=\n",
        "go.sum database tree\n0123\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
        "go.sum database tree\n123\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=",
        "go.sum database tree\n123\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n\n",
        "\n123\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
        "origin\n123\n",
    ],
)
def test_malformed_checkpoints_are_rejected(text: str) -> None:
    with pytest.raises(NoteError):
        parse_checkpoint(text)


def test_checkpoint_extension_lines_round_trip() -> None:
    text = format_checkpoint("example.org/log", 0, bytes(32), ["ext one"])
    assert parse_checkpoint(text).extensions == ("ext one",)


def test_base64_with_stray_padding_bits_is_rejected() -> None:
    # "…nAM=" and "…nAN=" decode to the same bytes in a lenient decoder (Go's accepts both);
    # a signature line must have one spelling only.
    loose = PETER_SIG.replace("nAM=", "nAN=")
    assert base64.b64decode(loose.split()[-1]) == base64.b64decode(PETER_SIG.split()[-1])
    with pytest.raises(MalformedNoteError):
        open_note(TEXT + "\n" + loose, [verifier_from_string(PETER_VKEY)])
