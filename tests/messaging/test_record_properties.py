"""A Hypothesis state machine over the real services and export: whatever mix of sending,
viewing, redacting and exporting happens, an export verifies, and it stops verifying as soon as
anything in it is tampered with."""

from __future__ import annotations

import base64
import io
import itertools
import json
import zipfile

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from coparent.families.models import Role
from coparent.messaging import services
from coparent.messaging.models import Message
from coparent.records.export import export_bundle
from coparent.tlog import decode, verify_bundle
from tests.cast import join, make_user

_families = itertools.count()
WORDS = st.text(alphabet="abcdefghij klmnop", min_size=1, max_size=24).filter(str.strip)


def _rewrite(data: bytes, name: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            target.writestr(item, change(content) if item.filename == name else content)
    return out.getvalue()


def _lines(data: bytes) -> list[dict]:
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        return [json.loads(line) for line in bundle.read("entries.jsonl").splitlines()]


def _with_lines(data: bytes, lines: list[dict]) -> bytes:
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
    return _rewrite(data, "entries.jsonl", lambda _old: text)


class RecordMachine(RuleBasedStateMachine):
    @initialize()
    def family(self) -> None:
        n = next(_families)
        from coparent.families import services as family_services

        self.alice = make_user(f"alice{n}@machine.test", "Alice")
        self.bob = make_user(f"bob{n}@machine.test", "Bob")
        self.family = family_services.family_create(actor=self.alice, name=f"Machine {n}")
        join(self.family, self.alice, self.bob, Role.PARENT)
        self.thread = services.thread_create(
            family=self.family, actor=self.alice, subject="Plans", body="First"
        )
        self.messages: list[Message] = list(self.thread.messages.all())
        self.bundle: bytes | None = None
        self.tampered = False

    def _person(self, alice: bool):
        return self.alice if alice else self.bob

    @rule(alice=st.booleans(), body=WORDS)
    def send(self, alice: bool, body: str) -> None:
        self.messages.append(
            services.message_send(
                family=self.family,
                actor=self._person(alice),
                thread=self.thread,
                body=body,
                confirm_tone=True,
            )
        )

    @rule(pick=st.integers(min_value=0), alice=st.booleans())
    def view(self, pick: int, alice: bool) -> None:
        message = self.messages[pick % len(self.messages)]
        services.message_view(family=self.family, actor=self._person(alice), messages=[message])

    @rule(pick=st.integers(min_value=0))
    def redact(self, pick: int) -> None:
        message = self.messages[pick % len(self.messages)]
        message.refresh_from_db()
        if message.redacted:
            return
        services.message_redact(
            family=self.family, actor=message.sender, message=message, reason="test"
        )

    @rule(one_thread=st.booleans())
    def export(self, one_thread: bool) -> None:
        out = io.BytesIO()
        export_bundle(
            out, family=self.family, thread_id=str(self.thread.public_id) if one_thread else None
        )
        self.bundle = out.getvalue()
        self.tampered = False
        self.expected = {
            str(m.public_id): None if m.redacted else m.body
            for m in Message.objects.filter(thread=self.thread)
        }

    @precondition(lambda self: self.bundle is not None)
    @rule(how=st.sampled_from(["body", "leaf", "drop", "checkpoint", "salt"]))
    def tamper(self, how: str) -> None:
        assert self.bundle is not None
        lines = _lines(self.bundle)
        with_body = [line for line in lines if "body" in line or "subject" in line]
        if how in ("body", "salt") and with_body:
            line = with_body[-1]
            if how == "salt":
                line["salt"] = ("0" if line["salt"][0] != "0" else "1") + line["salt"][1:]
            else:
                key = "body" if "body" in line else "subject"
                line[key] = line[key] + "!"
            self.bundle = _with_lines(self.bundle, lines)
        elif how == "leaf" and len(lines) >= 2:
            lines[0]["leaf"], lines[1]["leaf"] = lines[1]["leaf"], lines[0]["leaf"]
            self.bundle = _with_lines(self.bundle, lines)
        elif how == "checkpoint":

            def grow(note: bytes) -> bytes:
                origin, size, rest = note.split(b"\n", 2)
                return b"\n".join([origin, str(int(size) + 1).encode(), rest])

            self.bundle = _rewrite(self.bundle, "checkpoint.txt", grow)
        else:
            self.bundle = _with_lines(self.bundle, lines[:-1])
        self.tampered = True

    @invariant()
    def verifies_iff_untouched(self) -> None:
        if self.bundle is None:
            return
        result = verify_bundle(io.BytesIO(self.bundle))
        assert result.ok == (not self.tampered), result.problem
        if result.ok:
            # Bodies redacted before the export never appear; every other one appears as stored.
            shown = {
                decode(base64.b64decode(line["leaf"])).fields["message"]: line.get("body")
                for line in _lines(self.bundle)
                if line["kind"] == "message.sent"
            }
            assert shown == self.expected


@pytest.mark.django_db
def test_export_verifies_iff_nothing_was_tampered_with() -> None:
    run_state_machine_as_test(
        RecordMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=8,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
