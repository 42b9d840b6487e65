"""The family record entries a person made, for their right-of-access zip: the family, the
entry's index, kind and time. What the entries say in full is in each family's record export."""

from __future__ import annotations

from coparent.accounts.models import User
from coparent.accounts.personal_data import Section, register_personal_data
from coparent.records.models import LogEntry


@register_personal_data("records")
def records_data(user: User) -> Section:
    return Section(
        {
            "entries_you_made": [
                {
                    "family": entry.family.name,
                    "index": entry.index,
                    "kind": entry.kind,
                    "at": entry.created_at,
                }
                for entry in LogEntry.objects.filter(actor=user)
                .select_related("family")
                .order_by("family_id", "index")
            ]
        }
    )
