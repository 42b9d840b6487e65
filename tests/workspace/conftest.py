from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_dirs(settings, tmp_path) -> None:
    """Attachments and data copies of each test go to its own temporary directory."""
    settings.MESSAGING_ATTACHMENT_DIR = str(tmp_path / "attachments")
    settings.DATA_EXPORT_DIR = tmp_path / "data-exports"
