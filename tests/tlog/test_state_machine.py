"""A stateful model of a family record: a bundle verifies if and only if nobody tampered with it."""

from __future__ import annotations

import base64
import io
import json

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from coparent.tlog.verify import verify_bundle
from tests.tlog.family_log import FamilyLog, edit, edit_lines, members

bodies = st.text(st.characters(codec="utf-8"), max_size=30)
people = st.sampled_from(["u_alex", "u_sam"])


class FamilyRecord(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.log = FamilyLog()
        self.threads: list[str] = []
        self.messages: list[str] = []
        self.export_bytes: bytes | None = None
        self.tampered = False
        self.exported = (0, 0)

    @initialize(actor=people, subject=bodies)
    def open_thread(self, actor: str, subject: str) -> None:
        self.threads.append(self.log.create_thread(actor, subject))

    @rule(actor=people, body=bodies, data=st.data())
    def send(self, actor: str, body: str, data: st.DataObject) -> None:
        thread = data.draw(st.sampled_from(self.threads))
        self.messages.append(self.log.send(actor, thread, body))

    @precondition(lambda self: self.messages)
    @rule(actor=people, data=st.data())
    def view(self, actor: str, data: st.DataObject) -> None:
        self.log.view(actor, data.draw(st.sampled_from(self.messages)))

    @precondition(lambda self: set(self.messages) - self.log.redacted)
    @rule(data=st.data())
    def redact(self, data: st.DataObject) -> None:
        message = data.draw(st.sampled_from(sorted(set(self.messages) - self.log.redacted)))
        self.log.redact(message, "court order")

    @rule(data=st.data())
    def export(self, data: st.DataObject) -> None:
        size = len(self.log.items)
        only = data.draw(
            st.none() | st.sets(st.integers(0, size - 1), min_size=1).map(self.with_threads)
        )
        out = io.BytesIO()
        self.log.export(out, only)
        self.export_bytes, self.tampered = out.getvalue(), False
        self.exported = (size, len(only) if only is not None else size)

    def with_threads(self, chosen: set[int]) -> set[int]:
        """A partial export carries the creation entry of each thread it shows."""
        threads = {self.log.items[i].thread for i in chosen}
        return chosen | {
            i
            for i, item in enumerate(self.log.items)
            if item.thread in threads and json.loads(item.leaf)["kind"] == "thread.created"
        }

    def lines(self) -> list[dict[str, object]]:
        assert self.export_bytes is not None
        jsonl = members(self.export_bytes)["entries.jsonl"]
        return [json.loads(line) for line in jsonl.splitlines()]

    def tamper_with(self, change: bytes) -> None:
        assert change != self.export_bytes
        self.export_bytes, self.tampered = change, True

    @precondition(lambda self: self.export_bytes is not None and not self.tampered)
    @rule(data=st.data())
    def remove_entry(self, data: st.DataObject) -> None:
        assert self.export_bytes is not None
        n = len(self.lines())
        k = data.draw(st.integers(0, n - 1))
        self.tamper_with(edit_lines(self.export_bytes, lambda ls: ls[:k] + ls[k + 1 :]))

    @precondition(lambda self: self.export_bytes is not None and not self.tampered)
    @rule(data=st.data())
    def duplicate_entry(self, data: st.DataObject) -> None:
        assert self.export_bytes is not None
        k = data.draw(st.integers(0, len(self.lines()) - 1))
        self.tamper_with(edit_lines(self.export_bytes, lambda ls: ls[: k + 1] + ls[k:]))

    @precondition(lambda self: self.export_bytes is not None and not self.tampered)
    @rule(data=st.data())
    def reorder_entries(self, data: st.DataObject) -> None:
        assert self.export_bytes is not None
        n = len(self.lines())
        if n < 2:
            return
        a = data.draw(st.integers(0, n - 2))
        b = data.draw(st.integers(a + 1, n - 1))

        def swap(ls: list[bytes]) -> list[bytes]:
            ls[a], ls[b] = ls[b], ls[a]
            return ls

        self.tamper_with(edit_lines(self.export_bytes, swap))

    def change_line(self, k: int, key: str, value: object) -> None:
        assert self.export_bytes is not None

        def apply(ls: list[bytes]) -> list[bytes]:
            obj = json.loads(ls[k])
            obj[key] = value
            ls[k] = json.dumps(obj).encode()
            return ls

        self.tamper_with(edit_lines(self.export_bytes, apply))

    @precondition(lambda self: self.export_bytes is not None and not self.tampered)
    @rule(data=st.data(), text=bodies)
    def edit_disclosed_text(self, data: st.DataObject, text: str) -> None:
        lines = self.lines()
        key = data.draw(st.sampled_from(["body", "subject", "thread_subject"]))
        options = [k for k, line in enumerate(lines) if key in line and line[key] != text]
        if options:
            self.change_line(data.draw(st.sampled_from(options)), key, text)

    @precondition(lambda self: self.export_bytes is not None and not self.tampered)
    @rule(data=st.data(), salt=st.binary(min_size=32, max_size=32))
    def use_a_wrong_salt(self, data: st.DataObject, salt: bytes) -> None:
        options = [
            k
            for k, line in enumerate(self.lines())
            if "salt" in line and line["salt"] != salt.hex()
        ]
        if options:
            self.change_line(data.draw(st.sampled_from(options)), "salt", salt.hex())

    @precondition(lambda self: self.export_bytes is not None and not self.tampered)
    @rule(data=st.data(), minutes=st.integers(1, 10**6))
    def backdate_an_entry(self, data: st.DataObject, minutes: int) -> None:
        # The forger keeps leaf and readable time consistent; only the tree can tell.
        lines = self.lines()
        k = data.draw(st.integers(0, len(lines) - 1))
        leaf = json.loads(base64.b64decode(str(lines[k]["leaf"])))
        year = int(leaf["time"][:4]) - 1 - minutes % 50
        leaf["time"] = f"{year:04d}{leaf['time'][4:]}"
        raw = json.dumps(leaf, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        assert self.export_bytes is not None
        bundle = self.export_bytes

        def apply(ls: list[bytes]) -> list[bytes]:
            obj = json.loads(ls[k])
            obj["time"] = leaf["time"]
            obj["leaf"] = base64.b64encode(raw.encode()).decode()
            ls[k] = json.dumps(obj).encode()
            return ls

        self.tamper_with(edit_lines(bundle, apply))

    @precondition(lambda self: self.export_bytes is not None and not self.tampered)
    @rule()
    def strip_signature(self) -> None:
        assert self.export_bytes is not None
        unsigned = edit(self.export_bytes, "checkpoint.txt", lambda d: d[: d.rfind(b"\n\n") + 2])
        self.tamper_with(unsigned)

    @precondition(lambda self: self.export_bytes is not None and not self.tampered)
    @rule(size=st.integers(0, 1000))
    def claim_another_size(self, size: int) -> None:
        assert self.export_bytes is not None

        def apply(data: bytes) -> bytes:
            lines = data.split(b"\n")
            if lines[1] == str(size).encode():
                lines[1] = str(size + 1).encode()
            else:
                lines[1] = str(size).encode()
            return b"\n".join(lines)

        self.tamper_with(edit(self.export_bytes, "checkpoint.txt", apply))

    @invariant()
    def verifies_exactly_when_untouched(self) -> None:
        if self.export_bytes is None:
            return
        result = verify_bundle(io.BytesIO(self.export_bytes))
        assert result.ok == (not self.tampered), result.problem
        if result.ok:
            assert (result.size, result.entries) == self.exported


FamilyRecord.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestFamilyRecord = FamilyRecord.TestCase
