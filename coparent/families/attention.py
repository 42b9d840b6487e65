"""A professional's request for access filed under the family and waiting for this parent's
answer (the "both parents" rule, after the other parent approved): on Home and in the badge."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from coparent.attention.registry import Item, Provider, Viewer, register
from coparent.families.models import (
    AccessRequest,
    AccessRequestApproval,
    AccessRequestStatus,
    Role,
)


@register
class AccessRequestProvider(Provider):
    kind = "access_request"
    roles = frozenset({Role.PARENT})

    def _pending(self, viewer: Viewer) -> QuerySet[AccessRequest]:
        mine = AccessRequestApproval.objects.filter(request=OuterRef("pk"), user=viewer.user)
        return AccessRequest.objects.filter(
            family=viewer.family,
            status=AccessRequestStatus.PENDING,
            expires_at__gt=viewer.now,
        ).exclude(Exists(mine))

    def items(self, viewer: Viewer) -> list[Item]:
        result = []
        for found in self._pending(viewer).select_related("requester"):
            title = _("%(name)s asks for read-only access") % {"name": found.requester.display_name}
            detail = _("As %(kind)s, for %(days)d days. Answer by %(deadline)s.") % {
                "kind": found.get_professional_kind_display(),
                "days": found.access_days,
                "deadline": viewer.when(found.expires_at),
            }
            link = reverse(
                "families:access_request_review", args=[viewer.family.public_id, found.public_id]
            )
            result.append(Item(self.kind, title, detail, link, deadline=found.expires_at))
        return result

    def badge(self, viewer: Viewer) -> QuerySet[AccessRequest]:
        return self._pending(viewer)
