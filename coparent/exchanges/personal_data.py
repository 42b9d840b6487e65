"""The exchange check-ins a person made, for their right-of-access zip."""

from __future__ import annotations

from coparent.accounts.models import User
from coparent.accounts.personal_data import Section, register_personal_data
from coparent.exchanges.models import CheckIn


@register_personal_data("exchanges")
def exchanges_data(user: User) -> Section:
    return Section(
        {
            "your_check_ins": [
                {
                    "family": c.family.name,
                    "exchange": c.exchange_at,
                    "what": c.kind,
                    "at": c.at,
                    "place": c.place,
                }
                for c in CheckIn.objects.filter(member__user=user)
                .select_related("family")
                .order_by("at")
            ]
        }
    )
