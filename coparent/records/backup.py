"""`coparent backup DIR` and `coparent restore DIR`: the database, the signing keys and the
message attachments, with a manifest of checksums (README.md, "Backup and restore").

The database is copied while the server runs: SQLite through its online backup API (one read
transaction, so a consistent snapshot that writers in WAL mode do not wait for), PostgreSQL with
pg_dump in custom format. Attachments are copied after the database, so every attachment the
copied database mentions is there. Restoring refuses to go behind the newest checkpoint this
server has signed for a family unless the operator accepts the rollback, which then goes on the
record as a signed statement.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from coparent.records import checkpoints, keys
from coparent.tlog import EMPTY_ROOT, Frontier

FORMAT = "coparent-backup/1"
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
BUSY_TIMEOUT_SECONDS = 60
LOGS_QUERY = (
    "SELECT f.public_id, l.origin, l.size, l.root FROM records_familylog l "
    "JOIN families_family f ON f.id = l.family_id"
)


class BackupError(Exception):
    """Why a backup or restore was refused or failed, phrased for the operator."""


@dataclass
class LogState:
    origin: str
    size: int
    root: bytes


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _key_files() -> dict[str, Path]:
    record = Path(settings.RECORD_SIGNING_KEY_FILE)
    return {
        "record-signing.key": record,
        "record-signing.key.retired": record.with_name(record.name + ".retired"),
        "pass-signing.pem": Path(settings.PASS_SIGNING_KEY_FILE),
    }


def _vendor() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backups are not written for {vendor} databases")
    return vendor


def _pg_env_and_args(db: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [option, str(db[key])]
    return env, args


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _logs_from_rows(rows: list[tuple[Any, ...]]) -> dict[str, LogState]:
    return {
        str(uuid.UUID(str(public_id))): LogState(origin, int(size), bytes(root))
        for public_id, origin, size, root in rows
    }


def _sqlite_backup(target: Path) -> dict[str, LogState]:
    source = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=BUSY_TIMEOUT_SECONDS)
    copy = sqlite3.connect(str(target))
    try:
        source.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
        # pages=-1: the whole database in one step, under one read transaction, so a writer
        # committing meanwhile neither restarts the copy nor shows up half in it.
        source.backup(copy, pages=-1)
        copy.execute("PRAGMA journal_mode=DELETE")
        rows = copy.execute(LOGS_QUERY).fetchall()
    finally:
        copy.close()
        source.close()
    return _logs_from_rows(rows)


def _pg_backup(target: Path) -> dict[str, LogState]:
    db = connection.settings_dict
    env, args = _pg_env_and_args(db)
    # Read the logs and dump the database from one snapshot, so the manifest says exactly what
    # the dump holds.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        cursor.execute(LOGS_QUERY)
        rows = cursor.fetchall()
        done = subprocess.run(  # noqa: S603
            [
                _program("pg_dump"),
                *args,
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={target}",
                str(db["NAME"]),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    return _logs_from_rows(rows)


def _files_under(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path


def _copy_if_still_there(source: str, target: str) -> None:
    """A send that fails removes the file it stored; that may happen while we copy."""
    with contextlib.suppress(FileNotFoundError):
        shutil.copy2(source, target)


@dataclass
class Manifest:
    taken_at: dt.datetime
    vendor: str
    logs: dict[str, LogState]
    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "taken_at": self.taken_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "database": {
                    "vendor": self.vendor,
                    "file": SQLITE_FILE if self.vendor == "sqlite" else PG_FILE,
                },
                "logs": {
                    family: {
                        "origin": log.origin,
                        "size": log.size,
                        "root": base64.b64encode(log.root).decode(),
                    }
                    for family, log in sorted(self.logs.items())
                },
                "files": self.files,
            },
            indent=1,
        )

    @classmethod
    def read(cls, source: Path) -> Manifest:
        try:
            data = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise BackupError(f"{source} is not a {FORMAT} backup")
            return cls(
                taken_at=dt.datetime.strptime(data["taken_at"], "%Y-%m-%dT%H:%M:%SZ").replace(
                    tzinfo=dt.UTC
                ),
                vendor=data["database"]["vendor"],
                logs={
                    family: LogState(log["origin"], int(log["size"]), base64.b64decode(log["root"]))
                    for family, log in data["logs"].items()
                },
                files=data["files"],
            )
        except FileNotFoundError:
            raise BackupError(
                f"{source} has no {MANIFEST}: not a backup, or one that did not finish"
            ) from None
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupError(f"{source / MANIFEST} is damaged ({exc})") from exc


def backup_create(target: Path) -> Manifest:
    """Write a backup into `target`, a new or empty directory. The manifest is written last:
    a directory without one is a backup that did not finish."""
    vendor = _vendor()
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty; back up into a new directory")
    target.mkdir(parents=True, exist_ok=True)
    os.chmod(target, 0o700)  # it holds the signing keys
    taken_at = timezone.now()
    database = target / (SQLITE_FILE if vendor == "sqlite" else PG_FILE)
    logs = _sqlite_backup(database) if vendor == "sqlite" else _pg_backup(database)
    for name, source in _key_files().items():
        if source.exists():
            (target / "keys").mkdir(mode=0o700, exist_ok=True)
            shutil.copy2(source, target / "keys" / name)
    attachments = Path(settings.MESSAGING_ATTACHMENT_DIR)
    if attachments.is_dir():
        shutil.copytree(attachments, target / "attachments", copy_function=_copy_if_still_there)
    manifest = Manifest(taken_at, vendor, logs)
    for path in _files_under(target):
        manifest.files[path.relative_to(target).as_posix()] = {
            "sha256": _sha256(path),
            "bytes": path.stat().st_size,
        }
    pending = target / (MANIFEST + ".tmp")
    pending.write_text(manifest.to_json() + "\n", encoding="utf-8")
    os.replace(pending, target / MANIFEST)
    return manifest


@dataclass
class RestorePlan:
    """What restoring would do to each family's log, against the newest checkpoints signed."""

    behind: dict[str, tuple[int, int]] = field(default_factory=dict)  # family: (kept, signed)
    missing: dict[str, int] = field(default_factory=dict)  # signed families not in the backup
    forked: list[str] = field(default_factory=list)


