"""Time away offered to this parent first (right of first refusal), for "Needs you" on home and
the nav badge."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from coparent.attention.registry import Item, Provider, Viewer, register
from coparent.families.models import Role
from coparent.plan.models import OfferStatus, TimeAway


@register
class TimeAwayProvider(Provider):
    """Open offers the other parent made on a schedule this parent shares; one past its answer
    deadline can no longer be taken and is left out."""

    kind = "time_away"
    roles = frozenset({Role.PARENT})

    def _waiting(self, viewer: Viewer) -> QuerySet[TimeAway]:
        me = viewer.membership.pk
        return (
            TimeAway.objects.filter(
                family=viewer.family, status=OfferStatus.OFFERED, respond_by__gt=viewer.now
            )
            .filter(Q(plan__parent_a_id=me) | Q(plan__parent_b_id=me))
            .exclude(parent=viewer.user)
        )

    def items(self, viewer: Viewer) -> list[Item]:
        result = []
        for away in self._waiting(viewer).select_related("parent").order_by("respond_by"):
            title = _(
                "%(name)s will be away %(from)s to %(until)s and offers you the time first"
            ) % {
                "name": away.parent.display_name,
                "from": viewer.when(away.starts_at),
                "until": viewer.when(away.ends_at),
            }
            detail = _("Answer by %(deadline)s.") % {"deadline": viewer.when(away.respond_by)}
            link = reverse("plan:time_away", args=[viewer.family.public_id, away.public_id])
            result.append(Item(self.kind, title, detail, link, deadline=away.respond_by))
        return result

    def badge(self, viewer: Viewer) -> QuerySet[TimeAway]:
        return self._waiting(viewer)
