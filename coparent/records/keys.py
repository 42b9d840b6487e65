"""The server's Ed25519 signing key for checkpoints, kept in a file outside the database.

A database dump alone must not be enough to forge a checkpoint, so the key lives in
RECORD_SIGNING_KEY_FILE (default var/record-signing.key, mode 0600), created on first use.
`coparent records rotate-key` retires the current key (its verifier key stays published with the
period it signed, so old checkpoints and exports still verify) and starts a new one. Every
process notices a new key on its next signature: the file's identity is checked each time (one
stat), so no server needs restarting.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from coparent.core.keyfile import KeyFile
from coparent.tlog import (
    NoteError,
    Signer,
    Verifier,
    generate_signer,
    open_note,
    signer_from_string,
    verifier_from_string,
)

logger = logging.getLogger("coparent.records")


def key_name() -> str:
    """The name in every signature line, given to the first key only: later keys keep it (see
    rotate), so the name stays stable when SITE_URL changes, as the origins do."""
    host = urlsplit(settings.SITE_URL).netloc or "coparent.localhost"
    return f"{host}/coparent-record"


def _key_path() -> Path:
    return Path(settings.RECORD_SIGNING_KEY_FILE)


def _retired_path() -> Path:
    return _key_path().with_name(_key_path().name + ".retired")


def _new_signer() -> bytes:
    return (generate_signer(key_name()).to_string() + "\n").encode()


_key_file = KeyFile(_new_signer, lambda text: signer_from_string(text.decode().strip()))


def signer() -> Signer:
    """The current signing key. A rotation replaces the file (a new inode), so comparing the
    file's identity with the cached one finds it at the next signature in every process."""
    return _key_file.load(_key_path())


def verifier_key() -> str:
    """The current verifier key: what new checkpoints are signed with."""
    return signer().verifier.to_string()


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class PublishedKey:
    """A verifier key and the period in which it signed: UTC times, or `start` (since the first
    checkpoint), `now` (still signing), `unknown` (retired before periods were recorded)."""

    verifier: str
    since: str = "start"
    until: str = "now"

    def line(self) -> str:
        return f"{self.verifier} from={self.since} until={self.until}"


def _parse_line(line: str) -> PublishedKey:
    """`<verifier key> from=<time> until=<time>`; older files hold the key alone."""
    key, *fields = line.split()
    values = dict(field.partition("=")[::2] for field in fields)
    return PublishedKey(key, values.get("from", "unknown"), values.get("until", "unknown"))


def retired_keys() -> list[PublishedKey]:
    """Retired keys, oldest first."""
    path = _retired_path()
    if not path.exists():
        return []
    return [_parse_line(line) for line in path.read_text().splitlines() if line.strip()]


def retired_verifier_keys() -> list[str]:
    return [key.verifier for key in retired_keys()]


def published_keys() -> list[PublishedKey]:
    """Every key that has signed checkpoints here: the current one first, then the retired
    ones, newest first."""
    retired = retired_keys()
    current = PublishedKey(verifier_key(), retired[-1].until if retired else "start")
    # A restore may list the key that is current again as retired (see adopt_backup_keys).
    seen = {current.verifier}
    others = []
    for key in reversed(retired):
        if key.verifier not in seen:
            seen.add(key.verifier)
            others.append(key)
    return [current, *others]


def verifiers() -> list[Verifier]:
    found: list[Verifier] = []
    for key in published_keys():
        try:
            found.append(verifier_from_string(key.verifier))
        except NoteError:
            continue
    return found


def verifier_key_for(note: str) -> str:
    """The published key that signed this note: a checkpoint signed before a rotation is checked
    against the key that signed it, not the current one."""
    for verifier in verifiers():
        try:
            open_note(note, [verifier])
        except NoteError:
            continue
        return verifier.to_string()
    # A key file replaced by hand, not rotated: show the current key rather than fail a page;
    # an export then refuses, since the note would not verify.
    logger.error("no published record key signed this checkpoint; was the key file replaced?")
    return verifier_key()


def rotate() -> str:
    """Retire the current key and start a new one with the same name; returns the new verifier
    key. The retired key is listed first (with the period it signed), then the new key replaces
    the file in one rename, so no process ever reads a half-written key."""
    file = _key_path()
    current = signer()
    retired = retired_keys()
    new = generate_signer(current.name)
    pending = file.with_name(file.name + ".new")
    pending.unlink(missing_ok=True)
    descriptor = os.open(pending, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(new.to_string() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    ended = PublishedKey(
        current.verifier.to_string(),
        retired[-1].until if retired else "start",
        _stamp(timezone.now()),
    )
    with _retired_path().open("a") as handle:
        handle.write(ended.line() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(pending, file)
    return signer().verifier.to_string()


def adopt_backup_keys(signer_text: str, retired_text: str, *, replace_current: bool) -> str:
    """Restore the record keys of a backup without unpublishing any key that has signed here:
    every key of both sets stays listed. The current key stays this server's own unless there is
    none or `replace_current`; the other one is retired now. Returns what was done."""
    file = _key_path()
    backup_signer = signer_from_string(signer_text.strip())
    backup_key = backup_signer.verifier.to_string()
    ours = signer() if file.exists() else None
    listed = {key.verifier for key in retired_keys()}
    theirs = [_parse_line(line) for line in retired_text.splitlines() if line.strip()]
    lines = [key for key in theirs if key.verifier not in listed]
    now = _stamp(timezone.now())
    if ours is not None and ours.verifier.to_string() == backup_key:
        outcome = "The backup's signing key is this server's key."
    elif ours is None or replace_current:
        if ours is not None:
            lines.append(PublishedKey(ours.verifier.to_string(), published_keys()[0].since, now))
        pending = file.with_name(file.name + ".new")
        pending.unlink(missing_ok=True)
        file.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(pending, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(backup_signer.to_string() + "\n")
        outcome = "Restored the backup's signing key."
        _append_retired(lines)
        os.replace(pending, file)
        return outcome
    else:
        lines.append(PublishedKey(backup_key, theirs[-1].until if theirs else "start", now))
        outcome = (
            "Kept this server's signing key; the backup's key is listed as retired, so what it "
            "signed still verifies."
        )
    _append_retired(lines)
    return outcome


def _append_retired(lines: list[PublishedKey]) -> None:
    if lines:
        _retired_path().parent.mkdir(parents=True, exist_ok=True)
        with _retired_path().open("a") as handle:
            handle.write("".join(f"{key.line()}\n" for key in lines))