def _catch_up_with_live_database() -> None:
    """The live database's checkpoints are signed too, and may be newer than the files (a
    process killed before its writer thread wrote): keep them before anything compares with
    the files, so the plan and the rollback statement start from the newest signed."""
    with connection.cursor() as cursor:
        if "records_familylog" not in connection.introspection.table_names(cursor):
            return
        cursor.execute(
            "SELECT f.public_id, l.checkpoint FROM records_familylog l "
            "JOIN families_family f ON f.id = l.family_id WHERE l.size > 0"
        )
        rows = cursor.fetchall()
    for public_id, note in rows:
        checkpoints.remember(str(uuid.UUID(str(public_id))), note)
    checkpoints.flush()


def restore_plan(manifest: Manifest) -> RestorePlan:
    plan = RestorePlan()
    for family, stored in checkpoints.all_newest().items():
        log = manifest.logs.get(family)
        if log is None:
            plan.missing[family] = stored.size
        elif log.size < stored.size:
            plan.behind[family] = (log.size, stored.size)
        elif log.size == stored.size and log.root != stored.root:
            plan.forked.append(family)
    return plan


def _backup_roots_at(database: Path, wanted: dict[str, int]) -> dict[str, bytes | None]:
    """The root of each family's log in the backed-up SQLite file at a size (None when its
    nodes are not there), read from the file itself, before anything is restored."""
    found: dict[str, bytes | None] = {}
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        ids = {
            str(uuid.UUID(str(public_id))): pk
            for pk, public_id in db.execute("SELECT id, public_id FROM families_family")
        }

        def node(family_pk: int, level: int, index: int) -> bytes:
            row = db.execute(
                "SELECT hash FROM records_lognode "
                'WHERE family_id = ? AND level = ? AND "index" = ?',
                (family_pk, level, index),
            ).fetchone()
            if row is None:
                raise LookupError(level, index)
            return bytes(row[0])

        for family, size in wanted.items():
            pk = ids.get(family)
            found[family] = None
            if pk is None:
                continue
            with contextlib.suppress(LookupError):
                found[family] = (
                    Frontier.from_nodes(partial(node, pk), size).root() if size else EMPTY_ROOT
                )
    except sqlite3.Error as exc:
        raise BackupError(f"cannot read the backed-up database {database}: {exc}") from exc
    finally:
        db.close()
    return found


