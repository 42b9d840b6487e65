"""Export bundles and `coparent verify`: intact bundles pass, every kind of tampering fails."""

from __future__ import annotations

import base64
import io
import json
import random
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from coparent.tlog import entry as e
from coparent.tlog import verify as verify_module
from coparent.tlog.bundle import build_bundle
from coparent.tlog.merkle import inclusion_proof, leaf_hash
from coparent.tlog.note import generate_signer, sign_note
from coparent.tlog.verify import main, verify_bundle
from tests.tlog.family_log import (
    FamilyLog,
    edit,
    edit_lines,
    members,
    plain_log,
    rezip,
    sample_log,
)

LOG = sample_log()


def export(log: FamilyLog = LOG, only: set[int] | None = None) -> bytes:
    out = io.BytesIO()
    log.export(out, only)
    return out.getvalue()


BUNDLE = export()
PARTIAL = export(only={0, 1, 2, 3})
# Without files or rollbacks: a run of lines the checker can take all at once.
PLAIN = export(plain_log())
BUNDLES = {"complete": BUNDLE, "partial": PARTIAL, "plain": PLAIN}


def verify(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bundle: bytes, *args: str
) -> tuple[int, str]:
    path = tmp_path / "bundle.zip"
    path.write_bytes(bundle)
    code = main([str(path), *args])
    return code, capsys.readouterr().out


def json_line(line: bytes) -> dict[str, object]:
    value = json.loads(line)
    assert isinstance(value, dict)
    return value


def change_line(position: int, change: Callable[[dict[str, object]], None]) -> bytes:
    def apply(lines: list[bytes]) -> list[bytes]:
        obj = json_line(lines[position])
        change(obj)
        lines[position] = json.dumps(obj, ensure_ascii=False).encode()
        return lines

    return edit_lines(BUNDLE, apply)


def leaf_of(obj: dict[str, object]) -> dict[str, object]:
    value = json.loads(base64.b64decode(str(obj["leaf"])))
    assert isinstance(value, dict)
    return value


