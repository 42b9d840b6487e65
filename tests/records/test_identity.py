"""The record's identity: origins fixed when a log starts, and signing keys that rotate without a
restart, with every key published beside the period it signed."""

from __future__ import annotations

import datetime as dt
import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.test import Client

from coparent.records import keys, selectors
from coparent.records.models import FamilyLog
from coparent.records.services import record_append
from coparent.tlog import open_note, parse_checkpoint, verifier_from_string, verify_bundle
from coparent.tlog.verify import main as verify_main
from tests.cast import Cast, build_cast

pytestmark = pytest.mark.django_db

ROTATED_AT = dt.datetime(2026, 3, 3, 9, 30, tzinfo=dt.UTC)


def signed_origin(family) -> str:
    note = selectors.checkpoint_get(family).note
    return parse_checkpoint(open_note(note, keys.verifiers())).origin


def note(cast: Cast, text: str = "x") -> None:
    record_append(family=cast.family_b, actor=cast.charlie, kind="test.note", fields={"n": text})


def test_a_new_site_url_does_not_change_a_family_origin(cast: Cast, settings) -> None:
    before = signed_origin(cast.family_b)
    assert before == f"testserver/family/{cast.family_b.public_id}"
    settings.SITE_URL = "https://moved.example"
    note(cast)
    assert signed_origin(cast.family_b) == before
    assert FamilyLog.objects.get(family=cast.family_b).origin == before


def test_the_migration_keeps_the_origin_each_log_signed(cast: Cast, settings) -> None:
    migration = importlib.import_module("coparent.records.migrations.0003_familylog_origin")
    signed = FamilyLog.objects.get(family=cast.family_a)
    signed.checkpoint = signed.checkpoint.replace("testserver/", "old.example/", 1)
    signed.origin = ""
    signed.save()
    FamilyLog.objects.filter(family=cast.family_b).update(origin="", checkpoint="")
    settings.SITE_URL = "https://now.example"
    migration.forwards(apps, None)
    assert FamilyLog.objects.get(family=cast.family_a).origin == (
        f"old.example/family/{cast.family_a.public_id}"
    )
    assert FamilyLog.objects.get(family=cast.family_b).origin == (
        f"now.example/family/{cast.family_b.public_id}"
    )


@pytest.fixture
def own_key(settings, tmp_path: Path) -> Path:
    """A key file for this test alone, so rotating it leaves the other tests' key be."""
    settings.RECORD_SIGNING_KEY_FILE = str(tmp_path / "record-signing.key")
    return tmp_path / "record-signing.key"


def test_export_works_right_after_a_rotation(own_key: Path, tmp_path: Path) -> None:
    cast = build_cast()
    old = keys.verifier_key()
    call_command("records", "rotate-key")
    assert keys.verifier_key() != old
    out = tmp_path / "bundle.zip"
    call_command("records", "export", str(cast.family_a.public_id), "--out", str(out))
    result = verify_bundle(out, pinned_keys=[old])
    assert result.ok, result.problem


def rotate_in_another_process(key_file: Path) -> str:
    """`coparent records rotate-key` as another process on the same host would run it."""
    program = textwrap.dedent(
        f"""
        from django.conf import settings
        settings.configure(RECORD_SIGNING_KEY_FILE={str(key_file)!r}, SITE_URL="http://testserver",
                           USE_TZ=True)
        from coparent.records import keys
        print(keys.rotate())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_a_running_process_signs_with_the_new_key_after_a_rotation_elsewhere(
    own_key: Path,
) -> None:
    cast = build_cast()
    note(cast)  # this process has loaded (and cached) the key
    old = keys.verifier_key()
    new = rotate_in_another_process(own_key)
    assert new != old
    note(cast)
    signed = selectors.checkpoint_get(cast.family_b).note
    assert keys.verifier_key_for(signed) == new
    open_note(signed, [verifier_from_string(new)])


def test_the_well_known_document_lists_every_key_with_its_period(own_key: Path) -> None:
    build_cast()
    old = keys.verifier_key()
    with time_machine.travel(ROTATED_AT, tick=False):
        new = keys.rotate()
    lines = Client().get("/.well-known/coparent-record-keys").content.decode().splitlines()
    assert lines == [
        f"{new} from=2026-03-03T09:30:00Z until=now",
        f"{old} from=start until=2026-03-03T09:30:00Z",
    ]


def test_a_bundle_spanning_a_rotation_verifies_against_the_published_keys(
    own_key: Path, tmp_path: Path, capsys
) -> None:
    cast = build_cast()
    note(cast, "before")
    keys.rotate()
    note(cast, "after")
    out = tmp_path / "bundle.zip"
    call_command("records", "export", str(cast.family_b.public_id), "--out", str(out))
    published = tmp_path / "coparent-record-keys.txt"
    published.write_bytes(Client().get("/.well-known/coparent-record-keys").content)
    capsys.readouterr()
    assert verify_main([str(out), "--key", str(published)]) == 0, capsys.readouterr().out
    retired = keys.retired_verifier_keys()
    assert verify_main([str(out), "--key", retired[0]]) == 1
    assert "is not the pinned key" in capsys.readouterr().out


def test_restoring_keys_never_unpublishes_a_key_that_signed(own_key: Path) -> None:
    from coparent.tlog import generate_signer

    ours = keys.verifier_key()
    backup = generate_signer("testserver/coparent-record")
    backup_retired = generate_signer("testserver/coparent-record").verifier.to_string()
    said = keys.adopt_backup_keys(
        backup.to_string(),
        f"{backup_retired} from=start until=2026-01-01T00:00:00Z\n",
        replace_current=False,
    )
    assert "Kept this server's signing key" in said
    published = [key.verifier for key in keys.published_keys()]
    assert published[0] == ours
    assert set(published) == {ours, backup.verifier.to_string(), backup_retired}

    keys.adopt_backup_keys(backup.to_string(), "", replace_current=True)
    published = [key.verifier for key in keys.published_keys()]
    assert published[0] == backup.verifier.to_string()
    assert sorted(published) == sorted([ours, backup.verifier.to_string(), backup_retired])


def test_a_key_retired_before_periods_were_recorded_is_listed_with_an_unknown_period(
    own_key: Path,
) -> None:
    from coparent.tlog import generate_signer

    old = generate_signer("testserver/coparent-record").verifier.to_string()
    own_key.with_name("record-signing.key.retired").write_text(old + "\n")
    lines = Client().get("/.well-known/coparent-record-keys").content.decode().splitlines()
    assert lines == [
        f"{keys.verifier_key()} from=unknown until=now",
        f"{old} from=unknown until=unknown",
    ]
