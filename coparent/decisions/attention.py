"""Decisions waiting for this parent's answer, for "Needs you" on home and the nav badge."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from coparent.attention.registry import Item, Provider, Viewer, register
from coparent.decisions.models import Proposal, ProposalStatus
from coparent.families.models import Role


@register
class DecisionProvider(Provider):
    """Pending proposals the other parent made (first versions and counter-proposals). One past
    its respond-by time can no longer be answered and is left out."""

    kind = "decision"
    roles = frozenset({Role.PARENT})

    def _pending(self, viewer: Viewer) -> QuerySet[Proposal]:
        return Proposal.objects.filter(
            family=viewer.family, status=ProposalStatus.PENDING, respond_by__gt=viewer.now
        ).exclude(proposed_by=viewer.user)

    def items(self, viewer: Viewer) -> list[Item]:
        result = []
        for proposal in self._pending(viewer).select_related("proposed_by", "decision"):
            who = proposal.proposed_by.display_name
            title = (
                _("%(name)s answered with a counter-proposal: %(title)s")
                if proposal.counter_of_id
                else _("%(name)s proposes a decision: %(title)s")
            ) % {"name": who, "title": proposal.title}
            detail = _("Answer by %(deadline)s.") % {"deadline": viewer.when(proposal.respond_by)}
            link = reverse(
                "decisions:detail", args=[viewer.family.public_id, proposal.decision.public_id]
            )
            result.append(Item(self.kind, title, detail, link, deadline=proposal.respond_by))
        return result

    def badge(self, viewer: Viewer) -> QuerySet[Proposal]:
        return self._pending(viewer)
