"""Cross-cutting model pieces: random public ids and the family-owned base classes."""

from __future__ import annotations

import uuid

from django.db import models


def new_public_id() -> uuid.UUID:
    return uuid.uuid4()


class PublicIdMixin(models.Model):
    """A random, unguessable id for URLs and the API; the integer key never leaves the server."""

    public_id = models.UUIDField(default=new_public_id, unique=True, editable=False)

    class Meta:
        abstract = True


class FamilyOwned(PublicIdMixin):
    """Every table that holds a family's data carries the family key (and can be sharded by it).

    Fetch these only through `coparent.core.tenancy`, never with a bare `objects.get`.
    """

    family = models.ForeignKey("families.Family", on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class FamilyLink(models.Model):
    """A many-to-many row between a family's rows (an event and the children it is for): it
    carries the family key too, so that every table of a family's data can be sharded and
    erased by family. Set with the owner's family:
    `event.children.set(children, through_defaults={"family_id": event.family_id})`."""

    family = models.ForeignKey("families.Family", on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True
