"""A restored backup lost entries a parent's device had seen: the browser witness finds the signed
rollback statement in the record and says what was lost, instead of reporting tampering."""

from __future__ import annotations

import base64

import pytest
from django.db import transaction

from coparent.records import checkpoints, selectors
from coparent.records.services import record_append, record_rollback_accept
from tests.browser.conftest import PHONE, screenshot, sign_in
from tests.cast import build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Undo(Exception):
    pass


def test_the_browser_shows_an_explained_rollback(new_page, settings, tmp_path) -> None:
    settings.RECORD_CHECKPOINT_DIR = str(tmp_path / "record-checkpoints")
    cast = build_cast()
    family = cast.family_a
    page = new_page(PHONE)
    sign_in(page, cast.alice.email, witnessed=True)

    kept = selectors.checkpoint_get(family).size
    # Entries this device saw, then lost when an older backup was restored.
    with pytest.raises(Undo), transaction.atomic():
        for n in range(12):
            record_append(family=family, actor=cast.bob, kind="test.note", fields={"n": str(n)})
        lost = selectors.checkpoint_get(family)
        raise Undo
    key = f"coparent-record:{family.public_id}"
    root = base64.b64encode(lost.root).decode()
    page.evaluate(
        f"localStorage.setItem('{key}', JSON.stringify({{size: {lost.size}, root: '{root}'}}))"
    )
    checkpoints.remember(str(family.public_id), lost.note)
    record_rollback_accept(family=family, backup="the backup of 2026-03-03 02:00:00 UTC")

    page.goto(f"/f/{family.public_id}/record/")
    page.wait_for_function(
        "k => document.documentElement.dataset.recordRollback === String(k)", arg=kept
    )
    warning = page.get_by_test_id("record-warning")
    assert warning.is_visible()
    assert warning.inner_text() == (
        f"Entries {kept}-{kept + 11} were lost restoring the backup of 2026-03-03 02:00:00 UTC. "
        "The server has put this on the record, signed."
    )
    screenshot(page, "phone-record-rollback")

    # Explained once; from then on the device checks the new record as usual.
    record_append(family=family, actor=cast.bob, kind="test.note", fields={"n": "after"})
    page.reload()
    page.wait_for_function(
        "size => document.documentElement.dataset.recordChecked === String(size)",
        arg=kept + 2,
    )
    assert page.get_by_test_id("record-warning").is_hidden()


def test_a_forged_rollback_statement_does_not_explain_a_fork(new_page, settings, tmp_path) -> None:
    """A statement quoting a checkpoint smaller than what the device saw explains nothing."""
    settings.RECORD_CHECKPOINT_DIR = str(tmp_path / "record-checkpoints")
    cast = build_cast()
    family = cast.family_a
    page = new_page(PHONE)
    sign_in(page, cast.alice.email, witnessed=True)
    with pytest.raises(Undo), transaction.atomic():
        for n in range(3):
            record_append(family=family, actor=cast.bob, kind="test.note", fields={"n": str(n)})
        lost = selectors.checkpoint_get(family)
        raise Undo
    checkpoints.remember(str(family.public_id), lost.note)
    record_rollback_accept(family=family, backup="the backup of 2026-03-03 02:00:00 UTC")
    key = f"coparent-record:{family.public_id}"
    seen = {"size": lost.size + 5, "root": base64.b64encode(bytes(32)).decode()}
    page.evaluate("([k, v]) => localStorage.setItem(k, JSON.stringify(v))", [key, seen])
    page.goto(f"/f/{family.public_id}/record/")
    page.get_by_test_id("record-warning").wait_for(state="visible")
    assert "changed in a way it never should" in page.get_by_test_id("record-warning").inner_text()