def _check_extends(source: Path, manifest: Manifest, vendor: str, *, accept: bool) -> None:
    """A backup longer than the newest checkpoint signed must extend it; one that does not is
    another history, and restoring it would leave the family stuck (the server refuses to sign
    a fork). Checked before anything is overwritten."""
    longer = {
        family: stored
        for family, stored in checkpoints.all_newest().items()
        if (log := manifest.logs.get(family)) is not None and log.size > stored.size
    }
    if not longer:
        return
    if vendor != "sqlite":
        if accept:
            return
        raise BackupError(
            "the backup's record of family "
            + ", ".join(sorted(longer))
            + " is longer than the newest checkpoint this server signed, and a PostgreSQL dump "
            "cannot be checked to extend it before it is restored. Nothing was restored. If you "
            "know this backup was taken from this server, run again with --accept-rollback; a "
            "family whose record turns out not to extend its checkpoint then stays unwritable."
        )
    roots = _backup_roots_at(source / SQLITE_FILE, {f: s.size for f, s in longer.items()})
    forked = sorted(family for family, stored in longer.items() if roots[family] != stored.root)
    if forked:
        raise BackupError(
            "the backup's record of family "
            + ", ".join(forked)
            + " does not extend the checkpoint this server signed: this is not a backup of "
            "this server's record. Nothing was restored."
        )


def _check_files(source: Path, manifest: Manifest) -> None:
    for name, expected in manifest.files.items():
        path = source / name
        if not path.is_file():
            raise BackupError(f"{name} is missing from the backup")
        if _sha256(path) != expected["sha256"]:
            raise BackupError(f"{name} does not match its checksum: the backup is damaged")


def _database_is_empty(vendor: str) -> bool:
    if vendor == "sqlite":
        name = Path(str(connection.settings_dict["NAME"]))
        if not name.exists() or name.stat().st_size == 0:
            return True
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def _sqlite_restore(database: Path) -> None:
    connections.close_all()
    target = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=BUSY_TIMEOUT_SECONDS)
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        source.backup(target, pages=-1)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        source.close()
        target.close()


