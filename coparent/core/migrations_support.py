"""Data steps that several apps' migrations share. Kept small and stable: a migration that has
run must mean the same thing when it runs on a new database years later."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import OuterRef, Subquery


def link_families(
    app_label: str, links: Sequence[tuple[str, str, str]]
) -> Callable[[Any, Any], None]:
    """A RunPython step that gives each many-to-many row (`core.models.FamilyLink`) the family
    of the row it belongs to. `links`: (link model, owner model, the link's key to its owner),
    read from the migration's own historical models."""

    def fill(apps: Any, schema_editor: Any) -> None:
        for link_name, owner_name, owner_key in links:
            link = apps.get_model(app_label, link_name)
            owner = apps.get_model(app_label, owner_name)
            families = owner.objects.filter(pk=OuterRef(f"{owner_key}_id")).values("family_id")
            link.objects.update(family_id=Subquery(families[:1]))

    return fill
