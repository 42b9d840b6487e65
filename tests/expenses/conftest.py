from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _attachment_dir(settings, tmp_path) -> None:
    """Receipts of each test go to its own temporary directory."""
    settings.MESSAGING_ATTACHMENT_DIR = str(tmp_path / "attachments")
