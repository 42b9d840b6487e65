from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _report_dirs(settings, tmp_path) -> None:
    """Reports and attachments of each test go to its own temporary directories."""
    settings.MESSAGING_ATTACHMENT_DIR = str(tmp_path / "attachments")
    settings.REPORT_DIR = str(tmp_path / "reports")
