"""What an export shows of children's-information entries: each version's content with its salt,
to the parents, and to a professional only a version whose every field was for everyone."""

from __future__ import annotations

import uuid

from coparent.childinfo import kinds
from coparent.childinfo.models import InfoVersion
from coparent.childinfo.services import version_content
from coparent.families.models import Role
from coparent.records.disclosure import Disclosure, register_disclosure
from coparent.records.models import LogEntry
from coparent.tlog import decode

PARENTS_ONLY = frozenset({Role.PARENT})
EVERYONE = frozenset({Role.PARENT, Role.PROFESSIONAL})


def _readers(version: InfoVersion) -> frozenset[str]:
    """Professionals read a version only when every field it holds was for everyone."""
    spec = kinds.KINDS[version.item.kind]
    levels = {
        spec.field_level(name, version.visibility, version.field_visibility)
        for name in version.values
    }
    return EVERYONE if levels <= {kinds.FAMILY} else PARENTS_ONLY


@register_disclosure("childinfo.added")
@register_disclosure("childinfo.changed")
@register_disclosure("childinfo.removed")
def _versions(entries: list[LogEntry]) -> dict[int, Disclosure]:
    wanted: dict[int, tuple[uuid.UUID, int]] = {}
    for entry in entries:
        fields = decode(bytes(entry.leaf)).fields
        try:
            wanted[entry.index] = (uuid.UUID(str(fields.get("item"))), int(str(fields["version"])))
        except (KeyError, TypeError, ValueError):
            continue
    versions = {
        (v.item.public_id, v.number): v
        for v in InfoVersion.objects.filter(
            family_id=entries[0].family_id,
            item__public_id__in={item for item, _n in wanted.values()},
        ).select_related("item")
    }
    found = {}
    for index, key in wanted.items():
        version = versions.get(key)
        if version is None:
            continue
        found[index] = Disclosure(
            content=version_content(version),
            salt=bytes(version.salt),
            roles=_readers(version),
        )
    return found
