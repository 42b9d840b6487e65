"""Reads for decisions and agreements. Who sees what: parents and professionals read every
decision and agreement; caregivers and children see no decision, and an agreement only once a
parent has shared it with them."""

from __future__ import annotations

from django.db.models import Count, F, Prefetch, QuerySet

from coparent.decisions.models import Agreement, Comment, Decision, DecisionStatus, Proposal
from coparent.families.models import Child, Family, Membership, Role

DECISION_READERS = frozenset({Role.PARENT, Role.PROFESSIONAL})
STATUS_FILTERS = ("open", "agreed", "declined", "expired", "withdrawn")


def _with_versions(queryset: QuerySet[Decision]) -> QuerySet[Decision]:
    return queryset.select_related("created_by").prefetch_related(
        Prefetch("children", queryset=Child.objects.order_by("date_of_birth", "first_name")),
        Prefetch(
            "proposals",
            queryset=Proposal.objects.select_related("proposed_by", "answered_by").order_by(
                "number"
            ),
        ),
    )


def decision_list(family: Family, *, status: str | None = None) -> list[Decision]:
    """The family's decisions, newest activity first, each with its versions and children."""
    queryset = Decision.objects.filter(family=family)
    if status in DecisionStatus.values:
        queryset = queryset.filter(status=status)
    return list(_with_versions(queryset))


def decision_counts(family: Family) -> dict[str, int]:
    rows = Decision.objects.filter(family=family).values("status").annotate(n=Count("pk"))
    counts = dict.fromkeys(DecisionStatus.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def decision_get(family: Family, decision: Decision) -> Decision:
    """One decision with its versions, comments and agreement, ready for its page."""
    return (
        _with_versions(Decision.objects.filter(family=family, pk=decision.pk))
        .prefetch_related(
            Prefetch("comments", queryset=Comment.objects.select_related("author")),
        )
        .select_related("supersedes__decision")
        .get()
    )


def decision_agreement(decision: Decision) -> Agreement | None:
    return (
        Agreement.objects.filter(decision=decision)
        .select_related("accepted_by", "proposed_by", "superseded_by__decision")
        .first()
    )


def current_proposal(decision: Decision) -> Proposal:
    """The newest version (uses the prefetched proposals)."""
    return list(decision.proposals.all())[-1]


def agreements_visible(family: Family, membership: Membership) -> QuerySet[Agreement]:
    queryset = Agreement.objects.filter(family=family)
    if membership.role in DECISION_READERS:
        return queryset
    if membership.role == Role.CAREGIVER:
        return queryset.filter(shared_with_caregivers=True)
    if membership.role == Role.CHILD:
        return queryset.filter(shared_with_children=True)
    return queryset.none()


def _agreements(queryset: QuerySet[Agreement]) -> QuerySet[Agreement]:
    return queryset.select_related(
        "proposal", "decision", "proposed_by", "accepted_by", "superseded_by"
    ).prefetch_related(
        Prefetch("decision__children", queryset=Child.objects.order_by("date_of_birth"))
    )


def agreement_get(family: Family, membership: Membership, pk: int) -> Agreement:
    return _agreements(agreements_visible(family, membership)).get(pk=pk)


def agreement_list(
    family: Family, membership: Membership, *, include_superseded: bool = True
) -> list[Agreement]:
    """The agreements this member may read, in force first, then superseded ones, newest first;
    each with both acceptances and the decision it ends."""
    queryset = agreements_visible(family, membership)
    if not include_superseded:
        queryset = queryset.filter(superseded_by__isnull=True)
    return list(
        queryset.select_related(
            "proposal",
            "decision",
            "proposed_by",
            "accepted_by",
            "superseded_by",
        )
        .prefetch_related(
            Prefetch("decision__children", queryset=Child.objects.order_by("date_of_birth"))
        )
        .order_by(F("superseded_at").desc(nulls_first=True), "-agreed_at", "-pk")
    )


def agreement_in_force(family: Family, subject: str, subject_key: str) -> Agreement | None:
    """The agreement in force about one matter (for subjects with keys, like plan provisions)."""
    return (
        Agreement.objects.filter(
            family=family,
            decision__subject=subject,
            decision__subject_key=subject_key,
            superseded_by__isnull=True,
        )
        .select_related("proposal", "decision")
        .order_by("-agreed_at", "-pk")
        .first()
    )
