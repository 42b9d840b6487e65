"""Real family-A ids for the journal routes, for the tenancy walk (tests/test_tenancy.py)."""

from __future__ import annotations

import tempfile

from django.test import override_settings

from tests.cast import Cast
from tests.journal.helpers import share, write


def ids(cast: Cast) -> dict[str, str]:
    with (
        tempfile.TemporaryDirectory() as folder,
        override_settings(MESSAGING_ATTACHMENT_DIR=folder),
    ):
        entry = write(cast, photos=True)
    made = share(cast, entry)
    return {
        "entry_id": str(entry.public_id),
        "photo_id": str(entry.photos.get().public_id),
        "share_id": str(made.public_id),
    }
