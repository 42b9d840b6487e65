"""Builders for journal tests, through the real services."""

from __future__ import annotations

from coparent.families.models import Membership, Role
from coparent.journal import services
from coparent.journal.models import JournalEntry, JournalShare
from coparent.messaging.services import Upload
from tests.cast import Cast
from tests.messaging.helpers import png_bytes

SECRET = "Bob came two hours late again; Kit waited on the steps (zebra-umbrella-42)"


def write(cast: Cast, body: str = SECRET, *, photos: bool = False, user=None) -> JournalEntry:
    return services.entry_write(
        family=cast.family_a,
        actor=user or cast.alice,
        body=body,
        photos=[Upload("steps.png", png_bytes())] if photos else [],
    )


def mediator_membership(cast: Cast) -> Membership:
    return Membership.objects.get(family=cast.family_a, user=cast.mediator, role=Role.PROFESSIONAL)


def share(cast: Cast, entry: JournalEntry) -> JournalShare:
    return services.share_create(
        family=cast.family_a,
        actor=cast.alice,
        professional=mediator_membership(cast),
        entry=entry,
    )
