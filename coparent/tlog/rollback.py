"""The rollback statement: an entry that says, under the server's signature, that the log was
rolled back and which entries were lost (docs/record-format.md, "Rollback statements").

When a backup older than the newest signed checkpoint is restored, the entries after the
backup are gone and the next checkpoint cannot extend the one already published. Instead of a
silent fork, the first entry after the restore is `records.rollback`; it carries the newest
checkpoint the server had signed, so anyone holding that checkpoint (or an older one of the same
log) can see that the fork is the one this statement explains.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from coparent.tlog.entry import Entry, FieldValue
from coparent.tlog.note import Checkpoint, NoteError, Verifier, open_note, parse_checkpoint

KIND = "records.rollback"


class RollbackError(ValueError):
    """A rollback statement that does not say what it must."""


@dataclass(frozen=True)
class Rollback:
    kept: int  # entries 0..kept-1 survived; this statement is entry `kept`
    lost_from: int
    lost_to: int  # inclusive
    backup: str
    reason: str
    checkpoint_note: str
    checkpoint: Checkpoint

    def describe(self) -> str:
        lost = (
            f"entry {self.lost_from} was"
            if self.lost_from == self.lost_to
            else f"entries {self.lost_from}-{self.lost_to} were"
        )
        return f"{lost} lost restoring {self.backup}" + (f" ({self.reason})" if self.reason else "")


def describe_backup(taken_at: dt.datetime | None) -> str:
    if taken_at is None:
        return "a backup of unknown date"
    return "the backup of " + taken_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def rollback_fields(
    *, kept: int, checkpoint_note: str, backup: str, reason: str = ""
) -> dict[str, FieldValue]:
    """The fields of the statement appended at index `kept` after restoring a log of `kept`
    entries over one whose newest signed checkpoint is `checkpoint_note`."""
    size = parse_checkpoint(_text_of(checkpoint_note)).size
    if size <= kept:
        raise RollbackError(f"nothing was lost: the checkpoint covers {size} entries, {kept} kept")
    fields: dict[str, FieldValue] = {
        "checkpoint": checkpoint_note,
        "lost_from": kept,
        "lost_to": size - 1,
        "backup": backup,
    }
    if reason:
        fields["reason"] = reason
    return fields


def _text_of(note: str) -> str:
    split = note.rfind("\n\n")
    if split < 0:
        raise RollbackError("the checkpoint is not a signed note")
    return note[: split + 1]


def check_rollback(entry: Entry, *, origin: str, verifiers: Iterable[Verifier]) -> Rollback:
    """Check a `records.rollback` entry: its checkpoint is signed by one of `verifiers`, is for
    this log (`origin`) and is bigger than what was kept, and the lost range is exactly the
    entries from this one to that checkpoint's last."""
    fields = entry.fields
    note = fields.get("checkpoint")
    if not isinstance(note, str):
        raise RollbackError("the statement carries no checkpoint")
    try:
        checkpoint = parse_checkpoint(open_note(note, verifiers))
    except NoteError as exc:
        raise RollbackError(f"its checkpoint does not verify ({exc})") from exc
    if checkpoint.origin != origin:
        raise RollbackError(f"its checkpoint is for another log ({checkpoint.origin})")
    if checkpoint.size <= entry.index:
        raise RollbackError(
            f"its checkpoint covers {checkpoint.size} entries, no more than the {entry.index} kept"
        )
    if fields.get("lost_from") != entry.index or fields.get("lost_to") != checkpoint.size - 1:
        raise RollbackError(
            f"it must say entries {entry.index}-{checkpoint.size - 1} were lost, "
            f"not {fields.get('lost_from')}-{fields.get('lost_to')}"
        )
    backup, reason = fields.get("backup"), fields.get("reason", "")
    if not isinstance(backup, str) or not isinstance(reason, str):
        raise RollbackError("backup and reason must be text")
    return Rollback(
        kept=entry.index,
        lost_from=entry.index,
        lost_to=checkpoint.size - 1,
        backup=backup,
        reason=reason,
        checkpoint_note=note,
        checkpoint=checkpoint,
    )
