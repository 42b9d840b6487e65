"""`coparent backup` and `coparent restore`: a backup taken while a parent keeps writing restores,
into a fresh server, a log that verifies and is a prefix of the live one; restoring behind the
newest signed checkpoint is refused unless the rollback is accepted and put on the record."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import importlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.db import connection, transaction

from coparent.messaging.services import message_send, thread_create
from coparent.records import checkpoints, keys, selectors
from coparent.records.backup import BackupError, Manifest, backup_create, backup_restore
from coparent.records.models import FamilyLog, LogEntry
from coparent.tlog import verify_bundle
from tests.cast import Cast, build_cast

transactional = pytest.mark.django_db(transaction=True)


@pytest.fixture
def own_files(settings, tmp_path: Path) -> Path:
    """Keys, attachments and kept checkpoints of this test alone."""
    live = tmp_path / "live"
    settings.RECORD_SIGNING_KEY_FILE = str(live / "record-signing.key")
    settings.PASS_SIGNING_KEY_FILE = str(live / "pass-signing.pem")
    settings.MESSAGING_ATTACHMENT_DIR = live / "attachments"
    settings.RECORD_CHECKPOINT_DIR = str(live / "record-checkpoints")
    (live / "attachments" / "f").mkdir(parents=True)
    (live / "attachments" / "f" / "photo").write_bytes(b"not really a photo")
    return live


def write_while_backing_up(cast: Cast, target: Path) -> Manifest:
    """One parent sends messages in a thread while the backup runs."""
    thread = thread_create(
        family=cast.family_a, actor=cast.alice, subject="Pickups", body="Starting a thread."
    )
    started, stop = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            n = 0
            while not stop.is_set():
                message_send(family=cast.family_a, actor=cast.alice, thread=thread, body=f"Hi {n}")
                n += 1
                if n == 5:
                    started.set()
        except BaseException as exc:
            errors.append(exc)
            started.set()
        finally:
            connection.close()

    worker = threading.Thread(target=writer)
    worker.start()
    try:
        assert started.wait(30)
        manifest = backup_create(target)
        for n in range(3):
            message_send(family=cast.family_a, actor=cast.alice, thread=thread, body=f"Late {n}")
    finally:
        stop.set()
        worker.join(60)
    assert not errors, errors
    return manifest


def fresh_server(tmp_path: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="coparent.settings", COPARENT_VAR_DIR=str(tmp_path / "new"))
    for name in ("COPARENT_RECORD_KEY_FILE", "COPARENT_PASS_KEY_FILE", "MESSAGING_ATTACHMENT_DIR"):
        env.pop(name, None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def coparent(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coparent.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def live_leaves(family) -> list[bytes]:
    return [bytes(x) for x in LogEntry.objects.filter(family=family).values_list("leaf", flat=True)]


def round_trip(cast: Cast, tmp_path: Path, live: Path, database_url: str | None) -> None:
    backup = tmp_path / "backup"
    manifest = write_while_backing_up(cast, backup)
    family = str(cast.family_a.public_id)
    kept = manifest.logs[family].size
    live_size = FamilyLog.objects.get(family=cast.family_a).size
    assert 0 < kept <= live_size - 3
    files = json.loads((backup / "manifest.json").read_text())["files"]
    assert {"keys/record-signing.key", "attachments/f/photo"} <= set(files)

    env = fresh_server(tmp_path, database_url)
    new_var = tmp_path / "new"
    # The same machine: the checkpoints signed since the backup are still there.
    checkpoints.flush()
    shutil.copytree(live / "record-checkpoints", new_var / "record-checkpoints")
    refused = coparent(env, "restore", str(backup))
    assert refused.returncode != 0
    assert f"family {family}: the backup holds {kept} entries" in refused.stderr
    assert "--accept-rollback" in refused.stderr and "Nothing was restored" in refused.stderr

    done = coparent(env, "restore", str(backup), "--accept-rollback")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"entries {kept}-{live_size - 1} were lost" in done.stdout
    assert (new_var / "attachments" / "f" / "photo").read_bytes() == b"not really a photo"
    assert (new_var / "record-signing.key").read_text() == (live / "record-signing.key").read_text()

    bundle = tmp_path / "restored.zip"
    exported = coparent(env, "records", "export", family, "--out", str(bundle))
    assert exported.returncode == 0, exported.stderr
    result = verify_bundle(bundle, pinned_keys=[keys.verifier_key()])
    assert result.ok, result.problem
    assert result.size == kept + 1
    assert result.rollbacks == (
        f"entry {kept}: entries {kept}-{live_size - 1} were lost restoring the backup of "
        + manifest.taken_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
    )
    with zipfile.ZipFile(bundle) as zf:
        lines = [json.loads(line) for line in zf.read("entries.jsonl").splitlines()]
    restored = [base64.b64decode(line["leaf"]) for line in lines]
    assert restored[:kept] == live_leaves(cast.family_a)[:kept], "a prefix of the live log"

    again = coparent(env, "restore", str(backup), "--accept-rollback")
    assert again.returncode != 0 and "the database is not empty" in again.stderr


@pytest.fixture
def fresh_database_url() -> Iterator[str | None]:
    """Where the fresh server keeps its data: a new SQLite file in its var directory (None), or
    a new PostgreSQL database for pg_restore."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        yield None
        return
    name = f"coparent_restore_{uuid.uuid4().hex[:12]}"
    admin = psycopg.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    try:
        yield f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@transactional
