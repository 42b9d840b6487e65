"""Reads for passes: a family's passes and places, a gate's expected pickups today."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from coparent.families.models import Family, Membership, Role
from coparent.passes import tokens
from coparent.passes.models import Gate, PassCheck, PickupPass


def pass_list(family: Family) -> QuerySet[PickupPass]:
    return (
        PickupPass.objects.filter(family=family)
        .select_related("issued_by__user", "cosigned_by__user", "gate")
        .prefetch_related("children")
    )


def gate_list(family: Family) -> QuerySet[Gate]:
    return Gate.objects.filter(family=family, revoked_at__isnull=True)


def check_list(pickup_pass: PickupPass) -> QuerySet[PassCheck]:
    return PassCheck.objects.filter(
        family=pickup_pass.family, pickup_pass=pickup_pass
    ).select_related("gate")[:50]


def status(pickup_pass: PickupPass, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    if pickup_pass.revoked_at:
        return "revoked"
    if pickup_pass.awaiting_cosign:
        return "awaiting"
    if now < pickup_pass.starts_at:
        return "upcoming"
    if now >= pickup_pass.ends_at:
        return "expired"
    return "active"


def token_for(pickup_pass: PickupPass) -> str:
    return tokens.make_token(pickup_pass.public_id, pickup_pass.starts_at, pickup_pass.ends_at)


def code_for(pickup_pass: PickupPass) -> str:
    return tokens.make_code(pickup_pass.public_id)


def family_zone(family: Family) -> zoneinfo.ZoneInfo:
    """The zone a pass's times are shown in to gate staff: the agreed schedule's, else the first
    parent's own."""
    from coparent.schedule import selectors as schedule

    for plan in schedule.plan_list(family):
        spec = schedule.current_spec(plan)
        if spec and spec.get("timezone"):
            return zoneinfo.ZoneInfo(spec["timezone"])
    parent = (
        Membership.objects.active()
        .filter(family=family, role=Role.PARENT)
        .select_related("user")
        .first()
    )
    return zoneinfo.ZoneInfo(parent.user.timezone if parent else "UTC")


def gate_by_token_hash(token_hash: str) -> Gate | None:
    return (
        Gate.objects.select_related("family")
        .filter(token_hash=token_hash, revoked_at__isnull=True)
        .first()
    )


def expected_today(gate: Gate, now: dt.datetime | None = None) -> list[PickupPass]:
    """Passes for this place that are valid at some time today, in the family's zone."""
    now = now or timezone.now()
    zone = family_zone(gate.family)
    today = now.astimezone(zone).date()
    start = dt.datetime.combine(today, dt.time(0), tzinfo=zone)
    end = start + dt.timedelta(days=1)
    return list(
        PickupPass.objects.filter(
            gate=gate, revoked_at__isnull=True, starts_at__lt=end, ends_at__gt=start
        )
        .filter(Q(needs_cosign=False) | Q(cosigned_at__isnull=False))
        .prefetch_related("children")
        .order_by("starts_at")
    )


def held_pass_list(family: Family, holder: Membership) -> list[PickupPass]:
    """The passes naming this caregiver that can still be shown: not revoked, not over; the
    soonest first."""
    return list(
        pass_list(family)
        .filter(holder=holder, revoked_at__isnull=True, ends_at__gt=timezone.now())
        .order_by("starts_at")
    )


def gate_link_token(gate: Gate) -> str | None:
    """The token of the place's staff link, or None for a link made before links were derived
    (it can be replaced, not shown)."""
    return tokens.gate_token(gate.link_key) if gate.link_key else None
