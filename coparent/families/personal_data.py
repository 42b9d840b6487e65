"""What the families app holds about a person, for their right-of-access zip."""

from __future__ import annotations

from coparent.accounts.models import User
from coparent.accounts.personal_data import Section, register_personal_data
from coparent.families.models import AccessLogEntry, AccessRequest, Invitation, Membership


@register_personal_data("families")
def families_data(user: User) -> Section:
    memberships = Membership.objects.filter(user=user).select_related("family", "child")
    return Section(
        {
            "memberships": [
                {
                    "family": m.family.name,
                    "family_id": m.family.public_id,
                    "role": m.role,
                    "as": m.role_label,
                    "joined": m.created_at,
                    "access_until": m.access_until,
                    "ended": m.revoked_at,
                }
                for m in memberships
            ],
            "invitations_sent": [
                {
                    "family": i.family.name,
                    "to": i.email,
                    "role": i.role,
                    "created": i.created_at,
                    "status": i.status,
                }
                for i in Invitation.objects.filter(invited_by=user).select_related("family")
            ],
            "access_requests_made": [
                {
                    "to": r.email,
                    "as": r.get_professional_kind_display(),
                    "days": r.access_days,
                    "note": r.note,
                    "status": r.status,
                    "created": r.created_at,
                }
                for r in AccessRequest.objects.filter(requester=user)
            ],
            # A professional's own visits, as the parents see them in the access log.
            "pages_opened_as_a_professional": [
                {"family": e.family.name, "at": e.at, "method": e.method, "path": e.path}
                for e in AccessLogEntry.objects.filter(user=user).select_related("family")
            ],
        }
    )
