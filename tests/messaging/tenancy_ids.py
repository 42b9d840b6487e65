"""Real family-A ids for the messaging routes, for the tenancy walk (tests/test_tenancy.py)."""

from __future__ import annotations

import tempfile

from django.test import override_settings

from coparent.messaging import services
from coparent.messaging.models import Attachment
from tests.cast import Cast
from tests.messaging.helpers import open_thread, png_bytes


def ids(cast: Cast) -> dict[str, str]:
    with (
        tempfile.TemporaryDirectory() as folder,
        override_settings(MESSAGING_ATTACHMENT_DIR=folder),
    ):
        thread = open_thread(cast)
        message = services.message_send(
            family=cast.family_a,
            actor=cast.alice,
            thread=thread,
            body="A photo of the timetable",
            uploads=[services.Upload("timetable.png", png_bytes())],
        )
    attachment = Attachment.objects.get(message=message)
    return {
        "thread_id": str(thread.public_id),
        "message_id": str(message.public_id),
        "attachment_id": str(attachment.public_id),
    }
