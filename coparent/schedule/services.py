"""Writes for schedules: proposals and acceptance of schedule versions, swap requests, calendar
events and calendar feed links.

Each function takes the family and the acting user, checks the actor's rights and the domain's
rules, and changes nothing unless every rule holds (one transaction per action). Rows that two
people may act on at once are locked (`select_for_update`) and their status checked again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coparent.accounts.models import User
from coparent.core.errors import Conflict, ServiceError
from coparent.families.models import Child, Family, Membership, Role
from coparent.families.services import require_member, require_parent
from coparent.notifications.models import Kind
from coparent.notifications.selectors import parents_of
from coparent.notifications.services import Detail, Phrase, Text, notify
from coparent.records.services import family_lock, record_append
from coparent.safety import selectors as safety_selectors
from coparent.schedule.models import (
    Event,
    EventKind,
    FeedToken,
    Plan,
    ScheduleVersion,
    SwapRequest,
    SwapStatus,
    VersionStatus,
)
from coparent.schedule.specs import checked_plain_spec

MAX_SWAP_DAYS = 120
# How long the other parent has to answer a schedule proposal unless the proposer says otherwise.
PROPOSAL_RESPOND_DAYS = 14
MAX_PROPOSAL_RESPOND_DAYS = 90


def _aware(value: dt.datetime | None, field: str) -> dt.datetime:
    if value is None:
        raise ServiceError(_("Enter a date and time."), field=field)
    if timezone.is_naive(value):
        raise ServiceError(_("A time needs its time zone."), field=field)
    return value.astimezone(dt.UTC)


def _plan_for(family: Family, child: Child | None, *, create: bool) -> Plan | None:
    if child is not None and child.family_id != family.pk:
        raise ServiceError(_("That child is not in this family."), field="child")
    plan = Plan.objects.filter(family=family, child=child).first()
    if plan is not None or not create:
        return plan
    parents = list(
        Membership.objects.active().filter(family=family, role=Role.PARENT).order_by("created_at")
    )
    if len(parents) < 2:
        raise ServiceError(
            _("Invite the other parent first: a schedule is agreed between two parents.")
        )
    return Plan.objects.create(family=family, child=child, parent_a=parents[0], parent_b=parents[1])


def _plan_parent_id(plan: Plan, actor: User) -> str:
    if plan.parent_a.user_id == actor.pk:
        return "A"
    if plan.parent_b.user_id == actor.pk:
        return "B"
    raise ServiceError(_("Only the plan's two parents can do that."), code="forbidden")


def _iso(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).isoformat() if value else ""


def _record_version(kind: str, version: ScheduleVersion, actor: User | None) -> None:
    spec_text = json.dumps(version.spec, sort_keys=True, separators=(",", ":"))
    record_append(
        family=version.family,
        actor=actor,
        kind=kind,
        fields={
            "version": str(version.public_id),
            "plan": str(version.plan.public_id),
            "child": str(version.plan.child.public_id) if version.plan.child else "",
            "effective_at": _iso(version.effective_at),
            "spec_sha256": hashlib.sha256(spec_text.encode()).hexdigest(),
        },
    )


def _record_swap(kind: str, swap: SwapRequest, actor: User | None) -> None:
    record_append(
        family=swap.family,
        actor=actor,
        kind=kind,
        fields={
            "swap": str(swap.public_id),
            "plan": str(swap.plan.public_id),
            "start_at": _iso(swap.start_at),
            "end_at": _iso(swap.end_at),
            "offer_start_at": _iso(swap.offer_start_at),
            "offer_end_at": _iso(swap.offer_end_at),
            "respond_by": _iso(swap.respond_by),
            "counter_of": str(swap.counter_of.public_id) if swap.counter_of else "",
        },
    )


def _record_event(kind: str, event: Event, actor: User) -> None:
    record_append(
        family=event.family,
        actor=actor,
        kind=kind,
        fields={
            "event": str(event.public_id),
            "starts_at": _iso(event.starts_at),
            "ends_at": _iso(event.ends_at),
        },
    )


def _latest_agreed(plan: Plan) -> ScheduleVersion | None:
    return (
        ScheduleVersion.objects.filter(plan=plan, status=VersionStatus.ACCEPTED)
        # The first version has no start (it covers everything before the next); PostgreSQL
        # sorts NULL first in a descending order, SQLite last: say which.
        .order_by(F("effective_at").desc(nulls_last=True))
        .first()
    )


# ---- schedule versions ---------------------------------------------------------------------


@transaction.atomic
def schedule_propose(
    *,
    family: Family,
    actor: User,
    spec: Any,
    child: Child | None = None,
    effective_at: dt.datetime | None = None,
    note: str = "",
    respond_by: dt.datetime | None = None,
) -> ScheduleVersion:
    """A parent proposes a schedule (the first one, or a change from `effective_at` on). It takes
    effect only when the other parent accepts it by `respond_by` (14 days unless given); after
    that it expires. A newer proposal by the same parent replaces their own pending one."""
    require_parent(family, actor)
    checked = checked_plain_spec(spec)
    now = timezone.now()
    if respond_by is None:
        respond_by = now + dt.timedelta(days=PROPOSAL_RESPOND_DAYS)
    respond_by = _aware(respond_by, "respond_by")
    if respond_by <= now:
        raise ServiceError(_("The answer deadline must be in the future."), field="respond_by")
    if respond_by > now + dt.timedelta(days=MAX_PROPOSAL_RESPOND_DAYS):
        raise ServiceError(
            _("The answer deadline can be at most %(days)d days away.")
            % {"days": MAX_PROPOSAL_RESPOND_DAYS},
            field="respond_by",
        )
    # Two parents proposing a family's first schedule at once must not make two plans.
    family_lock(family)
    plan = _plan_for(family, child, create=True)
    assert plan is not None
    _plan_parent_id(plan, actor)
    Plan.objects.select_for_update(no_key=True).get(pk=plan.pk)
    latest = _latest_agreed(plan)
    if latest is not None:
        effective_at = _aware(effective_at, "effective_at")
        if effective_at <= timezone.now():
            raise ServiceError(
                _("A change starts in the future: the past schedule is never rewritten."),
                field="effective_at",
            )
        if latest.spec["timezone"] != checked["timezone"]:
            raise ServiceError(
                _(
                    "The governing time zone stays %(zone)s once a schedule is agreed; "
                    "each person still sees times in their own zone."
                )
                % {"zone": latest.spec["timezone"]},
                field="timezone",
            )
    elif effective_at is not None:
        effective_at = _aware(effective_at, "effective_at")
    for replaced in ScheduleVersion.objects.filter(
        plan=plan, proposed_by=actor, status=VersionStatus.PROPOSED
    ).select_for_update(no_key=True):
        replaced.status = VersionStatus.WITHDRAWN
        replaced.decided_at = timezone.now()
        replaced.decided_by = actor
        replaced.save(update_fields=["status", "decided_at", "decided_by"])
        _record_version("schedule.withdrawn", replaced, actor)
    version = ScheduleVersion.objects.create(
        family=family,
        plan=plan,
        spec=checked,
        effective_at=effective_at,
        note=note.strip()[:500],
        proposed_by=actor,
        proposed_at=now,
        respond_by=respond_by,
    )
    _record_version("schedule.proposed", version, actor)
    notify(
        family,
        parents_of(family),
        Kind.SCHEDULE_PROPOSAL,
        link=reverse("schedule:overview", args=[family.public_id]),
        detail=Detail(
            Phrase(
                gettext_lazy("%(name)s proposed a schedule; it takes effect when you accept it"),
                {"name": actor.display_name},
            ),
            note.strip()[:500],
        ),
        actor=actor,
    )
    return version


def _locked_version(family: Family, version: ScheduleVersion) -> ScheduleVersion:
    family_lock(family)
    Plan.objects.select_for_update(no_key=True).get(pk=version.plan_id, family=family)
    locked = ScheduleVersion.objects.select_for_update(no_key=True).get(
        pk=version.pk, family=family
    )
    if locked.status != VersionStatus.PROPOSED:
        raise Conflict(
            _("This proposal was already %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    if locked.respond_by is not None and locked.respond_by <= timezone.now():
        raise Conflict(_("This proposal expired: its answer deadline has passed."))
    return locked


@transaction.atomic
def schedule_accept(*, family: Family, actor: User, version: ScheduleVersion) -> ScheduleVersion:
    """The other parent agrees. A change whose start has passed while it waited starts now."""
    require_parent(family, actor)
    locked = _locked_version(family, version)
    _plan_parent_id(locked.plan, actor)
    if locked.proposed_by_id == actor.pk:
        raise ServiceError(_("The other parent accepts a proposal, not the one who made it."))
    now = timezone.now()
    latest = _latest_agreed(locked.plan)
    if latest is not None:
        if locked.effective_at is None:
            raise Conflict(
                _(
                    "A schedule was agreed meanwhile. Propose this one again as a change, "
                    "with the date it starts."
                )
            )
        if latest.effective_at and locked.effective_at <= latest.effective_at:
            raise Conflict(
                _("A later change was agreed meanwhile. Propose this one again with a later start.")
            )
        locked.effective_at = max(locked.effective_at, now)
    locked.status = VersionStatus.ACCEPTED
    locked.decided_by = actor
    locked.decided_at = now
    locked.save(update_fields=["status", "decided_by", "decided_at", "effective_at"])
    _record_version("schedule.accepted", locked, actor)
    notify(
        family,
        [locked.proposed_by],
        Kind.SCHEDULE_ANSWER,
        link=reverse("schedule:overview", args=[family.public_id]),
        detail=Detail(
            Phrase(
                gettext_lazy("%(name)s accepted your schedule proposal"),
                {"name": actor.display_name},
            )
        ),
        actor=actor,
    )
    return locked


@transaction.atomic
def schedule_decline(
    *, family: Family, actor: User, version: ScheduleVersion, note: str = ""
) -> ScheduleVersion:
    require_parent(family, actor)
    locked = _locked_version(family, version)
    _plan_parent_id(locked.plan, actor)
    if locked.proposed_by_id == actor.pk:
        raise ServiceError(_("Withdraw your own proposal instead."))
    locked.status = VersionStatus.DECLINED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    if note.strip():
        locked.note = (locked.note + "\n" if locked.note else "") + note.strip()[:300]
    locked.save(update_fields=["status", "decided_by", "decided_at", "note"])
    _record_version("schedule.declined", locked, actor)
    notify(
        family,
        [locked.proposed_by],
        Kind.SCHEDULE_ANSWER,
        link=reverse("schedule:overview", args=[family.public_id]),
        detail=Detail(
            Phrase(
                gettext_lazy("%(name)s declined your schedule proposal"),
                {"name": actor.display_name},
            )
        ),
        actor=actor,
    )
    return locked


@transaction.atomic
def schedule_withdraw(*, family: Family, actor: User, version: ScheduleVersion) -> ScheduleVersion:
    require_parent(family, actor)
    locked = _locked_version(family, version)
    if locked.proposed_by_id != actor.pk:
        raise ServiceError(_("Only the parent who proposed it can withdraw it."))
    locked.status = VersionStatus.WITHDRAWN
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    _record_version("schedule.withdrawn", locked, actor)
    return locked


# ---- deadlines ---------------------------------------------------------------------------------


def _tell_parents(plan: Plan, link: str, title: Text, body: Text) -> None:
    """Both parents hear of an expiry: nobody did it, so nobody is left out as the actor."""
    notify(
        plan.family,
        [m.user for m in (plan.parent_a, plan.parent_b) if m.is_active()],
        Kind.DEADLINE_EXPIRED,
        link=link,
        detail=Detail(title, body),
    )


@transaction.atomic
def _swap_expire(family: Family, pk: int, now: dt.datetime) -> bool:
    family_lock(family)
    swap = (
        SwapRequest.objects.select_for_update(no_key=True, of=("self",))
        .select_related("plan__parent_a__user", "plan__parent_b__user")
        .get(pk=pk, family=family)
    )
    if swap.status != SwapStatus.PENDING or swap.respond_by > now:
        return False  # answered or withdrawn meanwhile
    swap.status = SwapStatus.EXPIRED
    swap.decided_at = now
    swap.save(update_fields=["status", "decided_at"])
    _record_swap("swap.expired", swap, None)
    _tell_parents(
        swap.plan,
        reverse("schedule:swap_detail", args=[family.public_id, swap.public_id]),
        gettext_lazy("A swap request expired without an answer"),
        gettext_lazy("The agreed schedule stays as it was. To ask again, make a new request."),
    )
    return True


@transaction.atomic
def _version_expire(family: Family, pk: int, now: dt.datetime) -> bool:
    family_lock(family)
    Plan.objects.select_for_update(no_key=True).get(versions__pk=pk, family=family)
    version = (
        ScheduleVersion.objects.select_for_update(no_key=True, of=("self",))
        .select_related("plan__parent_a__user", "plan__parent_b__user")
        .get(pk=pk, family=family)
    )
    if (
        version.status != VersionStatus.PROPOSED
        or version.respond_by is None
        or version.respond_by > now
    ):
        return False
    version.status = VersionStatus.EXPIRED
    version.decided_at = now
    version.save(update_fields=["status", "decided_at"])
    _record_version("schedule.expired", version, None)
    _tell_parents(
        version.plan,
        reverse("schedule:overview", args=[family.public_id]) + f"#version-{version.pk}",
        gettext_lazy("A schedule proposal expired without an answer"),
        gettext_lazy(
            "The agreed schedule stays as it was. To propose it again, make a new proposal."
        ),
    )
    return True


def deadlines_expire(*, now: dt.datetime | None = None) -> int:
    """Expire every swap request and schedule proposal still unanswered at its deadline: the
    status is stored, the record says so (with no actor: nobody did it) and both parents get an
    email. Each one is its own transaction, under the family's lock, and checked again there, so
    an answer that lands first wins and two runs expire each once. The number expired; if one
    could not be expired the others still are, and the error is raised at the end so the worker
    tries again."""
    now = now or timezone.now()
    due: list[tuple[Any, Family, int]] = [
        (_swap_expire, swap.family, swap.pk)
        for swap in SwapRequest.objects.filter(
            status=SwapStatus.PENDING, respond_by__lte=now
        ).select_related("family")
    ]
    due += [
        (_version_expire, version.family, version.pk)
        for version in ScheduleVersion.objects.filter(
            status=VersionStatus.PROPOSED, respond_by__lte=now
        ).select_related("family")
    ]
    expired = 0
    failure: Exception | None = None
    for expire, family, pk in due:
        try:
            expired += expire(family, pk, now)
        except Exception as error:
            failure = failure or error
    if failure is not None:
        raise failure
    return expired


# ---- swaps ------------------------------------------------------------------------------------


def _check_period(
    start_at: dt.datetime, end_at: dt.datetime, start_field: str, end_field: str
) -> None:
    if end_at <= start_at:
        raise ServiceError(_("The end must be after the start."), field=end_field)
    if end_at - start_at > dt.timedelta(days=MAX_SWAP_DAYS):
        raise ServiceError(
            _("A swap covers at most %(days)d days; for longer, propose a schedule change.")
            % {"days": MAX_SWAP_DAYS},
            field=end_field,
        )
    if start_at <= timezone.now():
        raise ServiceError(_("A swap is for time still to come."), field=start_field)


@transaction.atomic
def swap_request(
    *,
    family: Family,
    actor: User,
    plan: Plan,
    start_at: dt.datetime | None,
    end_at: dt.datetime | None,
    respond_by: dt.datetime | None,
    reason: str = "",
    offer_start_at: dt.datetime | None = None,
    offer_end_at: dt.datetime | None = None,
    counter_of: SwapRequest | None = None,
) -> SwapRequest:
    """A parent asks for the children during a period, optionally giving other time back."""
    require_parent(family, actor)
    if plan.family_id != family.pk:
        raise ServiceError(_("That schedule is not in this family."), field="plan")
    _plan_parent_id(plan, actor)
    family_lock(family)  # before reading the agreed schedule the request rests on
    if _latest_agreed(plan) is None:
        raise ServiceError(_("Agree on a schedule first; a swap changes an agreed schedule."))
    start_at = _aware(start_at, "start_at")
    end_at = _aware(end_at, "end_at")
    _check_period(start_at, end_at, "start_at", "end_at")
    if (offer_start_at is None) != (offer_end_at is None):
        raise ServiceError(
            _("Give both the start and the end of the time you offer back, or neither."),
            field="offer_end_at",
        )
    if offer_start_at is not None and offer_end_at is not None:
        offer_start_at = _aware(offer_start_at, "offer_start_at")
        offer_end_at = _aware(offer_end_at, "offer_end_at")
        _check_period(offer_start_at, offer_end_at, "offer_start_at", "offer_end_at")
        if offer_start_at < end_at and start_at < offer_end_at:
            raise ServiceError(
                _("The time offered back cannot overlap the time asked for."),
                field="offer_start_at",
            )
    respond_by = _aware(respond_by, "respond_by")
    if respond_by <= timezone.now():
        raise ServiceError(_("The answer deadline must be in the future."), field="respond_by")
    first_start = min(start_at, offer_start_at or start_at)
    if respond_by > first_start:
        raise ServiceError(
            _("The answer deadline must come before the swap starts."), field="respond_by"
        )
    swap = SwapRequest.objects.create(
        family=family,
        plan=plan,
        requested_by=actor,
        start_at=start_at,
        end_at=end_at,
        offer_start_at=offer_start_at,
        offer_end_at=offer_end_at,
        reason=reason.strip()[:1000],
        respond_by=respond_by,
        counter_of=counter_of,
    )
    _record_swap("swap.countered" if counter_of else "swap.requested", swap, actor)
    notify(
        family,
        parents_of(family),
        Kind.SWAP_REQUEST,
        link=reverse("schedule:swap_detail", args=[family.public_id, swap.public_id]),
        detail=Detail(
            Phrase(
                gettext_lazy("%(name)s answered your swap request with one of their own")
                if counter_of
                else gettext_lazy("%(name)s asked for a swap; please answer"),
                {"name": actor.display_name},
            ),
            swap.reason,
        ),
        actor=actor,
    )
    return swap


def _locked_pending_swap(family: Family, swap: SwapRequest) -> SwapRequest:
    family_lock(family)
    locked = (
        SwapRequest.objects.select_for_update(no_key=True)
        .select_related("plan__parent_a", "plan__parent_b")
        .get(pk=swap.pk, family=family)
    )
    status = locked.current_status()
    if status == SwapStatus.EXPIRED:
        raise Conflict(_("This request expired: its answer deadline has passed."))
    if status != SwapStatus.PENDING:
        raise Conflict(
            _("This request is no longer open (%(status)s).") % {"status": locked.status_label}
        )
    return locked


def _answer(family: Family, actor: User, swap: SwapRequest) -> SwapRequest:
    require_parent(family, actor)
    locked = _locked_pending_swap(family, swap)
    _plan_parent_id(locked.plan, actor)
    if locked.requested_by_id == actor.pk:
        raise ServiceError(_("The other parent answers this request."), code="forbidden")
    return locked


def _decide(
    family: Family, actor: User, swap: SwapRequest, status: str, kind: str, response: str
) -> SwapRequest:
    locked = _answer(family, actor, swap)
    locked.status = status
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.response = response.strip()[:1000]
    locked.save(update_fields=["status", "decided_by", "decided_at", "response"])
    _record_swap(kind, locked, actor)
    notify(
        family,
        [locked.requested_by],
        Kind.SWAP_ANSWER,
        link=reverse("schedule:swap_detail", args=[family.public_id, locked.public_id]),
        detail=Detail(
            Phrase(
                gettext_lazy("%(name)s accepted your swap request")
                if status == SwapStatus.ACCEPTED
                else gettext_lazy("%(name)s declined your swap request"),
                {"name": actor.display_name},
            ),
            locked.response,
        ),
        actor=actor,
    )
    return locked


@transaction.atomic
def swap_accept(
    *, family: Family, actor: User, swap: SwapRequest, response: str = ""
) -> SwapRequest:
    """Accepted, the swap overrides the schedule (source "swap:<id>")."""
    return _decide(family, actor, swap, SwapStatus.ACCEPTED, "swap.accepted", response)


@transaction.atomic
def swap_decline(
    *, family: Family, actor: User, swap: SwapRequest, response: str = ""
) -> SwapRequest:
    return _decide(family, actor, swap, SwapStatus.DECLINED, "swap.declined", response)


@transaction.atomic
def swap_counter(
    *,
    family: Family,
    actor: User,
    swap: SwapRequest,
    start_at: dt.datetime | None,
    end_at: dt.datetime | None,
    respond_by: dt.datetime | None,
    reason: str = "",
    offer_start_at: dt.datetime | None = None,
    offer_end_at: dt.datetime | None = None,
) -> SwapRequest:
    """The other parent answers with a request of their own, linked to the first one."""
    locked = _answer(family, actor, swap)
    counter = swap_request(
        family=family,
        actor=actor,
        plan=locked.plan,
        start_at=start_at,
        end_at=end_at,
        respond_by=respond_by,
        reason=reason,
        offer_start_at=offer_start_at,
        offer_end_at=offer_end_at,
        counter_of=locked,
    )
    locked.status = SwapStatus.COUNTERED
    locked.decided_by = actor
    locked.decided_at = counter.requested_at
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    return counter


@transaction.atomic
def swap_agreed(
    *,
    family: Family,
    actor: User,
    plan: Plan,
    given_by: User,
    start_at: dt.datetime,
    end_at: dt.datetime,
    reason: str = "",
) -> SwapRequest:
    """A swap both parents agreed elsewhere, stored accepted at once: `given_by` offered the
    time (a time-away offer under the plan's right of first refusal) and `actor`, the other
    parent, took it. The caller has checked the offer and notifies; the record says it here."""
    require_parent(family, actor)
    family_lock(family)
    if plan.family_id != family.pk:
        raise ServiceError(_("That schedule is not in this family."), field="plan")
    _plan_parent_id(plan, actor)
    _plan_parent_id(plan, given_by)
    if given_by.pk == actor.pk:
        raise ServiceError(_("The other parent answers this request."), code="forbidden")
    if _latest_agreed(plan) is None:
        raise ServiceError(_("Agree on a schedule first; a swap changes an agreed schedule."))
    start_at = _aware(start_at, "start_at")
    end_at = _aware(end_at, "end_at")
    _check_period(start_at, end_at, "start_at", "end_at")
    now = timezone.now()
    swap = SwapRequest.objects.create(
        family=family,
        plan=plan,
        requested_by=actor,
        start_at=start_at,
        end_at=end_at,
        reason=reason.strip()[:1000],
        respond_by=now,
        requested_at=now,
        status=SwapStatus.ACCEPTED,
        decided_by=given_by,
        decided_at=now,
    )
    _record_swap("swap.accepted", swap, actor)
    return swap


@transaction.atomic
def swap_withdraw(*, family: Family, actor: User, swap: SwapRequest) -> SwapRequest:
    require_parent(family, actor)
    locked = _locked_pending_swap(family, swap)
    if locked.requested_by_id != actor.pk:
        raise ServiceError(_("Only the parent who asked can withdraw it."), code="forbidden")
    locked.status = SwapStatus.WITHDRAWN
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    _record_swap("swap.withdrawn", locked, actor)
    return locked


# ---- events -----------------------------------------------------------------------------------


def _event_fields(
    family: Family,
    *,
    title: str,
    kind: str,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    place: str,
    children: Iterable[Child],
    attendees: Iterable[Membership],
) -> tuple[dict[str, Any], list[Child], list[Membership]]:
    title = title.strip()
    if not title:
        raise ServiceError(_("Say what the event is, e.g. “School play”."), field="title")
    if kind not in EventKind.values:
        raise ServiceError(_("Choose the kind of event."), field="kind")
    starts_at = _aware(starts_at, "starts_at")
    ends_at = (
        _aware(ends_at, "ends_at") if ends_at is not None else starts_at + dt.timedelta(hours=1)
    )
    if ends_at <= starts_at:
        raise ServiceError(_("The end must be after the start."), field="ends_at")
    if ends_at - starts_at > dt.timedelta(days=31):
        raise ServiceError(_("An event lasts at most 31 days."), field="ends_at")
    child_list = list(children)
    member_list = list(attendees)
    if any(c.family_id != family.pk for c in child_list):
        raise ServiceError(_("That child is not in this family."), field="children")
    active = set(Membership.objects.active().filter(family=family).values_list("pk", flat=True))
    if any(m.pk not in active for m in member_list):
        raise ServiceError(_("Only people in this family can attend."), field="attendees")
    fields = {
        "title": title[:120],
        "kind": kind,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": place.strip()[:200],
    }
    return fields, child_list, member_list


@transaction.atomic
def event_create(
    *,
    family: Family,
    actor: User,
    title: str,
    kind: str,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None = None,
    place: str = "",
    place_is_home: bool = False,
    notes: str = "",
    children: Iterable[Child] = (),
    attendees: Iterable[Membership] = (),
) -> Event:
    require_parent(family, actor)
    fields, child_list, member_list = _event_fields(
        family,
        title=title,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        children=children,
        attendees=attendees,
    )
    event = Event.objects.create(
        family=family,
        created_by=actor,
        place_is_home=place_is_home,
        place_confidential=safety_selectors.places_confidential(family.pk, actor.pk),
        notes=notes.strip()[:1000],
        **fields,
    )
    event.children.set(child_list, through_defaults={"family_id": event.family_id})
    event.attendees.set(member_list, through_defaults={"family_id": event.family_id})
    _record_event("event.created", event, actor)
    return event


@transaction.atomic
def event_update(
    *,
    family: Family,
    actor: User,
    event: Event,
    title: str,
    kind: str,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None = None,
    place: str = "",
    place_is_home: bool = False,
    notes: str = "",
    children: Iterable[Child] = (),
    attendees: Iterable[Membership] = (),
) -> Event:
    require_parent(family, actor)
    if event.family_id != family.pk:
        raise ServiceError(_("That event is not in this family."))
    family_lock(family)
    fields, child_list, member_list = _event_fields(
        family,
        title=title,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        children=children,
        attendees=attendees,
    )
    if event.place_confidential and event.created_by_id != actor.pk:
        raise ServiceError(
            _("Only the person who added this event can change it: its place is confidential."),
            code="forbidden",
        )
    old_place = event.place
    for name, value in fields.items():
        setattr(event, name, value)
    event.place_is_home = place_is_home
    if event.place != old_place:
        event.place_confidential = safety_selectors.places_confidential(family.pk, actor.pk)
    event.notes = notes.strip()[:1000]
    event.updated_at = timezone.now()
    event.save()
    event.children.set(child_list, through_defaults={"family_id": event.family_id})
    event.attendees.set(member_list, through_defaults={"family_id": event.family_id})
    _record_event("event.updated", event, actor)
    return event


@transaction.atomic
def event_delete(*, family: Family, actor: User, event: Event) -> None:
    require_parent(family, actor)
    if event.family_id != family.pk:
        raise ServiceError(_("That event is not in this family."))
    family_lock(family)
    _record_event("event.deleted", event, actor)
    event.delete()


# ---- calendar feeds ---------------------------------------------------------------------------


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def feed_token_regenerate(*, family: Family, actor: User) -> str:
    """A new private feed link for the actor (any member); the old one stops working. Returns
    the secret token, shown once."""
    require_member(family, actor)
    family_lock(family)
    FeedToken.objects.filter(family=family, user=actor, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token = secrets.token_urlsafe(32)
    FeedToken.objects.create(family=family, user=actor, token_hash=feed_token_hash(token))
    record_append(family=family, actor=actor, kind="calendar_feed.created", fields={})
    return token


@transaction.atomic
def feed_token_revoke(*, family: Family, actor: User) -> int:
    """Stops the actor's feed link; returns how many links were stopped."""
    require_member(family, actor)
    family_lock(family)
    stopped = FeedToken.objects.filter(family=family, user=actor, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if stopped:
        record_append(family=family, actor=actor, kind="calendar_feed.revoked", fields={})
    return stopped
