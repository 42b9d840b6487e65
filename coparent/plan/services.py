"""Writes for the parenting plan.

A provision is agreed like a decision: `provision_propose` checks the terms against the family
(named parents must be its parents) and hands them to `decisions.services.decision_propose` with
the subject "plan.<kind>", superseding the provision in force; answers (accept, decline,
counter-propose) are the decisions app's own services. Time away under the right of first
refusal is this app's: the offer, its answer, and on acceptance an agreed swap of the schedule
(`schedule.services.swap_agreed`), so calendars and counts show who has the children.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coparent.accounts.models import User
from coparent.core.errors import Conflict, ServiceError
from coparent.decisions.models import Decision, DecisionStatus, NoAnswer, Proposal
from coparent.decisions.services import decision_counter, decision_propose
from coparent.families.models import Family, Membership, Role
from coparent.families.services import require_parent
from coparent.notifications.models import Kind
from coparent.notifications.services import Detail, Phrase, notify
from coparent.plan.models import OfferStatus, TimeAway
from coparent.plan.provisions import JOINT, KINDS, Provision, ProvisionError, dump, parse
from coparent.plan.selectors import PREFIX, provision_in_force, subject_of
from coparent.records.services import family_lock, record_append
from coparent.schedule.models import Plan
from coparent.schedule.selectors import plan_schedule
from coparent.schedule.services import swap_agreed
from coparent.tlog import content_hash, new_salt

MAX_AWAY_DAYS = 60
MAX_NOTE = 1000


def checked_provision(family: Family, kind: str, terms: Any) -> Provision:
    """The provision from its terms, or ServiceError naming the field: the schema's checks, and
    the parents it names must be active parents of this family."""
    try:
        provision = parse(kind, terms)
    except ProvisionError as error:
        field, message = next(iter(error.fields.items()))
        raise ServiceError(message, field=field) from None
    named = [value for value in provision.member_ids() if value != JOINT]
    if named:
        parents = {
            str(pid)
            for pid in Membership.objects.active()
            .filter(family=family, role=Role.PARENT)
            .values_list("public_id", flat=True)
        }
        for member_id in named:
            if member_id not in parents:
                raise ServiceError(_("Choose one of the family's parents."), field="terms")
    return provision


def _open_decision(family: Family, kind: str) -> Decision | None:
    return (
        Decision.objects.filter(family=family, subject=subject_of(kind), status=DecisionStatus.OPEN)
        .order_by("-pk")
        .first()
    )


@transaction.atomic
def provision_propose(
    *,
    family: Family,
    actor: User,
    kind: str,
    terms: Any,
    respond_by: dt.datetime | None,
    details: str = "",
    on_no_answer: str = NoAnswer.NOTHING,
    default_outcome: str = "",
    default_source: str = "",
) -> Decision:
    """A parent proposes a provision (or a change to the one in force) to the other parent."""
    require_parent(family, actor)
    family_lock(family)
    if kind not in KINDS:
        raise ServiceError(_("Unknown kind of provision."), field="kind")
    provision = checked_provision(family, kind, terms)
    if _open_decision(family, kind) is not None:
        raise Conflict(
            _("A change to this provision is already waiting for an answer; answer or withdraw it.")
        )
    current = provision_in_force(family, kind)
    return decision_propose(
        family=family,
        actor=actor,
        title=str(KINDS[kind].title),
        category=KINDS[kind].category,
        respond_by=respond_by,
        details=details,
        on_no_answer=on_no_answer,
        default_outcome=default_outcome,
        default_source=default_source,
        subject=subject_of(kind),
        subject_key=kind,
        payload=dump(provision),
        supersedes=current.agreement if current else None,
    )


@transaction.atomic
def provision_counter(
    *,
    family: Family,
    actor: User,
    proposal: Proposal,
    terms: Any,
    respond_by: dt.datetime | None,
    details: str = "",
) -> Proposal:
    """The other parent answers a proposed provision with terms of their own (a new version)."""
    require_parent(family, actor)
    family_lock(family)
    kind = proposal.decision.subject.removeprefix(PREFIX)
    if not proposal.decision.subject.startswith(PREFIX) or kind not in KINDS:
        raise ServiceError(_("That is not a provision of the plan."), field="proposal")
    provision = checked_provision(family, kind, terms)
    return decision_counter(
        family=family,
        actor=actor,
        proposal=proposal,
        title=str(KINDS[kind].title),
        respond_by=respond_by,
        details=details,
        payload=dump(provision),
    )


# ---- time away (right of first refusal) ---------------------------------------------------------


def _iso(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).isoformat() if value else ""


def _record_away(kind: str, away: TimeAway, actor: User | None) -> None:
    record_append(
        family=away.family,
        actor=actor,
        kind=kind,
        fields={
            "time_away": str(away.public_id),
            "plan": str(away.plan.public_id),
            "start_at": _iso(away.starts_at),
            "end_at": _iso(away.ends_at),
            "respond_by": _iso(away.respond_by),
            "hours": away.hours,
            "swap": str(away.swap.public_id) if away.swap else "",
            "note": content_hash(bytes(away.note_salt), away.note.encode("utf-8")),
        },
    )


def _other_parent(plan: Plan, user: User) -> User:
    if plan.parent_a.user_id == user.pk:
        return plan.parent_b.user
    if plan.parent_b.user_id == user.pk:
        return plan.parent_a.user
    raise ServiceError(_("Only the schedule's two parents can do that."), code="forbidden")


def _side(plan: Plan, user: User) -> str:
    return "A" if plan.parent_a.user_id == user.pk else "B"


def time_away_link(away: TimeAway) -> str:
    return reverse("plan:time_away", args=[away.family.public_id, away.public_id])


@transaction.atomic
def time_away_create(
    *,
    family: Family,
    actor: User,
    plan: Plan,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    note: str = "",
) -> TimeAway:
    """A parent says they will be away during their time for longer than the plan's right of
    first refusal allows: the other parent is offered the time first, to answer before the time
    away starts (within the provision's answer time)."""
    require_parent(family, actor)
    family_lock(family)
    if plan.family_id != family.pk:
        raise ServiceError(_("That schedule is not in this family."), field="plan")
    plan = Plan.objects.select_related("parent_a__user", "parent_b__user").get(pk=plan.pk)
    other = _other_parent(plan, actor)
    in_force = provision_in_force(family, "first_refusal")
    if in_force is None:
        raise ServiceError(
            _("The plan has no agreed right of first refusal; propose one on the plan page first.")
        )
    hours = int(getattr(in_force.provision, "hours", 0))
    respond_hours = int(getattr(in_force.provision, "respond_hours", 24))
    if starts_at is None or timezone.is_naive(starts_at):
        raise ServiceError(_("Enter a start with its time zone."), field="starts_at")
    if ends_at is None or timezone.is_naive(ends_at):
        raise ServiceError(_("Enter an end with its time zone."), field="ends_at")
    starts_at, ends_at = starts_at.astimezone(dt.UTC), ends_at.astimezone(dt.UTC)
    now = timezone.now()
    if starts_at <= now:
        raise ServiceError(_("Time away is for time still to come."), field="starts_at")
    if ends_at <= starts_at:
        raise ServiceError(_("The end must be after the start."), field="ends_at")
    if ends_at - starts_at > dt.timedelta(days=MAX_AWAY_DAYS):
        raise ServiceError(
            _("Time away covers at most %(days)d days; for longer, propose a schedule change.")
            % {"days": MAX_AWAY_DAYS},
            field="ends_at",
        )
    if ends_at - starts_at <= dt.timedelta(hours=hours):
        raise ServiceError(
            _(
                "The plan offers the other parent time away longer than %(hours)d hours; "
                "this is shorter, so no offer is needed."
            )
            % {"hours": hours},
            field="ends_at",
        )
    schedule = plan_schedule(plan, start=starts_at, end=ends_at)
    if schedule is None:
        raise ServiceError(_("Agree on a schedule first: it says whose time this is."))
    side = _side(plan, actor)
    mine = [s for s in schedule.timeline(starts_at, ends_at).segments if s.parent == side]
    if not mine:
        raise ServiceError(
            _("The children are with the other parent then: time away is for your own time."),
            field="starts_at",
        )
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ServiceError(_("At most %(limit)d characters.") % {"limit": MAX_NOTE}, field="note")
    respond_by = min(starts_at, now + dt.timedelta(hours=respond_hours))
    away = TimeAway.objects.create(
        family=family,
        plan=plan,
        parent=actor,
        starts_at=starts_at,
        ends_at=ends_at,
        note=note,
        note_salt=new_salt(),
        hours=hours,
        respond_by=respond_by,
        created_at=now,
    )
    _record_away("plan.time_away_offered", away, actor)
    notify(
        family,
        [other],
        Kind.TIME_AWAY_OFFER,
        link=time_away_link(away),
        detail=Detail(
            Phrase(
                gettext_lazy(
                    "%(name)s will be away during their time and offers it to you first; "
                    "please answer"
                ),
                {"name": actor.display_name},
            ),
            note,
        ),
        actor=actor,
    )
    return away


def _locked_offer(family: Family, away: TimeAway) -> TimeAway:
    family_lock(family)
    locked = (
        TimeAway.objects.select_for_update(no_key=True, of=("self",))
        .select_related("plan__parent_a__user", "plan__parent_b__user", "parent")
        .get(pk=away.pk, family=family)
    )
    status = locked.current_status()
    if status == OfferStatus.EXPIRED:
        raise Conflict(_("This offer expired: its answer deadline has passed."))
    if status != OfferStatus.OFFERED:
        raise Conflict(
            _("This offer is no longer open (%(status)s).") % {"status": locked.status_label}
        )
    return locked


def _answer(family: Family, actor: User, away: TimeAway, status: str, response: str) -> TimeAway:
    require_parent(family, actor)
    locked = _locked_offer(family, away)
    if locked.parent_id == actor.pk:
        raise ServiceError(_("The other parent answers this offer."), code="forbidden")
    _other_parent(locked.plan, actor)
    response = (response or "").strip()
    if len(response) > MAX_NOTE:
        raise ServiceError(
            _("At most %(limit)d characters.") % {"limit": MAX_NOTE}, field="response"
        )
    if status == OfferStatus.ACCEPTED:
        locked.swap = swap_agreed(
            family=family,
            actor=actor,
            plan=locked.plan,
            given_by=locked.parent,
            start_at=locked.starts_at,
            end_at=locked.ends_at,
            reason=_("Right of first refusal: time away offered first"),
        )
    locked.status = status
    locked.answered_by = actor
    locked.answered_at = timezone.now()
    locked.response = response
    locked.save(update_fields=["swap", "status", "answered_by", "answered_at", "response"])
    accepted = status == OfferStatus.ACCEPTED
    _record_away(
        "plan.time_away_accepted" if accepted else "plan.time_away_declined", locked, actor
    )
    notify(
        family,
        [locked.parent],
        Kind.TIME_AWAY_ANSWER,
        link=time_away_link(locked),
        detail=Detail(
            Phrase(
                gettext_lazy(
                    "%(name)s accepted your offer: they will have the children while you are away"
                )
                if accepted
                else gettext_lazy("%(name)s declined your offer of your time away"),
                {"name": actor.display_name},
            ),
            response,
        ),
        actor=actor,
    )
    return locked


@transaction.atomic
def time_away_accept(
    *, family: Family, actor: User, away: TimeAway, response: str = ""
) -> TimeAway:
    """The other parent takes the time: an agreed swap gives them the children for it."""
    return _answer(family, actor, away, OfferStatus.ACCEPTED, response)


@transaction.atomic
def time_away_decline(
    *, family: Family, actor: User, away: TimeAway, response: str = ""
) -> TimeAway:
    return _answer(family, actor, away, OfferStatus.DECLINED, response)


@transaction.atomic
def time_away_withdraw(*, family: Family, actor: User, away: TimeAway) -> TimeAway:
    require_parent(family, actor)
    locked = _locked_offer(family, away)
    if locked.parent_id != actor.pk:
        raise ServiceError(
            _("Only the parent who made the offer can withdraw it."), code="forbidden"
        )
    locked.status = OfferStatus.WITHDRAWN
    locked.answered_by = actor
    locked.answered_at = timezone.now()
    locked.save(update_fields=["status", "answered_by", "answered_at"])
    _record_away("plan.time_away_withdrawn", locked, actor)
    return locked


def _expire_one(family: Family, pk: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        family_lock(family)
        locked = (
            TimeAway.objects.select_for_update(no_key=True, of=("self",))
            .select_related("plan__parent_a__user", "plan__parent_b__user", "parent")
            .get(pk=pk, family=family)
        )
        if locked.status != OfferStatus.OFFERED or locked.respond_by > now:
            return False
        locked.status = OfferStatus.EXPIRED
        locked.save(update_fields=["status"])
        _record_away("plan.time_away_expired", locked, None)
        notify(
            family,
            [locked.plan.parent_a.user, locked.plan.parent_b.user],
            Kind.DEADLINE_EXPIRED,
            link=time_away_link(locked),
            detail=Detail(gettext_lazy("An offer of time away expired without an answer"), ""),
        )
        return True


def time_away_expire(*, now: dt.datetime | None = None) -> int:
    """Store the expiry of every open offer past its deadline, one transaction each (the
    family, then the offer), and tell both parents. Safe to run again."""
    now = now or timezone.now()
    due = list(
        TimeAway.objects.filter(status=OfferStatus.OFFERED, respond_by__lte=now)
        .select_related("family")
        .order_by("respond_by")[:500]
    )
    return sum(_expire_one(away.family, away.pk, now) for away in due)
