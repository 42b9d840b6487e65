"""Rollback statements in a bundle: an honest one verifies and is reported (also across a key
rotation); one that misstates what was lost, or quotes an unsigned checkpoint, fails."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta

import pytest

from coparent.tlog import entry as e
from coparent.tlog.merkle import Frontier, frontier_append, leaf_hash
from coparent.tlog.note import generate_signer
from coparent.tlog.rollback import KIND, RollbackError, rollback_fields
from coparent.tlog.verify import verify_bundle
from tests.tlog.family_log import START, FamilyLog, Logged, edit, sample_log

KEPT = 6


def restored(old: FamilyLog, fields: dict[str, e.FieldValue]) -> FamilyLog:
    """The first KEPT entries of `old`, signed from now on by a new key, then the statement."""
    new = replace(old, signer=generate_signer("coparent.example"), items=[], frontier=Frontier())
    for item in old.items[:KEPT]:
        new.frontier, _ = frontier_append(new.frontier, leaf_hash(item.leaf))
        new.items.append(item)
    entry = e.Entry(KEPT, KIND, "u_court", START + timedelta(days=30), fields)
    new.frontier, _ = frontier_append(new.frontier, leaf_hash(e.encode(entry)))
    new.items.append(Logged(e.encode(entry), "u_court"))
    return new


def bundle(log: FamilyLog, other_keys: list[str]) -> bytes:
    out = io.BytesIO()
    log.export(out)
    if other_keys:  # the export of FamilyLog names one key; add the earlier one as the app does
        return edit(
            out.getvalue(),
            "verifier-key.txt",
            lambda data: data + "".join(f"{k}\n" for k in other_keys).encode(),
        )
    return out.getvalue()


def test_an_honest_rollback_statement_verifies_across_a_key_rotation() -> None:
    old = sample_log()
    lost = old.checkpoint()
    new = restored(old, rollback_fields(kept=KEPT, checkpoint_note=lost, backup="the backup"))
    old_key = old.signer.verifier.to_string()
    data = bundle(new, [old_key])
    result = verify_bundle(io.BytesIO(data))
    assert result.ok, result.problem
    assert result.rollbacks == (f"entry {KEPT}: entries {KEPT}-9 were lost restoring the backup",)
    new_key = new.signer.verifier.to_string()
    assert verify_bundle(io.BytesIO(data), pinned_keys=[new_key, old_key]).ok
    pinned_new_only = verify_bundle(io.BytesIO(data), pinned_keys=[new_key])
    assert not pinned_new_only.ok and "does not verify" in str(pinned_new_only.problem)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"lost_to": 8}, "must say entries 6-9 were lost"),
        ({"lost_from": 5}, "must say entries 6-9 were lost"),
        ({"checkpoint": "not a note\n"}, "does not verify"),
    ],
)
def test_a_statement_that_misstates_the_loss_fails(change: dict, problem: str) -> None:
    old = sample_log()
    fields = rollback_fields(kept=KEPT, checkpoint_note=old.checkpoint(), backup="the backup")
    new = restored(old, {**fields, **change})
    result = verify_bundle(io.BytesIO(bundle(new, [old.signer.verifier.to_string()])))
    assert not result.ok
    assert f"entry {KEPT}: rollback statement" in str(result.problem)
    assert problem in str(result.problem)


def test_a_statement_quoting_a_checkpoint_of_an_unknown_key_fails() -> None:
    old = sample_log()
    fields = rollback_fields(kept=KEPT, checkpoint_note=old.checkpoint(), backup="the backup")
    result = verify_bundle(io.BytesIO(bundle(restored(old, fields), [])))
    assert not result.ok and "does not verify" in str(result.problem)


def test_a_statement_must_lose_something() -> None:
    old = sample_log()
    with pytest.raises(RollbackError, match="nothing was lost"):
        rollback_fields(kept=10, checkpoint_note=old.checkpoint(), backup="the backup")
