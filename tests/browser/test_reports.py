"""The reports page in a real browser: a parent asks for a report, watches it being written,
and downloads the PDF; on a phone and on a desktop, nothing overflows."""

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
from tests.messaging.helpers import open_thread
from tests.tasks import run_tasks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _report_dirs(settings, tmp_path) -> None:
    settings.MESSAGING_ATTACHMENT_DIR = str(tmp_path / "attachments")
    settings.REPORT_DIR = str(tmp_path / "reports")


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_a_parent_makes_and_downloads_a_report(new_page, viewport, name, tmp_path) -> None:
    cast = build_cast()
    open_thread(cast, subject="School trip", body="The trip leaves at 07:30 on Friday.")
    page = new_page(viewport)
    sign_in(page, cast.alice.email)
    open_menu(page)
    page.get_by_role("link", name="Reports").click()
    page.get_by_role("heading", name="Court reports").wait_for()
    assert_accessible(page, f"{name} reports")
    assert_no_horizontal_overflow(page, f"{name} reports")
    page.get_by_label("Bates prefix").fill("FENWICK")
    page.get_by_role("button", name="Make the report").click()
    page.get_by_text("Your report is being written").wait_for()
    assert page.locator("progress").count() == 1
    screenshot(page, f"{name}-reports-writing")
    run_tasks()
    download_link = page.get_by_role("link", name="Download PDF")
    download_link.wait_for()  # the row polls and turns into the download
    assert_accessible(page, f"{name} report ready")
    assert_no_horizontal_overflow(page, f"{name} report ready")
    screenshot(page, f"{name}-reports-ready")
    with page.expect_download() as info:
        download_link.click()
    path = tmp_path / "downloaded.pdf"
    info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF-")
