"""Exports: `coparent records export` writes a bundle that `coparent verify` accepts, and that
fails verification after any change."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import zipfile

import pytest
from django.core.management import call_command

from coparent.families import services
from coparent.records import keys
from coparent.tlog import verify_bundle
from tests.cast import Cast

pytestmark = pytest.mark.django_db


def verify_cli(path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coparent.cli", "verify", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_export_then_verify_with_the_command_line(cast: Cast, tmp_path) -> None:
    out = tmp_path / "bundle.zip"
    call_command("records", "export", str(cast.family_a.public_id), "--out", str(out))
    result = verify_cli(out)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "tree size" in result.stdout.lower()

    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "entries.jsonl":
                lines = data.splitlines()
                data = b"\n".join([lines[1], lines[0], *lines[2:]]) + b"\n"
            target.writestr(item, data)
    result = verify_cli(tampered)
    assert result.returncode != 0
    assert result.stdout.strip() or result.stderr.strip()


def test_a_period_that_takes_in_every_entry_is_a_complete_export(cast: Cast, client_for) -> None:
    response = client_for(cast.alice).get(
        f"/f/{cast.family_a.public_id}/record/export.zip?start=2000-01-01&end=2199-01-01"
    )
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as bundle:
        assert "proofs.json" not in bundle.namelist()
        assert '"partial": false' in bundle.read("manifest.json").decode()
        assert "COMPLETE export" in bundle.read("README.txt").decode()
    result = verify_bundle(io.BytesIO(response.content), pinned_key=keys.verifier_key())
    assert result.ok and not result.partial and not result.labelled_partial, result.problem


def test_a_partial_export_by_period_carries_proofs(cast: Cast, client_for, time_machine) -> None:
    time_machine.move_to("2026-07-02T09:00Z", tick=False)
    services.child_add(
        family=cast.family_a,
        actor=cast.alice,
        first_name="Juniper",
        date_of_birth=dt.date(2020, 5, 1),
    )
    response = client_for(cast.alice).get(
        f"/f/{cast.family_a.public_id}/record/export.zip?start=2026-07-01&end=2026-07-03"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as bundle:
        names = set(bundle.namelist())
        assert {
            "entries.jsonl",
            "checkpoint.txt",
            "verifier-key.txt",
            "README.txt",
            "proofs.json",
        } <= names
        assert "partial" in bundle.read("README.txt").decode().lower()
    result = verify_bundle(io.BytesIO(response.content), pinned_key=keys.verifier_key())
    assert result.ok, result.problem
    assert result.partial and result.labelled_partial and result.pinned
    assert result.entries == 1 and result.size > 1


def test_export_form_rejects_backwards_dates(cast: Cast, client_for) -> None:
    response = client_for(cast.alice).get(
        f"/f/{cast.family_a.public_id}/record/export.zip?start=2026-02-01&end=2026-01-01"
    )
    assert response.status_code == 400
    assert "end date must be after" in response.content.decode()


def test_records_key_prints_the_published_key(capsys) -> None:
    call_command("records", "key")
    assert capsys.readouterr().out.strip() == keys.verifier_key()


def test_export_of_an_unknown_family_is_a_clear_error(db: None) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No family"):
        call_command(
            "records", "export", "00000000-0000-0000-0000-000000000000", "--out", "/tmp/x.zip"
        )


def test_a_members_export_shows_only_conversations_they_are_in(cast: Cast, client_for) -> None:
    from coparent.messaging import services as messaging

    thread = messaging.thread_create(
        family=cast.family_a,
        actor=cast.alice,
        subject="Between us",
        body="quiet-body-for-parents-only",
    )
    url = f"/f/{cast.family_a.public_id}/record/export.zip"
    mediator = client_for(cast.mediator)
    response = mediator.get(url)
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as bundle:
        assert b"quiet-body-for-parents-only" not in bundle.read("entries.jsonl")
        assert b"Between us" not in bundle.read("entries.jsonl")
    assert verify_bundle(io.BytesIO(response.content)).ok, "withheld content still verifies"
    assert mediator.get(f"{url}?thread={thread.public_id}").status_code == 404
    parent = client_for(cast.bob).get(f"{url}?thread={thread.public_id}")
    with zipfile.ZipFile(io.BytesIO(parent.content)) as bundle:
        assert b"quiet-body-for-parents-only" in bundle.read("entries.jsonl")


def test_a_partial_export_fetches_proof_nodes_in_batches(
    cast: Cast, django_assert_max_num_queries
) -> None:
    import datetime as dt

    from coparent.records.export import export_bundle
    from coparent.records.services import record_append

    for n in range(120):
        record_append(
            family=cast.family_b, actor=cast.charlie, kind="test.note", fields={"n": str(n)}
        )
    out = io.BytesIO()
    with django_assert_max_num_queries(15):
        count = export_bundle(
            out, family=cast.family_b, start=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        )
    assert count > 120
    assert verify_bundle(io.BytesIO(out.getvalue())).ok