def set_leaf(obj: dict[str, object], leaf: dict[str, object]) -> None:
    raw = json.dumps(leaf, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    obj["leaf"] = base64.b64encode(raw).decode()


def test_an_intact_bundle_verifies(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out = verify(capsys, tmp_path, BUNDLE)
    assert code == 0, out
    size, root = LOG.frontier.size, LOG.frontier.root()
    assert f"tree size: {size}\n" in out
    assert f"root hash (base64): {base64.b64encode(root).decode()}\n" in out
    assert f"root hash (hex): {root.hex()}\n" in out
    assert "complete export: all 10 entries" in out
    assert "not pinned" in out


def test_a_pinned_key_is_checked(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out = verify(capsys, tmp_path, BUNDLE, "--key", LOG.signer.verifier.to_string())
    assert code == 0, out
    assert "not pinned" not in out
    other = generate_signer("coparent.example").verifier.to_string()
    code, out = verify(capsys, tmp_path, BUNDLE, "--key", other)
    assert code == 1
    assert out.startswith("FAILED: verifier-key.txt: the bundle's key") and "pinned" in out


def test_the_bundle_holds_what_the_readme_promises() -> None:
    files = members(BUNDLE)
    assert set(files) == {
        "manifest.json",
        "entries.jsonl",
        "checkpoint.txt",
        "verifier-key.txt",
        "README.txt",
        "attachments/4",
    }
    manifest = json.loads(files["manifest.json"])
    assert manifest["format"] == "coparent-record-bundle/1"
    assert manifest["partial"] is False
    assert manifest["people"] == {"u_alex": "Alex", "u_sam": "Sam", "u_court": "Family Court"}
    lines = [json.loads(line) for line in files["entries.jsonl"].splitlines()]
    assert [line["index"] for line in lines] == list(range(10))
    assert lines[1]["body"] == "Can you pick Mia up at 3?"
    assert lines[1]["thread_subject"] == "School pickup"
    assert "body" not in lines[7] and "salt" not in lines[7]  # redacted
    assert lines[8]["kind"] == "redaction"
    assert b"12 Elm Street" not in b"".join(files.values())
    readme = files["README.txt"].decode()
    assert "COMPLETE export" in readme and "coparent verify BUNDLE.zip" in readme
    assert "SHA-256(0x00 || leaf bytes)" in readme and "sumdb/note" in readme


def test_building_twice_gives_the_same_bytes() -> None:
    assert export() == BUNDLE


def swap(lines: list[bytes], a: int, b: int) -> list[bytes]:
    lines[a], lines[b] = lines[b], lines[a]
    return lines


def forged_signature(data: bytes) -> bytes:
    text = data.decode()
    body = text[: text.rfind("\n\n") + 1]
    return sign_note(body, generate_signer("coparent.example")).encode()


def altered_signature(data: bytes) -> bytes:
    text = data.decode()
    head, sig = text.rsplit(" ", 1)
    raw = bytearray(base64.b64decode(sig))
    raw[10] ^= 1
    return (head + " " + base64.b64encode(raw).decode() + "\n").encode()


def other_root(data: bytes) -> bytes:
    lines = data.decode().split("\n")
    lines[2] = base64.b64encode(bytes(32)).decode()
    return "\n".join(lines).encode()


def resigned_checkpoint(change: Callable[[list[str]], None]) -> bytes:
    """A checkpoint changed and re-signed by the real key: only the tree can catch it."""

    def apply(data: bytes) -> bytes:
        text = data.decode()
        lines = text[: text.rfind("\n\n")].split("\n")
        change(lines)
        return sign_note("\n".join(lines) + "\n", LOG.signer).encode()

    return edit(BUNDLE, "checkpoint.txt", apply)


def edited_body(obj: dict[str, object]) -> None:
    obj["body"] = "Can you pick Mia up at 4?"


def wrong_salt(obj: dict[str, object]) -> None:
    obj["salt"] = "00" * 32


def edited_leaf_keeping_body(obj: dict[str, object]) -> None:
    leaf = leaf_of(obj)
    leaf["time"] = "2026-01-05T08:08:00.000001Z"
    obj["time"] = leaf["time"]
    set_leaf(obj, leaf)


def rewritten_message(obj: dict[str, object]) -> None:
    # The forger edits the body and recomputes salt, hash and leaf: only the root catches it.
    salt = bytes(32)
    leaf = leaf_of(obj)
    fields = leaf["fields"]
    assert isinstance(fields, dict)
    fields["content"] = e.content_hash(salt, b"I will not pick her up.")
    set_leaf(obj, leaf)
    obj["body"] = "I will not pick her up."
    obj["salt"] = salt.hex()


def added_line(lines: list[bytes]) -> list[bytes]:
    extra = json_line(lines[-1])
    leaf = leaf_of(extra)
    leaf["index"] = extra["index"] = 10
    set_leaf(extra, leaf)
    return [*lines, json.dumps(extra).encode()]


def inserted_line(lines: list[bytes]) -> list[bytes]:
    return [*lines[:3], lines[2], *lines[3:]]


def padded_line(lines: list[bytes]) -> int:
    return next(i for i, line in enumerate(lines) if str(json_line(line)["leaf"]).endswith("="))


def padding_bits_set(lines: list[bytes], *, escaped: bool = False) -> list[bytes]:
    """A leaf whose last character before "=" keeps bits that should be zero: it decodes to
    the same bytes, but only the canonical spelling is accepted. `escaped` writes the padding
    as a JSON \\u escape, which spells the same string."""
    position = padded_line(lines)
    obj = json_line(lines[position])
    text = str(obj["leaf"])
    stem = text.rstrip("=")
    obj["leaf"] = stem[:-1] + chr(ord(stem[-1]) + 1) + text[len(stem) :]
    line = json.dumps(obj, ensure_ascii=False)
    if escaped:
        line = line.replace('="', '\\u003d"')
    lines[position] = line.encode()
    return lines


def escaped_padding(lines: list[bytes]) -> list[bytes]:
    position = padded_line(lines)
    lines[position] = lines[position].replace(b'="', b'\\u003d"')
    return lines


TAMPERS: dict[str, tuple[bytes, str]] = {
    "removed entry": (
        edit_lines(BUNDLE, lambda ls: ls[:4] + ls[5:]),
        "entry 5: found where entry 4",
    ),
    "removed last entry": (edit_lines(BUNDLE, lambda ls: ls[:-1]), "9 entries but the checkpoint"),
    "added entry": (edit_lines(BUNDLE, added_line), "entry 10: beyond the checkpoint's tree size"),
    "duplicated entry": (edit_lines(BUNDLE, inserted_line), "entry 2: found where entry 3"),
    "reordered entries": (edit_lines(BUNDLE, lambda ls: swap(ls, 3, 5)), "entry 5: found where"),
    "edited body": (change_line(1, edited_body), "entry 1: body does not match the content hash"),
    "wrong salt": (change_line(3, wrong_salt), "entry 3: body does not match the content hash"),
    "edited subject": (
        change_line(0, lambda o: o.update(subject="Holidays")),
        "entry 0: subject does not match",
    ),
    "edited thread subject": (
        change_line(1, lambda o: o.update(thread_subject="Holidays")),
        "entry 1: thread_subject is not the thread's logged subject",
    ),
    "body added to a view": (
        change_line(2, lambda o: o.update(body="hi", salt="00" * 32)),
        "entry 2: a message.viewed entry has no body",
    ),
    "edited kind": (change_line(2, lambda o: o.update(kind="redaction")), "entry 2: kind"),
    "edited time": (
        change_line(1, lambda o: o.update(time="2026-01-04T08:07:00.000001Z")),
        "entry 1: time '2026-01-04T08:07:00.000001Z' does not match the leaf",
    ),
    "edited author": (
        change_line(1, lambda o: o.update(author="Sam")),
        "entry 1: author does not match",
    ),
    "edited index": (change_line(1, lambda o: o.update(index=2)), "entry 2: found where entry 1"),
    "edited leaf": (change_line(2, edited_leaf_keeping_body), "checkpoint: the entries hash"),
    "rewritten message": (change_line(1, rewritten_message), "checkpoint: the entries hash"),
    "garbage leaf": (
        change_line(2, lambda o: o.update(leaf=base64.b64encode(b"{}").decode())),
        "entry 2: the leaf is not a valid entry",
    ),
    "padding bits in a leaf": (
        edit_lines(BUNDLE, padding_bits_set),
        "the leaf is not a valid entry",
    ),
    "padding bits in a leaf behind an escape": (
        edit_lines(BUNDLE, partial(padding_bits_set, escaped=True)),
        "the leaf is not a valid entry",
    ),
    "unknown field": (change_line(2, lambda o: o.update(note="x")), "entry 2: unknown field"),
    "edited attachment": (
        edit(BUNDLE, "attachments/4", lambda d: d + b"!"),
        "entry 4: file does not match",
    ),
    "extra attachment": (
        rezip({**members(BUNDLE), "attachments/9": b"photo"}),
        "attachments/9 is not referenced",
    ),
    "missing attachment": (
        rezip({k: v for k, v in members(BUNDLE).items() if k != "attachments/4"}),
        "attachments/4 is missing",
    ),
    "forged signature": (
        edit(BUNDLE, "checkpoint.txt", forged_signature),
        "checkpoint.txt: note has no signature from a known key",
    ),
    "stripped signature": (
        edit(BUNDLE, "checkpoint.txt", lambda d: d[: d.rfind(b"\n\n") + 2]),
        "checkpoint.txt:",
    ),
    "altered signature": (
        edit(BUNDLE, "checkpoint.txt", altered_signature),
        "checkpoint.txt: invalid signature",
    ),
    "unsigned root change": (
        edit(BUNDLE, "checkpoint.txt", other_root),
        "checkpoint.txt: invalid signature",
    ),
    "checkpoint root mismatch": (
        resigned_checkpoint(lambda ls: ls.__setitem__(2, base64.b64encode(bytes(32)).decode())),
        "checkpoint: the entries hash to root",
    ),
    "checkpoint size mismatch": (
        resigned_checkpoint(lambda ls: ls.__setitem__(1, "11")),
        "10 entries but the checkpoint covers 11",
    ),
    "checkpoint origin mismatch": (
        resigned_checkpoint(lambda ls: ls.__setitem__(0, "elsewhere.example/f")),
        "manifest.json: origin",
    ),
    "swapped key and signature": (
        rezip(
            {
                **members(BUNDLE),
                "verifier-key.txt": generate_signer("coparent.example")
                .verifier.to_string()
                .encode(),
            }
        ),
        "checkpoint.txt: note has no signature from a known key",
    ),
    "partial bundle without its proofs": (
        rezip({k: v for k, v in members(PARTIAL).items() if k != "proofs.json"}),
        "4 entries but the checkpoint covers 10 and there is no proofs.json",
    ),
    "partial bundle claiming complete": (
        edit(
            PARTIAL, "manifest.json", lambda d: d.replace(b'"partial": true', b'"partial": false')
        ),
        "proofs.json: present in a bundle that says it is complete",
    ),
    "not a zip": (b"PK\x03\x04 not really", "bundle: cannot be read"),
}


@pytest.mark.parametrize("kind", TAMPERS)
def test_tampering_is_caught_and_named(
    kind: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bundle, expected = TAMPERS[kind]
    assert bundle != BUNDLE
    code, out = verify(capsys, tmp_path, bundle)
    assert code == 1
    assert out.startswith("FAILED: ")
    assert out.count("\n") == 1
    assert expected in out


def test_a_leaf_spelled_with_escapes_is_the_same_leaf(monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = edit_lines(BUNDLE, escaped_padding)
    assert bundle != BUNDLE
    assert verify_bundle(io.BytesIO(bundle)).ok
    assert verify_bundle(io.BytesIO(bundle)) == _slow_only(bundle, monkeypatch)


def test_a_substituted_key_passes_alone_but_not_when_pinned(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Someone re-signing with their own key fools only a verifier that trusts the bundle.
    forger = generate_signer("coparent.example")
    files = members(BUNDLE)
    text = files["checkpoint.txt"].decode()
    files["checkpoint.txt"] = sign_note(text[: text.rfind("\n\n") + 1], forger).encode()
    files["verifier-key.txt"] = forger.verifier.to_string().encode() + b"\n"
    bundle = rezip(files)
    code, out = verify(capsys, tmp_path, bundle)
    assert code == 0 and "not pinned" in out
    code, out = verify(capsys, tmp_path, bundle, "--key", LOG.signer.verifier.to_string())
    assert code == 1 and "is not the pinned key" in out


def test_a_partial_bundle_verifies_with_proofs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out = verify(capsys, tmp_path, PARTIAL, "--key", LOG.signer.verifier.to_string())
    assert code == 0, out
    assert "PARTIAL export: 4 of 10 entries" in out
    files = members(PARTIAL)
    assert "PARTIAL export" in files["README.txt"].decode()
    assert json.loads(files["manifest.json"])["partial"] is True
    assert sorted(json.loads(files["proofs.json"])["proofs"]) == ["0", "1", "2", "3"]


def test_a_partial_bundle_says_how_many_are_left_out(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out = verify(capsys, tmp_path, PARTIAL)
    assert code == 0, out
    assert "The other 6 are not in this bundle: it shows nothing about them." in out
    assert "left out" in members(PARTIAL)["README.txt"].decode()


def test_a_selection_of_every_entry_is_written_as_complete(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A period starting before the family began takes in all of it: "PARTIAL 10 of 10" misleads.
    bundle = export(only=set(range(10)))
    files = members(bundle)
    assert json.loads(files["manifest.json"])["partial"] is False
    assert "proofs.json" not in files
    assert "COMPLETE export: all 10 entries" in files["README.txt"].decode()
    code, out = verify(capsys, tmp_path, bundle)
    assert code == 0, out
    assert "complete export: all 10 entries" in out and "PARTIAL" not in out


def test_completeness_is_judged_from_the_entries_not_the_label(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    relabelled = edit(
        BUNDLE, "manifest.json", lambda d: d.replace(b'"partial": false', b'"partial": true')
    )
    code, out = verify(capsys, tmp_path, relabelled)
    assert code == 0, out
    assert "complete export: all 10 entries of the signed record" in out
    assert "the manifest calls it partial, but nothing is missing" in out
    path = tmp_path / "relabelled.zip"
    path.write_bytes(relabelled)
    result = verify_bundle(path)
    assert result.ok and not result.partial and result.labelled_partial
    # Proofs for every entry, labelled partial: still every entry, and the root is recomputed.
    log = LOG
    hashes = [leaf_hash(item.leaf) for item in log.items]
    out_path = tmp_path / "all-with-proofs.zip"
    build_bundle(
        out_path,
        entries=[log.bundle_entry(item) for item in log.items[:9]],
        checkpoint_note=log.checkpoint(),
        verifier_key=log.signer.verifier.to_string(),
        family="f",
        description="",
        partial=True,
        proofs={i: inclusion_proof(hashes, i, 10) for i in range(9)},
    )
    files = members(out_path.read_bytes())
    proofs = json.loads(files["proofs.json"])
    proofs["proofs"]["9"] = [base64.b64encode(h).decode() for h in inclusion_proof(hashes, 9, 10)]
    files["proofs.json"] = json.dumps(proofs).encode()
    lines = files["entries.jsonl"].decode()
    files["entries.jsonl"] = (
        lines + members(BUNDLE)["entries.jsonl"].decode().splitlines(True)[9]
    ).encode()
    path.write_bytes(rezip(files))
    result = verify_bundle(path)
    assert result.ok and not result.partial and result.labelled_partial, result.problem


def one_thread_log() -> tuple[FamilyLog, set[int]]:
    log = sample_log()
    wanted = {i for i, item in enumerate(log.items) if item.thread == "t_1"}
    return log, wanted


def test_a_one_thread_export_verifies(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    log, wanted = one_thread_log()
    code, out = verify(capsys, tmp_path, export(log, wanted))
    assert code == 0, out
    assert f"PARTIAL export: {len(wanted)} of 10 entries" in out


def partial_proofs(change: Callable[[dict[str, list[str]]], object]) -> bytes:
    def apply(data: bytes) -> bytes:
        body = json.loads(data)
        change(body["proofs"])
        return json.dumps(body).encode()

    return edit(PARTIAL, "proofs.json", apply)


def flip_first_hash(proofs: dict[str, list[str]]) -> None:
    raw = bytearray(base64.b64decode(proofs["2"][0]))
    raw[0] ^= 1
    proofs["2"][0] = base64.b64encode(raw).decode()


@pytest.mark.parametrize(
    ("bundle", "expected"),
    [
        (partial_proofs(flip_first_hash), "entry 2: inclusion proof does not match"),
        (partial_proofs(lambda p: p["3"].pop()), "entry 3: inclusion proof does not match"),
        (partial_proofs(lambda p: p.pop("1")), "entry 1: no inclusion proof"),
        (partial_proofs(lambda p: p.update({"7": p["1"]})), "proof for entry 7"),
        (
            edit_lines(PARTIAL, lambda ls: swap(ls, 1, 2)),
            "entry 1: comes after entry 2",
        ),
        (
            edit(PARTIAL, "entries.jsonl", lambda d: d.replace(b"pick Mia", b"pick Leo")),
            "entry 1: body does not match",
        ),
    ],
)
def test_a_tampered_partial_bundle_fails(
    bundle: bytes, expected: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out = verify(capsys, tmp_path, bundle)
    assert code == 1
    assert expected in out


def test_an_empty_record_exports_and_verifies(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out = verify(capsys, tmp_path, export(FamilyLog()))
    assert code == 0, out
    assert "tree size: 0" in out


def test_build_bundle_refuses_what_would_not_verify(tmp_path: Path) -> None:
    log = sample_log()
    items = [log.bundle_entry(item) for item in log.items]
    hashes = [leaf_hash(item.leaf) for item in log.items]
    good = {
        "checkpoint_note": log.checkpoint(),
        "verifier_key": log.signer.verifier.to_string(),
        "family": "f",
        "description": "",
    }
    stranger = generate_signer("coparent.example").verifier.to_string()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"entries": items, "partial": True}, "needs proofs"),
        ({"entries": items, "verifier_key": stranger}, "no signature from a known key"),
        ({"entries": items[:-1]}, "full export of 9 entries"),
        ({"entries": [items[1], items[0], *items[2:]]}, "at position 0"),
        ({"entries": [*items[:-1], items[-2]]}, "at position 9"),
        (
            {"entries": items[:3], "partial": True, "proofs": {i: [] for i in range(3)}},
            "inclusion proof",
        ),
        (
            {
                "entries": [items[2], items[1]],
                "partial": True,
                "proofs": {i: inclusion_proof(hashes, i, 10) for i in range(3)},
            },
            "not in log order",
        ),
    ]
    for changes, message in cases:
        with pytest.raises(ValueError, match=message):
            build_bundle(tmp_path / "x.zip", **{**good, **changes})


def test_verify_bundle_reports_a_result_object(tmp_path: Path) -> None:
    path = tmp_path / "b.zip"
    path.write_bytes(BUNDLE)
    result = verify_bundle(path)
    assert result.ok and result.size == 10 and result.entries == 10 and not result.partial
    assert result.root == LOG.frontier.root()
    path.write_bytes(TAMPERS["edited body"][0])
    assert not verify_bundle(path).ok


def test_the_verifier_runs_as_a_module_without_django(tmp_path: Path) -> None:
    path = tmp_path / "b.zip"
    path.write_bytes(BUNDLE)
    code = (
        "import sys, coparent.tlog;"
        "from coparent.tlog.verify import main; rc = main(sys.argv[1:]);"
        "assert not [m for m in sys.modules if m.split('.')[0] in {'django', 'ninja'}], 'django';"
        "sys.exit(rc)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert "tree size: 10" in done.stdout


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(
        ["entries.jsonl", "manifest.json", "checkpoint.txt", "verifier-key.txt", "proofs.json"]
    ),
    st.integers(0, 10**6),
    st.binary(min_size=0, max_size=4),
    st.integers(0, 3),
)
def test_damaged_bundles_fail_cleanly(name: str, position: int, junk: bytes, cut: int) -> None:
    files = members(PARTIAL)
    data = files[name]
    position %= len(data) + 1
    files[name] = data[:position] + junk + data[position + cut :]
    if files[name] == data:
        return
    # Whatever the damage, a verdict and no traceback; a changed checkpoint never passes.
    result = verify_bundle(io.BytesIO(rezip(files)))
    assert result.ok or result.problem
    if name == "checkpoint.txt":
        assert not result.ok


def test_a_bundle_unzipped_and_zipped_again_still_verifies() -> None:
    files = members(BUNDLE)
    again = rezip({"attachments/": b"", **dict(reversed(files.items()))})
    result = verify_bundle(io.BytesIO(again))
    assert result.ok, result.problem
    moved = rezip({f"export/{name}": data for name, data in files.items()})
    assert verify_bundle(io.BytesIO(moved)).problem == "bundle: manifest.json is missing"


def test_a_subject_that_cannot_be_checked_is_left_out(tmp_path: Path) -> None:
    log = sample_log()
    hashes = [leaf_hash(item.leaf) for item in log.items]
    path = tmp_path / "b.zip"
    build_bundle(
        path,
        entries=[log.bundle_entry(log.items[1])],
        checkpoint_note=log.checkpoint(),
        verifier_key=log.signer.verifier.to_string(),
        family="f",
        description="",
        partial=True,
        proofs={1: inclusion_proof(hashes, 1, 10)},
    )
    line = json.loads(members(path.read_bytes())["entries.jsonl"])
    assert line["body"] == "Can you pick Mia up at 3?" and "thread_subject" not in line
    assert verify_bundle(path).ok


def _slow_only(bundle: bytes, monkeypatch: pytest.MonkeyPatch) -> object:
    """The verdict of the checker with its fast path turned off: every line takes the path
    that names problems."""
    with monkeypatch.context() as patched:
        patched.setattr(verify_module, "_decoded", lambda whole, raws: [None] * len(raws))
        patched.setattr(verify_module, "_fast_chunk", lambda *args: None)
        return verify_bundle(io.BytesIO(bundle))


PLAIN_TAMPERS = {
    "padding bits": edit_lines(PLAIN, padding_bits_set),
    "padding bits behind an escape": edit_lines(PLAIN, partial(padding_bits_set, escaped=True)),
    "escaped padding": edit_lines(PLAIN, escaped_padding),
    "removed entry": edit_lines(PLAIN, lambda ls: ls[:4] + ls[5:]),
    "added entry": edit_lines(PLAIN, added_line),
    "reordered entries": edit_lines(PLAIN, lambda ls: swap(ls, 3, 5)),
    "a line split in two": edit_lines(PLAIN, lambda ls: [ls[0].replace(b", ", b",\n", 1), *ls[1:]]),
    "two lines joined": edit_lines(PLAIN, lambda ls: [ls[0] + ls[1], *ls[2:]]),
    "not UTF-8": edit_lines(PLAIN, lambda ls: [*ls[:3], ls[3].replace(b'"', b'"\xff', 1), *ls[4:]]),
}


def test_a_run_that_is_not_utf8_is_named() -> None:
    result = verify_bundle(io.BytesIO(PLAIN_TAMPERS["not UTF-8"]))
    assert result.problem == "entries.jsonl: not valid UTF-8"


@pytest.mark.parametrize("kind", [*TAMPERS, *(f"plain: {k}" for k in PLAIN_TAMPERS), *BUNDLES])
def test_the_fast_path_gives_the_slow_paths_verdict(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = (
        BUNDLES.get(kind) or PLAIN_TAMPERS.get(kind.removeprefix("plain: ")) or TAMPERS[kind][0]
    )
    assert verify_bundle(io.BytesIO(bundle)) == _slow_only(bundle, monkeypatch)


def test_a_bundle_without_files_is_checked_a_run_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runs: list[object] = []
    fast_chunk = verify_module._fast_chunk

    def counted(*args: Any) -> object:
        runs.append(result := fast_chunk(*args))
        return result

    monkeypatch.setattr(verify_module, "_fast_chunk", counted)
    assert verify_bundle(io.BytesIO(PLAIN)).ok
    assert runs and None not in runs
    runs.clear()
    assert not verify_bundle(io.BytesIO(PLAIN_TAMPERS["padding bits"])).ok
    assert runs == [None]


line_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 12),
    st.text(max_size=5),
    st.sampled_from(["", "00" * 32, "Sam", "Alex", "message.sent", "2026-01-05T08:07:00.000001Z"]),
)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(sorted(BUNDLES)),
    st.integers(0, 9),
    st.sampled_from(
        ["index", "kind", "time", "author", "thread_subject", "body", "subject", "file", "salt"]
    ),
    line_values,
    st.booleans(),
)
def test_the_fast_path_agrees_on_any_edited_line(
    which: str, position: int, key: str, value: object, remove: bool
) -> None:
    """An edited or removed field of any line: the fast path says what the slow path says."""
    original = BUNDLES[which]

    def change(lines: list[bytes]) -> list[bytes]:
        obj = json_line(lines[position % len(lines)])
        if remove:
            obj.pop(key, None)
        else:
            obj[key] = value
        lines[position % len(lines)] = json.dumps(obj, ensure_ascii=False).encode()
        return lines

    bundle = edit_lines(original, change)
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert verify_bundle(io.BytesIO(bundle)) == _slow_only(bundle, monkeypatch)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(sorted(BUNDLES)),
    st.integers(0, 10**6),
    st.binary(min_size=0, max_size=4),
    st.integers(0, 3),
)
@example(which="complete", position=209, junk=b"\xc2\x80", cut=0)  # a non-ASCII leaf character
def test_the_fast_path_agrees_on_damaged_lines(
    which: str, position: int, junk: bytes, cut: int
) -> None:
    files = members(BUNDLES[which])
    data = files["entries.jsonl"]
    position %= len(data) + 1
    files["entries.jsonl"] = data[:position] + junk + data[position + cut :]
    bundle = rezip(files)
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert verify_bundle(io.BytesIO(bundle)) == _slow_only(bundle, monkeypatch)


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_a_member_is_read_in_pieces_as_zipfile_reads_it(compression: int) -> None:
    noise = random.Random(7).randbytes(700_000)  # does not compress: many small reads
    payloads = {"a": b"", "b": b"x", "c": b"line of the record\n" * 200_000, "d": noise}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as zf:
        for name, data in payloads.items():
            zf.writestr(name, data)
    with zipfile.ZipFile(out) as zf:
        for name, data in payloads.items():
            assert b"".join(verify_module._member_pieces(zf, name)) == data


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 255))
def test_a_damaged_deflated_entries_file_gets_zipfiles_verdict(position: int, delta: int) -> None:
    """The bundle as written (entries.jsonl deflated) with a byte of the compressed data
    changed: the verifier inflates it itself, and reads what zipfile reads or nothing."""
    with zipfile.ZipFile(io.BytesIO(BUNDLE)) as zf:
        info = zf.getinfo("entries.jsonl")
        assert info.compress_type == zipfile.ZIP_DEFLATED
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    damaged = bytearray(BUNDLE)
    damaged[start + position % info.compress_size] ^= delta
    try:
        with zipfile.ZipFile(io.BytesIO(bytes(damaged))) as zf:
            intact = zf.read("entries.jsonl") == members(BUNDLE)["entries.jsonl"]
    except (zipfile.BadZipFile, zlib.error, EOFError):
        intact = False
    result = verify_bundle(io.BytesIO(bytes(damaged)))
    assert result == verify_bundle(io.BytesIO(BUNDLE)) if intact else not result.ok
