"""The newest signed checkpoint kept outside the database: the server refuses to sign a log that
is behind it or forks from it, and an accepted rollback is a signed statement on the record."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.db import transaction

from coparent.core.errors import ServiceError
from coparent.records import checkpoints, keys, selectors
from coparent.records.export import export_bundle
from coparent.records.models import LogEntry
from coparent.records.services import RecordUnavailable, record_append, record_rollback_accept
from coparent.tlog import decode, verify_bundle
from tests.cast import Cast

pytestmark = pytest.mark.django_db


class Undo(Exception):
    pass


def note(cast: Cast, text: str = "x") -> None:
    record_append(family=cast.family_b, actor=cast.charlie, kind="test.note", fields={"n": text})


def signed_then_lost(cast: Cast, count: int) -> str:
    """Append `count` entries, keep the checkpoint they were signed under, lose the entries:
    what restoring a backup taken before them does to the database."""
    with pytest.raises(Undo), transaction.atomic():
        for i in range(count):
            note(cast, f"lost {i}")
        lost = selectors.checkpoint_get(cast.family_b).note
        raise Undo
    return lost


def test_the_newest_checkpoint_is_kept_after_each_commit(
    cast: Cast, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        note(cast)
        # The appender hands over what it signed, already parsed: the note is not read back.
        monkeypatch.setattr(checkpoints, "parse", None)
    monkeypatch.undo()
    checkpoints.flush()
    stored = checkpoints.newest(str(cast.family_b.public_id))
    assert stored is not None
    assert stored.note == selectors.checkpoint_get(cast.family_b).note
    assert stored == checkpoints.parse(stored.note)
    path = Path(checkpoints.directory()) / f"{cast.family_b.public_id}.checkpoint"
    assert path.read_text() == stored.note


def test_the_server_refuses_to_sign_a_log_behind_the_newest_checkpoint(cast: Cast) -> None:
    size = selectors.checkpoint_get(cast.family_b).size
    checkpoints.remember(str(cast.family_b.public_id), signed_then_lost(cast, 3))
    with pytest.raises(RecordUnavailable):
        note(cast)
    assert selectors.checkpoint_get(cast.family_b).size == size


def test_the_server_refuses_to_sign_a_fork_of_the_newest_checkpoint(cast: Cast) -> None:
    lost = signed_then_lost(cast, 2)
    note(cast, "a different first entry")
    note(cast, "and second")
    checkpoints.remember(str(cast.family_b.public_id), lost)
    with pytest.raises(RecordUnavailable):
        note(cast)
    with pytest.raises(ServiceError, match="forks"):
        record_rollback_accept(family=cast.family_b, backup="the backup of 2026-03-03")


def test_an_accepted_rollback_is_a_signed_statement_that_verifies(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    kept = selectors.checkpoint_get(cast.family_b).size
    lost = signed_then_lost(cast, 12)
    family_id = str(cast.family_b.public_id)
    checkpoints.remember(family_id, lost)
    with django_capture_on_commit_callbacks(execute=True):
        row = record_rollback_accept(
            family=cast.family_b, backup="the backup of 2026-03-03 02:00:00 UTC"
        )
    assert row is not None and row.index == kept
    entry = decode(bytes(row.leaf))
    assert entry.kind == "records.rollback" and entry.actor == "system"
    assert entry.fields["lost_from"] == kept and entry.fields["lost_to"] == kept + 11
    assert entry.fields["checkpoint"] == lost
    stored = checkpoints.newest(family_id)
    assert stored is not None and stored.size == kept + 1
    assert list(Path(checkpoints.directory()).glob(f"{family_id}.rolled-back-*"))
    with django_capture_on_commit_callbacks(execute=True):
        note(cast, "life goes on")
    assert record_rollback_accept(family=cast.family_b, backup="again") is None

    out = io.BytesIO()
    export_bundle(out, family=cast.family_b)
    result = verify_bundle(io.BytesIO(out.getvalue()), pinned_keys=[keys.verifier_key()])
    assert result.ok, result.problem
    assert result.rollbacks == (
        f"entry {kept}: entries {kept}-{kept + 11} were lost restoring "
        "the backup of 2026-03-03 02:00:00 UTC",
    )
    assert LogEntry.objects.filter(family=cast.family_b).count() == kept + 2


def test_the_operator_accepts_a_rollback_from_the_command_line(
    cast: Cast, capsys, django_capture_on_commit_callbacks
) -> None:
    """After a power cut lost committed entries (no backup restored), the server refuses to
    sign until the operator accepts the rollback."""
    from django.core.management import call_command

    kept = selectors.checkpoint_get(cast.family_b).size
    checkpoints.remember(str(cast.family_b.public_id), signed_then_lost(cast, 2))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("records", "accept-rollback", str(cast.family_b.public_id), "--reason", "disk")
    assert f"entry {kept}" in capsys.readouterr().out
    note(cast, "writing again")
    call_command("records", "accept-rollback", str(cast.family_b.public_id))
    assert "not behind" in capsys.readouterr().out


def test_the_record_page_says_what_a_rollback_lost(cast: Cast, client_for) -> None:
    kept = selectors.checkpoint_get(cast.family_a).size
    lost = signed_then_lost_in(cast.family_a, cast.alice, 4)
    checkpoints.remember(str(cast.family_a.public_id), lost)
    record_rollback_accept(family=cast.family_a, backup="the backup of 2026-03-03 02:00:00 UTC")
    page = client_for(cast.alice).get(f"/f/{cast.family_a.public_id}/record/")
    assert page.status_code == 200
    assert (
        f"Entries {kept}-{kept + 3} were lost restoring the backup of 2026-03-03 02:00:00 UTC"
        in page.content.decode()
    )


def signed_then_lost_in(family, actor, count: int) -> str:
    with pytest.raises(Undo), transaction.atomic():
        for i in range(count):
            record_append(family=family, actor=actor, kind="test.note", fields={"n": str(i)})
        lost = selectors.checkpoint_get(family).note
        raise Undo
    return lost


def test_a_write_over_the_api_to_a_rolled_back_record_is_503_and_changes_nothing(
    cast: Cast,
) -> None:
    """Only the operator can mend it, so it is not the caller's bad request (400)."""
    from django.test import Client

    from coparent.accounts.models import ApiToken
    from coparent.accounts.services import api_token_create
    from coparent.families.models import Child

    _, secret = api_token_create(user=cast.charlie, name="script", scope=ApiToken.READ_WRITE)
    checkpoints.remember(str(cast.family_b.public_id), signed_then_lost(cast, 2))
    size = selectors.checkpoint_get(cast.family_b).size
    children = Child.objects.filter(family=cast.family_b).count()
    response = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}").post(
        f"/api/v1/families/{cast.family_b.public_id}/children",
        data='{"first_name": "Wren", "date_of_birth": "2019-04-02"}',
        content_type="application/json",
    )
    assert response.status_code == 503, response.content
    assert response.json()["error"]["code"] == "record_unavailable"
    assert Child.objects.filter(family=cast.family_b).count() == children
    assert selectors.checkpoint_get(cast.family_b).size == size
