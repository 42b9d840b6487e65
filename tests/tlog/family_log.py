"""A family record kept purely in memory, as the Django app will keep it, for bundle tests."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from coparent.tlog import entry as e
from coparent.tlog.bundle import BundleEntry, build_bundle
from coparent.tlog.merkle import Frontier, frontier_append, inclusion_proof, leaf_hash
from coparent.tlog.note import Signer, format_checkpoint, generate_signer, sign_note

ORIGIN = "coparent.example/family/f_demo"
START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
NAMES = {"u_alex": "Alex", "u_sam": "Sam", "u_court": "Family Court"}


@dataclass
class Logged:
    leaf: bytes
    actor: str
    content: bytes | None = None
    salt: bytes | None = None
    thread: str | None = None


@dataclass
class FamilyLog:
    signer: Signer = field(default_factory=lambda: generate_signer("coparent.example"))
    items: list[Logged] = field(default_factory=list)
    frontier: Frontier = field(default_factory=Frontier)
    subjects: dict[str, str] = field(default_factory=dict)
    redacted: set[str] = field(default_factory=set)
    counter: int = 0

    def _append(self, entry: e.Entry, item: Logged) -> int:
        self.frontier, _ = frontier_append(self.frontier, leaf_hash(item.leaf))
        self.items.append(item)
        return entry.index

    def _next(self) -> tuple[int, datetime]:
        index = len(self.items)
        return index, START + timedelta(minutes=7 * index, microseconds=index)

    def new_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}_{self.counter}"

    def create_thread(self, actor: str, subject: str) -> str:
        index, when = self._next()
        thread = self.new_id("t")
        salt = e.new_salt()
        entry = e.thread_created(
            index,
            actor,
            when,
            thread=thread,
            subject=e.content_hash(salt, subject.encode()),
            participants=["u_alex", "u_sam"],
        )
        self.subjects[thread] = subject
        self._append(entry, Logged(e.encode(entry), actor, subject.encode(), salt, thread))
        return thread

    def send(self, actor: str, thread: str, body: str) -> str:
        index, when = self._next()
        message = self.new_id("m")
        salt = e.new_salt()
        content = e.content_hash(salt, body.encode())
        entry = e.message_sent(index, actor, when, thread=thread, message=message, content=content)
        self._append(entry, Logged(e.encode(entry), actor, body.encode(), salt, thread))
        return message

    def attach(self, actor: str, message: str, data: bytes) -> None:
        index, when = self._next()
        salt = e.new_salt()
        entry = e.attachment_added(
            index,
            actor,
            when,
            message=message,
            attachment=self.new_id("a"),
            content=e.content_hash(salt, data),
            media_type="image/jpeg",
        )
        self._append(entry, Logged(e.encode(entry), actor, data, salt))

    def view(self, actor: str, message: str) -> None:
        index, when = self._next()
        entry = e.message_viewed(index, actor, when, message=message, viewer=actor)
        self._append(entry, Logged(e.encode(entry), actor))

    def redact(self, message: str, reason: str) -> None:
        index, when = self._next()
        entry = e.redaction(index, "u_court", when, message=message, reason=reason)
        self.redacted.add(message)
        self._append(entry, Logged(e.encode(entry), "u_court"))

    def checkpoint(self) -> str:
        text = format_checkpoint(ORIGIN, self.frontier.size, self.frontier.root())
        return sign_note(text, self.signer)

    def bundle_entry(self, item: Logged) -> BundleEntry:
        entry = e.decode(item.leaf)
        message = entry.fields.get("message")
        withheld = isinstance(message, str) and message in self.redacted
        subject = (
            self.subjects[item.thread]
            if entry.kind == "message.sent" and item.thread is not None
            else None
        )
        return BundleEntry(
            leaf=item.leaf,
            author=NAMES[item.actor],
            content=None if withheld else item.content,
            salt=None if withheld else item.salt,
            thread_subject=subject,
        )

    def export(self, out: str | Path | io.BytesIO, only: set[int] | None = None) -> None:
        hashes = [leaf_hash(item.leaf) for item in self.items]
        chosen = range(len(self.items)) if only is None else sorted(only)
        proofs = (
            None if only is None else {i: inclusion_proof(hashes, i, len(hashes)) for i in chosen}
        )
        build_bundle(
            out,
            entries=[self.bundle_entry(self.items[i]) for i in chosen],
            checkpoint_note=self.checkpoint(),
            verifier_key=self.signer.verifier.to_string(),
            family="f_demo",
            description="Messages between Alex and Sam.",
            partial=only is not None,
            proofs=proofs,
        )


def sample_log() -> FamilyLog:
    log = FamilyLog()
    school = log.create_thread("u_alex", "School pickup")
    first = log.send("u_alex", school, "Can you pick Mia up at 3?")
    log.view("u_sam", first)
    reply = log.send("u_sam", school, "Yes, 3 works. \u2014 Sam")
    log.attach("u_sam", reply, b"\xff\xd8\xff fake jpeg bytes")
    log.view("u_alex", reply)
    health = log.create_thread("u_sam", "Dentist")
    secret = log.send("u_sam", health, "New address: 12 Elm Street")
    log.redact(secret, "address confidentiality order")
    log.send("u_alex", health, "Appointment is Tuesday")
    return log


def plain_log() -> FamilyLog:
    """`sample_log` without its attachment."""
    log = FamilyLog()
    school = log.create_thread("u_alex", "School pickup")
    first = log.send("u_alex", school, "Can you pick Mia up at 3?")
    log.view("u_sam", first)
    reply = log.send("u_sam", school, "Yes, 3 works. \u2014 Sam")
    log.view("u_alex", reply)
    health = log.create_thread("u_sam", "Dentist")
    secret = log.send("u_sam", health, "New address: 12 Elm Street")
    log.redact(secret, "address confidentiality order")
    log.send("u_alex", health, "Appointment is Tuesday")
    log.view("u_sam", secret)
    return log


def members(bundle: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(bundle)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def rezip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out.getvalue()


def edit(bundle: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    files = members(bundle)
    files[name] = change(files[name])
    return rezip(files)


def edit_lines(bundle: bytes, change: Callable[[list[bytes]], list[bytes]]) -> bytes:
    return edit(
        bundle,
        "entries.jsonl",
        lambda data: b"".join(line + b"\n" for line in change(data.splitlines())),
    )
