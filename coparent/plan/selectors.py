"""Reads for the parenting plan: the provisions in force (agreements of the decisions app whose
subject is "plan.<kind>"), each provision's history, and time-away offers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from coparent.decisions.models import Agreement, Decision, DecisionStatus, Proposal
from coparent.exchanges.models import ExchangeTerms, TermsStatus
from coparent.families.models import Family, Membership, Role
from coparent.plan.models import OfferStatus, TimeAway
from coparent.plan.provisions import KINDS, ORDER, Provision, ProvisionError, parse

PREFIX = "plan."


def subject_of(kind: str) -> str:
    return PREFIX + kind


def _visible(agreements: QuerySet[Agreement], membership: Membership | None) -> QuerySet[Agreement]:
    # Like agreements: caregivers and children see only what a parent shared with them.
    if membership is None or membership.role in (Role.PARENT, Role.PROFESSIONAL):
        return agreements
    if membership.role == Role.CAREGIVER:
        return agreements.filter(shared_with_caregivers=True)
    if membership.role == Role.CHILD:
        return agreements.filter(shared_with_children=True)
    return agreements.none()


def sees_history(membership: Membership | None) -> bool:
    """Parents and professionals see proposals and their history; others only what is shared."""
    return membership is None or membership.role in (Role.PARENT, Role.PROFESSIONAL)


@dataclass
class InForce:
    kind: str
    provision: Provision
    agreement: Agreement


def _parsed(kind: str, payload: object) -> Provision | None:
    try:
        return parse(kind, payload)
    except ProvisionError:
        return None  # a payload from an older schema: shown as its outcome only


def provisions_in_force(family: Family, membership: Membership | None) -> dict[str, InForce]:
    """kind -> the agreement in force about it (the latest agreed, not superseded). One query."""
    rows = _visible(
        Agreement.objects.filter(
            family=family,
            superseded_by__isnull=True,
            decision__subject__startswith=PREFIX,
        ),
        membership,
    ).select_related("decision", "proposal", "proposed_by", "accepted_by")
    found: dict[str, InForce] = {}
    for agreement in rows.order_by("agreed_at", "pk"):
        kind = agreement.decision.subject.removeprefix(PREFIX)
        provision = _parsed(kind, agreement.proposal.payload) if kind in KINDS else None
        if provision is not None:
            found[kind] = InForce(kind, provision, agreement)
    return found


def provision_in_force(family: Family, kind: str) -> InForce | None:
    return provisions_in_force(family, None).get(kind)


@dataclass
class Section:
    kind: str
    title: str
    in_force: InForce | None
    decisions: list[Decision] = field(default_factory=list)  # newest first, with proposals

    @property
    def open_decision(self) -> Decision | None:
        return next((d for d in self.decisions if d.status == DecisionStatus.OPEN), None)

    @property
    def pending(self) -> Proposal | None:
        decision = self.open_decision
        if decision is None:
            return None
        proposals = list(decision.proposals.all())
        return proposals[-1] if proposals else None


def plan_sections(family: Family, membership: Membership | None) -> list[Section]:
    """Every kind of provision, in the plan's order, with what is in force and (for parents and
    professionals) every decision about it. A fixed number of queries."""
    in_force = provisions_in_force(family, membership)
    by_kind: dict[str, list[Decision]] = {kind: [] for kind in ORDER}
    if sees_history(membership):
        decisions = (
            Decision.objects.filter(family=family, subject__startswith=PREFIX)
            .select_related("agreement", "agreement__accepted_by", "agreement__superseded_by")
            .prefetch_related(
                Prefetch(
                    "proposals",
                    queryset=Proposal.objects.select_related("proposed_by", "answered_by"),
                )
            )
            .order_by("-created_at", "-pk")
        )
        for decision in decisions:
            kind = decision.subject.removeprefix(PREFIX)
            if kind in by_kind:
                by_kind[kind].append(decision)
    return [
        Section(kind, str(KINDS[kind].title), in_force.get(kind), by_kind[kind]) for kind in ORDER
    ]


def exchange_terms_in_force(family: Family) -> list[ExchangeTerms]:
    """The agreed exchange terms of each schedule (the latest agreed per schedule)."""
    terms = (
        ExchangeTerms.objects.filter(family=family, status=TermsStatus.ACCEPTED)
        .select_related("plan", "plan__child")
        .order_by("plan_id", "-decided_at", "-pk")
    )
    latest: dict[int, ExchangeTerms] = {}
    for row in terms:
        latest.setdefault(row.plan_id, row)
    return list(latest.values())


def time_away_list(family: Family) -> QuerySet[TimeAway]:
    return TimeAway.objects.filter(family=family).select_related(
        "parent", "answered_by", "plan", "plan__child", "swap"
    )


def time_away_waiting_for(family: Family, membership: Membership) -> QuerySet[TimeAway]:
    """Offers still open that this parent may answer (made by the other parent)."""
    if membership.role != Role.PARENT:
        return TimeAway.objects.none()
    return TimeAway.objects.filter(
        Q(plan__parent_a__user_id=membership.user_id)
        | Q(plan__parent_b__user_id=membership.user_id),
        family=family,
        status=OfferStatus.OFFERED,
        respond_by__gt=timezone.now(),
    ).exclude(parent_id=membership.user_id)


def time_away_upcoming(family: Family, now: dt.datetime | None = None) -> QuerySet[TimeAway]:
    return time_away_list(family).filter(ends_at__gt=now or timezone.now())
