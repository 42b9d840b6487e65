"""Documents and the journal in real Chromium, on a phone and a desktop: a parent adds a PDF and
a picture, sees their previews, uploads a new version; writes a journal entry and shares it with
the mediator, who reads it with its proof; the other parent finds nothing of it."""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_no_horizontal_overflow,
    open_menu,
    screenshot,
    sign_in,
)
from tests.cast import build_cast
from tests.messaging.helpers import pdf_bytes, png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _attachment_dir(settings, tmp_path) -> None:
    settings.MESSAGING_ATTACHMENT_DIR = str(tmp_path / "attachments")


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_documents_and_the_journal(new_page, viewport, name) -> None:
    cast = build_cast()
    alice = new_page(viewport)
    sign_in(alice, "alice@example.test")
    open_menu(alice)
    alice.get_by_role("link", name="Documents", exact=True).click()
    alice.get_by_role("heading", name="Documents", exact=True).wait_for()
    alice.get_by_role("link", name="Add a document").click()
    alice.get_by_label("Title").fill("Custody order")
    alice.get_by_label("Category").select_option("court_order")
    alice.get_by_label("Everyone in the family, professionals included").check()
    alice.get_by_label("Kit").check()
    alice.get_by_label("File").set_input_files(
        files=[{"name": "order.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    assert_accessible(alice, "document form")
    alice.get_by_role("button", name="Save").click()
    alice.get_by_text("The document is saved").wait_for()
    alice.get_by_test_id("preview").wait_for()
    alice.get_by_label("New version").set_input_files(
        files=[{"name": "order2.png", "mimeType": "image/png", "buffer": png_bytes((300, 200))}]
    )
    alice.get_by_role("button", name="Upload new version").click()
    alice.get_by_text("The new version is saved").wait_for()
    assert alice.get_by_test_id("version").count() == 2
    # The preview is fetched after the page: wait until it has loaded, not just appeared.
    alice.wait_for_function(
        "() => document.querySelector('img.document-preview')?.complete"
        " && document.querySelector('img.document-preview').naturalWidth > 0"
    )
    assert alice.locator("img.document-preview").evaluate("img => img.naturalWidth") == 300
    assert_accessible(alice, "document detail")
    assert_no_horizontal_overflow(alice, "document detail")
    screenshot(alice, f"{name}-document-detail")

    alice.get_by_role("link", name="All documents").click()
    alice.get_by_role("link", name="My private journal").click()
    alice.get_by_role("link", name="Write an entry").click()
    alice.get_by_label("What happened").fill("Late again at the handover (private-browser-line)")
    alice.get_by_label("Photos").set_input_files(
        files=[{"name": "steps.png", "mimeType": "image/png", "buffer": png_bytes((64, 48))}]
    )
    alice.get_by_role("button", name="Save entry").click()
    alice.get_by_text("Only you can read it").wait_for()
    assert_accessible(alice, "journal entry")
    assert_no_horizontal_overflow(alice, "journal entry")
    screenshot(alice, f"{name}-journal-entry")
    alice.get_by_role("link", name="My private journal").click()
    alice.get_by_role("link", name="Share with a professional").click()
    alice.get_by_label("Share with").select_option(label="Medi Ator (Mediator)")
    alice.get_by_label("One entry").select_option(index=1)
    alice.get_by_role("button", name="Share", exact=True).click()
    alice.get_by_text("Shared. They can now read it").wait_for()
    assert_accessible(alice, "journal shares")
    assert_no_horizontal_overflow(alice, "journal shares")

    mediator = new_page(viewport)
    sign_in(mediator, "mediator@example.test")
    mediator.goto(f"/f/{cast.family_a.public_id}/journal/shared/")
    mediator.get_by_role("heading", name="Verify").wait_for()
    assert "private-browser-line" in mediator.locator("main").inner_text()
    mediator.get_by_text("Proof", exact=True).click()
    assert_accessible(mediator, "shared journal")
    assert_no_horizontal_overflow(mediator, "shared journal")
    screenshot(mediator, f"{name}-journal-shared")

    bob = new_page(viewport)
    sign_in(bob, "bob@example.test")
    bob.goto(f"/f/{cast.family_a.public_id}/documents/")
    assert "Custody order" in bob.locator("main").inner_text()
    assert_no_horizontal_overflow(bob, "document list")
    screenshot(bob, f"{name}-document-list")
    for path, status in (("journal/", 200), ("journal/shared/", 404)):
        response = bob.goto(f"/f/{cast.family_a.public_id}/{path}")  # his own journal: empty
        assert response is not None and response.status == status
        assert "private-browser-line" not in bob.content()