def _pg_restore(database: Path, *, clean: bool) -> None:
    db = connection.settings_dict
    connections.close_all()
    env, args = _pg_env_and_args(db)
    command = [
        _program("pg_restore"),
        *args,
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
    ]
    if clean:
        command += ["--clean", "--if-exists"]
    done = subprocess.run(  # noqa: S603
        [*command, f"--dbname={db['NAME']}", str(database)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()}")


def backup_restore(
    source: Path,
    *,
    force: bool = False,
    accept_rollback: bool = False,
    reason: str = "",
    say: Callable[[str], None] = print,
) -> RestorePlan:
    """Restore the backup in `source` into this server's database, key files and attachments
    directory. Refuses a non-empty target unless `force`, and a log behind the newest checkpoint
    signed here unless `accept_rollback` (then a rollback statement goes on that record)."""
    manifest = Manifest.read(source)
    vendor = _vendor()
    if manifest.vendor != vendor:
        raise BackupError(f"this is a {manifest.vendor} backup; the server uses {vendor}")
    _check_files(source, manifest)
    if not _database_is_empty(vendor):
        _catch_up_with_live_database()
    plan = restore_plan(manifest)
    if plan.forked:
        raise BackupError(
            "the backup's record of family "
            + ", ".join(plan.forked)
            + " differs from the checkpoint this server signed at the same size: this is not an "
            "older backup of this server. Nothing was restored."
        )
    _check_extends(source, manifest, vendor, accept=accept_rollback)
    if (plan.behind or plan.missing) and not accept_rollback:
        lines = [
            f"  family {family}: the backup holds {kept} entries, this server signed {signed} "
            f"(entries {kept}-{signed - 1} would be lost)"
            for family, (kept, signed) in sorted(plan.behind.items())
        ] + [
            f"  family {family}: not in the backup, this server signed {signed} entries"
            for family, signed in sorted(plan.missing.items())
        ]
        raise BackupError(
            "restoring this backup would roll family records back behind checkpoints this "
            "server has already signed (parents' devices hold them):\n"
            + "\n".join(lines)
            + "\nNothing was restored. If this is the newest backup there is, run again with "
            "--accept-rollback: each record then says, signed, which entries were lost."
        )

    keys_dir = source / "keys"
    clashes = []
    if not _database_is_empty(vendor):
        clashes.append("the database is not empty")
    passes, passes_copy = Path(settings.PASS_SIGNING_KEY_FILE), keys_dir / "pass-signing.pem"
    if passes.exists() and passes_copy.exists() and passes.read_bytes() != passes_copy.read_bytes():
        clashes.append(f"{passes} holds another key")
    attachments = Path(settings.MESSAGING_ATTACHMENT_DIR)
    if attachments.is_dir() and any(attachments.iterdir()):
        clashes.append(f"{attachments} is not empty")
    if clashes and not force:
        raise BackupError(
            "refusing to overwrite: "
            + "; ".join(clashes)
            + ". Nothing was restored. Run again with --force to replace them."
        )

    database = source / (SQLITE_FILE if vendor == "sqlite" else PG_FILE)
    if vendor == "sqlite":
        _sqlite_restore(database)
    else:
        _pg_restore(database, clean=force)
    say(f"Restored the database ({len(manifest.logs)} family records).")
    # An older backup holds an older schema, and what follows (today's code) needs today's.
    call_command("migrate", interactive=False, verbosity=0)
    if (keys_dir / "record-signing.key").exists():
        retired = keys_dir / "record-signing.key.retired"
        say(
            keys.adopt_backup_keys(
                (keys_dir / "record-signing.key").read_text(),
                retired.read_text() if retired.exists() else "",
                # A key this server already has may be newer (rotated since the backup).
                replace_current=False,
            )
        )
    if (keys_dir / "pass-signing.pem").exists():
        passes.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(keys_dir / "pass-signing.pem", passes)
        os.chmod(passes, 0o600)
    if (source / "attachments").is_dir():
        shutil.copytree(source / "attachments", attachments, dirs_exist_ok=True)
    say("Restored the signing keys and attachments.")
    _after_restore(manifest, plan, reason=reason, say=say)
    return plan


def _after_restore(
    manifest: Manifest, plan: RestorePlan, *, reason: str, say: Callable[[str], None]
) -> None:
    from coparent.families.models import Family
    from coparent.records.selectors import root_at
    from coparent.records.services import record_rollback_accept
    from coparent.tlog.rollback import describe_backup

    backup = describe_backup(manifest.taken_at)
    for family_id, stored in checkpoints.all_newest().items():
        log = manifest.logs.get(family_id)
        if log is not None and log.size > stored.size:
            family = Family.objects.get(public_id=family_id)
            if root_at(family, stored.size) != stored.root:
                say(
                    f"WARNING: family {family_id}: the restored record is not an extension of "
                    f"the checkpoint of size {stored.size} this server signed. The server will "
                    "not sign for this family; find out why before going on."
                )
    for family_id, (kept, signed) in sorted(plan.behind.items()):
        family = Family.objects.get(public_id=family_id)
        record_rollback_accept(family=family, backup=backup, reason=reason)
        say(
            f"Family {family_id}: entries {kept}-{signed - 1} were lost restoring {backup}; "
            "a signed rollback statement is now on its record."
        )
    for family_id in sorted(plan.missing):
        say(
            f"Family {family_id} is not in the backup: its record is gone. Its last signed "
            f"checkpoint stays in {checkpoints.directory()}."
        )