def test_a_backup_under_writes_restores_a_verifying_prefix(
    own_files: Path, tmp_path: Path, fresh_database_url: str | None
) -> None:
    """SQLite (online backup API) or PostgreSQL (pg_dump, pg_restore into a new database),
    whichever the suite runs on."""
    round_trip(build_cast(), tmp_path, own_files, fresh_database_url)


@transactional
def test_restore_checks_the_manifest_before_touching_anything(
    own_files: Path, tmp_path: Path
) -> None:
    build_cast()
    backup = tmp_path / "backup"
    backup_create(backup)
    with pytest.raises(BackupError, match="is not empty"):
        backup_create(backup)
    (backup / "attachments" / "f" / "photo").write_bytes(b"changed")
    with pytest.raises(BackupError, match="does not match its checksum"):
        backup_restore(backup)
    (backup / "manifest.json").unlink()
    with pytest.raises(BackupError, match=r"no manifest\.json"):
        backup_restore(backup)


@transactional
def test_restoring_over_a_live_database_compares_with_its_newer_checkpoints(
    own_files: Path, tmp_path: Path
) -> None:
    """A process killed before its writer thread wrote leaves the file behind the database:
    the live database's own checkpoint is then the newest signed, and restoring behind it is
    a rollback like any other."""
    cast = build_cast()
    family = str(cast.family_a.public_id)
    backup = tmp_path / "backup"
    kept = backup_create(backup).logs[family].size
    thread = thread_create(family=cast.family_a, actor=cast.alice, subject="Later", body="More.")
    message_send(family=cast.family_a, actor=cast.alice, thread=thread, body="Even more.")
    signed = FamilyLog.objects.get(family=cast.family_a).size
    assert signed > kept
    checkpoints.flush()
    shutil.rmtree(own_files / "record-checkpoints")  # never written: the process was killed

    with pytest.raises(BackupError) as refused:
        backup_restore(backup, force=True)
    assert f"family {family}: the backup holds {kept} entries, this server signed {signed}" in str(
        refused.value
    )
    assert FamilyLog.objects.get(family=cast.family_a).size == signed, "nothing was restored"
    stored = checkpoints.newest(family)
    assert stored is not None and stored.size == signed


class Undo(Exception):
    pass


