"""What a member's data copy holds of safety: their contact details per family, their
protective orders, and the messages they wrote for a moderator (their own words)."""

from __future__ import annotations

from coparent.accounts.models import User
from coparent.accounts.personal_data import Section, register_personal_data
from coparent.safety.models import ContactDetails, HeldMessage, ProtectiveOrder


@register_personal_data("safety")
def _safety(user: User) -> Section:
    return Section(
        {
            "contact_details": [
                {
                    "family": d.family.public_id,
                    "phone": d.phone,
                    "address": d.address,
                    "confidential": d.confidential,
                }
                for d in ContactDetails.objects.filter(membership__user=user).select_related(
                    "family"
                )
            ],
            "protective_orders": [
                {
                    "family": o.family.public_id,
                    "reference": o.reference,
                    "started": o.started_at,
                    "ended": o.ended_at,
                }
                for o in ProtectiveOrder.objects.filter(protected__user=user).select_related(
                    "family"
                )
            ],
            "messages_for_the_moderator": [
                {
                    "family": h.family.public_id,
                    "written": h.created_at,
                    "text": h.body,
                    "status": h.status,
                    "reason": h.reason,
                }
                for h in HeldMessage.objects.filter(sender=user).select_related("family")
            ],
        }
    )