@transactional
def test_a_longer_backup_that_does_not_extend_the_signed_checkpoint_is_refused_untouched(
    own_files: Path, tmp_path: Path, fresh_database_url: str | None
) -> None:
    cast = build_cast()
    family = str(cast.family_a.public_id)
    thread = thread_create(family=cast.family_a, actor=cast.alice, subject="Trips", body="Hi.")
    with pytest.raises(Undo), transaction.atomic():
        message_send(family=cast.family_a, actor=cast.alice, thread=thread, body="Another one")
        other_history = selectors.checkpoint_get(cast.family_a).note
        raise Undo
    message_send(family=cast.family_a, actor=cast.alice, thread=thread, body="This one")
    this_history = selectors.checkpoint_get(cast.family_a).note
    message_send(family=cast.family_a, actor=cast.alice, thread=thread, body="And more")
    backup = tmp_path / "backup"
    backup_create(backup)

    env = fresh_server(tmp_path, fresh_database_url)
    kept = tmp_path / "new" / "record-checkpoints" / f"{family}.checkpoint"
    kept.parent.mkdir(parents=True)
    kept.write_text(other_history)
    refused = coparent(env, "restore", str(backup))
    assert refused.returncode != 0 and "Nothing was restored" in refused.stderr
    if connection.vendor == "sqlite":
        assert "does not extend the checkpoint this server signed" in refused.stderr
        with contextlib.closing(sqlite3.connect(tmp_path / "new" / "coparent.sqlite3")) as db:
            assert not db.execute("SELECT name FROM sqlite_master").fetchall(), "untouched"
    else:
        assert "cannot be checked" in refused.stderr

    kept.write_text(this_history)
    done = coparent(env, "restore", str(backup))
    if connection.vendor == "sqlite":
        assert done.returncode == 0, done.stdout + done.stderr
        assert "WARNING" not in done.stdout
    else:
        assert done.returncode != 0 and "cannot be checked" in done.stderr


@transactional
def test_restore_migrates_the_restored_schema_before_writing_to_it(
    own_files: Path, tmp_path: Path, monkeypatch
) -> None:
    """An older backup holds an older schema; the rollback statements are written with today's
    code, so the restored database is migrated first."""
    from coparent.records import backup as module

    build_cast()
    backup_create(tmp_path / "backup")
    steps: list[str] = []
    real_command, real_after = module.call_command, module._after_restore

    def command(name: str, *args, **options) -> None:
        steps.append(name)
        real_command(name, *args, **options)

    def after(*args, **options) -> None:
        steps.append("after restore")
        real_after(*args, **options)

    monkeypatch.setattr(module, "call_command", command)
    monkeypatch.setattr(module, "_after_restore", after)
    backup_restore(tmp_path / "backup", force=True, say=lambda line: None)
    assert steps == ["migrate", "after restore"]


@transactional
@pytest.mark.sqlite_only  # the older schema is made by editing a SQLite backup
def test_a_backup_with_an_older_schema_is_migrated_before_the_rollback_is_written(
    own_files: Path, tmp_path: Path
) -> None:
    cast = build_cast()
    family = str(cast.family_a.public_id)
    thread = thread_create(family=cast.family_a, actor=cast.alice, subject="Trips", body="Hi.")
    backup = tmp_path / "backup"
    kept = backup_create(backup).logs[family].size
    message_send(family=cast.family_a, actor=cast.alice, thread=thread, body="Lost in restore")
    checkpoints.flush()
    # The backup as an older version wrote it: before records.0003 added FamilyLog.origin (and
    # before 0004 dropped the family_id indexes that 0001 made).
    with contextlib.closing(sqlite3.connect(backup / "database.sqlite3")) as db:
        db.execute("ALTER TABLE records_familylog DROP COLUMN origin")
        dropped = importlib.import_module(
            "coparent.records.migrations.0004_family_key_served_by_unique"
        ).INDEXES
        for table, index in dropped.items():
            db.execute(f'CREATE INDEX "{index}" ON "{table}" ("family_id")')
        db.execute("DELETE FROM django_migrations WHERE app = 'records' AND name >= '0003'")
        db.commit()
    manifest = json.loads((backup / "manifest.json").read_text())
    manifest["files"]["database.sqlite3"]["sha256"] = hashlib.sha256(
        (backup / "database.sqlite3").read_bytes()
    ).hexdigest()
    (backup / "manifest.json").write_text(json.dumps(manifest))

    env = fresh_server(tmp_path, None)
    shutil.copytree(own_files / "record-checkpoints", tmp_path / "new" / "record-checkpoints")
    done = coparent(env, "restore", str(backup), "--accept-rollback")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Family {family}: entries {kept}-{kept} were lost" in done.stdout
