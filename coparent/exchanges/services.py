"""Writes for exchanges: agreeing the terms, checking in, and reminder settings."""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coparent.accounts.models import User
from coparent.core.errors import Conflict, ServiceError
from coparent.exchanges import selectors
from coparent.exchanges.models import (
    CheckIn,
    ExchangeTerms,
    PlaceKind,
    ReminderSent,
    ReminderSetting,
    TermsStatus,
)
from coparent.exchanges.outcome import ARRIVED, HANDED_OVER, KINDS, MISSED, RECEIVED
from coparent.families.models import Family, Membership, Role
from coparent.families.services import require_member
from coparent.notifications.models import Kind
from coparent.notifications.selectors import parents_of
from coparent.notifications.services import Detail, Phrase, formatted, notify
from coparent.records.services import family_lock, record_append
from coparent.safety import selectors as safety_selectors
from coparent.schedule.models import Plan

CHECK_IN_OPENS = dt.timedelta(hours=3)
CHECK_IN_CLOSES = dt.timedelta(hours=24)
NEAR_METRES = 250
MAX_GRACE_MINUTES = 240
REMINDER_CHOICES = (15, 30, 60, 120, 24 * 60)
MISSED_REPORT_CLOSES = dt.timedelta(days=7)
NOT_ON_THIS_EXCHANGE = gettext_lazy(
    "Only the two parents on this exchange, or someone named on a pickup pass for it, can check in."
)


def _parent_side(plan: Plan, actor: User) -> str:
    membership = (
        Membership.objects.active().filter(family=plan.family, user=actor, role=Role.PARENT).first()
    )
    side = plan.parent_id_of(membership.pk) if membership else None
    if side is None:
        raise ServiceError(
            _("Only the two parents of this schedule can do that."), code="forbidden"
        )
    return side


@transaction.atomic
def terms_propose(
    *,
    family: Family,
    actor: User,
    plan: Plan,
    place_kind: str,
    place_name: str,
    grace_minutes: int,
    transport: str = "",
    conduct: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> ExchangeTerms:
    """A parent proposes where and how exchanges happen; the terms apply once the other accepts."""
    _parent_side(plan, actor)
    if place_kind not in PlaceKind.values:
        raise ServiceError(_("Choose where exchanges happen."), field="place_kind")
    if place_kind == PlaceKind.CURBSIDE and safety_selectors.any_places_confidential(family.pk):
        raise ServiceError(
            _(
                "A parent keeps their address confidential: choose a school, a named public "
                "place or a supervised exchange centre."
            ),
            field="place_kind",
        )
    place_name = place_name.strip()
    if not place_name:
        raise ServiceError(
            _("Name the place, e.g. “Riverside School, front entrance”."), field="place_name"
        )
    if not 0 <= grace_minutes <= MAX_GRACE_MINUTES:
        raise ServiceError(
            _("The grace period is between 0 and 240 minutes."), field="grace_minutes"
        )
    if (latitude is None) != (longitude is None):
        raise ServiceError(_("Give both latitude and longitude, or neither."), field="latitude")
    if (
        latitude is not None
        and longitude is not None
        and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):
        raise ServiceError(_("Those coordinates are not on Earth."), field="latitude")
    family_lock(family)
    for old in ExchangeTerms.objects.select_for_update(no_key=True).filter(
        family=family, plan=plan, status=TermsStatus.PROPOSED
    ):
        old.status = TermsStatus.WITHDRAWN
        old.decided_at = timezone.now()
        old.save(update_fields=["status", "decided_at"])
    terms = ExchangeTerms.objects.create(
        family=family,
        plan=plan,
        place_kind=place_kind,
        place_name=place_name[:120],
        latitude=latitude,
        longitude=longitude,
        grace_minutes=grace_minutes,
        transport=transport.strip()[:200],
        conduct=conduct.strip()[:4000],
        proposed_by=actor,
    )
    record_append(
        family=family,
        actor=actor,
        kind="exchange.terms_proposed",
        fields={"terms": str(terms.public_id), "plan": str(plan.public_id)},
    )
    return terms


@transaction.atomic
def terms_decide(
    *, family: Family, actor: User, terms: ExchangeTerms, accept: bool
) -> ExchangeTerms:
    _parent_side(terms.plan, actor)
    family_lock(family)
    locked = ExchangeTerms.objects.select_for_update(no_key=True).get(pk=terms.pk, family=family)
    if locked.status != TermsStatus.PROPOSED:
        raise Conflict(_("These terms were already decided."))
    if locked.proposed_by_id == actor.pk:
        raise ServiceError(_("The other parent accepts or declines proposed terms."))
    locked.status = TermsStatus.ACCEPTED if accept else TermsStatus.DECLINED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    record_append(
        family=family,
        actor=actor,
        kind="exchange.terms_accepted" if accept else "exchange.terms_declined",
        fields={"terms": str(locked.public_id), "plan": str(locked.plan.public_id)},
    )
    return locked


def _distance_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    # Haversine: plenty for "within a few hundred metres of the agreed place".
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371000 * math.asin(math.sqrt(a))


def place_of(terms: ExchangeTerms | None, latitude: float | None, longitude: float | None) -> str:
    """The device's position, rounded to the plan's named place. Coordinates are never kept."""
    if latitude is None or longitude is None:
        return ""
    if terms is None or terms.latitude is None or terms.longitude is None:
        return _("location shared, but the terms name no coordinates")
    distance = _distance_metres(latitude, longitude, float(terms.latitude), float(terms.longitude))
    if distance <= NEAR_METRES:
        return _("at %(place)s") % {"place": terms.place_name}
    return _("not at %(place)s") % {"place": terms.place_name}


@transaction.atomic
def checkin_record(
    *,
    family: Family,
    actor: User,
    plan: Plan,
    exchange_at: dt.datetime,
    kind: str,
    latitude: float | None = None,
    longitude: float | None = None,
    now: dt.datetime | None = None,
) -> CheckIn:
    """A parent on the exchange, or a caregiver named on a pickup pass for it, says "arrived",
    "handed over" or "received". The time is the server's."""
    now = now or timezone.now()
    member = require_member(family, actor, writable=True)
    if kind not in KINDS:
        raise ServiceError(_("Choose arrived, handed over or received."), field="kind")
    view = selectors.exchange_get(family, member, plan, exchange_at)
    if view is None or view.outcome is None or view.outcome.state == "cancelled":
        raise ServiceError(_("The schedule has no exchange at that time."))
    # Who may check in comes first: someone not on the exchange is told that, whatever the time.
    side = selectors.check_in_side(member, view)
    if side is None:
        raise ServiceError(str(NOT_ON_THIS_EXCHANGE), code="forbidden")
    if now < exchange_at - CHECK_IN_OPENS:
        raise ServiceError(_("Check-in opens three hours before the exchange."))
    if now > exchange_at + CHECK_IN_CLOSES:
        raise ServiceError(_("Check-in for this exchange closed a day after it."))
    expected = {ARRIVED, HANDED_OVER} if side == view.from_parent else {ARRIVED, RECEIVED}
    if kind not in expected:
        raise ServiceError(
            _("The parent handing over says “handed over”; the one receiving says “received”."),
            field="kind",
        )
    # The family lock makes a double tap (or the page and the API at once) record one
    # check-in; the unique constraint backs it up.
    family_lock(family)
    if CheckIn.objects.filter(
        family=family, plan=plan, exchange_at=exchange_at, side=side, kind=kind
    ).exists():
        raise Conflict(_("That check-in is already recorded."))
    checkin = CheckIn.objects.create(
        family=family,
        plan=plan,
        exchange_at=exchange_at,
        kind=kind,
        member=member,
        side=side,
        at=now,
        # Under a protective order no check-in carries a place, even one rounded to the terms'.
        place=""
        if safety_selectors.protected_user_ids(family)
        else place_of(view.terms, latitude, longitude),
    )
    record_append(
        family=family,
        actor=actor,
        kind="exchange.checkin",
        fields={
            "plan": str(plan.public_id),
            "exchange": exchange_at.astimezone(dt.UTC).isoformat(),
            "check": kind,
            "side": side,
            "place": checkin.place,
        },
    )
    notify(
        family,
        parents_of(family),
        Kind.EXCHANGE_CHECKIN,
        link=reverse(
            "exchanges:detail",
            args=[family.public_id, plan.public_id, int(exchange_at.timestamp())],
        ),
        detail=Detail(
            Phrase(
                {
                    ARRIVED: gettext_lazy("%(name)s arrived for the exchange"),
                    HANDED_OVER: gettext_lazy("%(name)s handed the children over"),
                    RECEIVED: gettext_lazy("%(name)s received the children"),
                }[kind],
                {"name": actor.display_name},
            ),
            checkin.place,
        ),
        actor=actor,
    )
    return checkin


@transaction.atomic
def missed_report(
    *,
    family: Family,
    actor: User,
    plan: Plan,
    exchange_at: dt.datetime,
    now: dt.datetime | None = None,
) -> CheckIn:
    """A parent on the exchange reports that it did not happen. Without this (or a check-in by
    one side), a past exchange nobody recorded counts as planned, never as a no-show."""
    now = now or timezone.now()
    member = require_member(family, actor, writable=True)
    view = selectors.exchange_get(family, member, plan, exchange_at)
    if view is None or view.outcome is None or view.outcome.state == "cancelled":
        raise ServiceError(_("The schedule has no exchange at that time."))
    side = selectors.check_in_side(member, view)
    if side is None or member.role != Role.PARENT:
        raise ServiceError(
            _("Only the two parents on this exchange can report that it did not happen."),
            code="forbidden",
        )
    if now < exchange_at:
        raise ServiceError(_("You can report a missed exchange once its time has come."))
    if now > exchange_at + MISSED_REPORT_CLOSES:
        raise ServiceError(_("A missed exchange is reported within a week of it."))
    if view.outcome.handover_at is not None:
        raise Conflict(_("A handover is already recorded for this exchange."))
    family_lock(family)
    if CheckIn.objects.filter(
        family=family, plan=plan, exchange_at=exchange_at, side=side, kind=MISSED
    ).exists():
        raise Conflict(_("You already reported this exchange as missed."))
    report = CheckIn.objects.create(
        family=family,
        plan=plan,
        exchange_at=exchange_at,
        kind=MISSED,
        member=member,
        side=side,
        at=now,
    )
    record_append(
        family=family,
        actor=actor,
        kind="exchange.missed",
        fields={
            "plan": str(plan.public_id),
            "exchange": exchange_at.astimezone(dt.UTC).isoformat(),
            "side": side,
        },
    )
    return report


@transaction.atomic
def reminders_update(
    *, family: Family, actor: User, minutes_before: list[int], by_email: bool
) -> ReminderSetting:
    member = require_member(family, actor, writable=True)
    if any(m not in REMINDER_CHOICES for m in minutes_before):
        raise ServiceError(_("Choose reminder times from the list."), field="minutes_before")
    setting, _created = ReminderSetting.objects.update_or_create(
        family=family,
        membership=member,
        defaults={"minutes_before": sorted(set(minutes_before)), "by_email": by_email},
    )
    return setting


def _concerns(member: Membership, view: selectors.ExchangeView) -> bool:
    """The people on the exchange: its two parents, or a caregiver with a pass for it."""
    return selectors.check_in_side(member, view) is not None


def _mark_sent(family: Family, member: Membership, at: dt.datetime, due: list[int]) -> bool:
    """Marks every due reminder as sent; True if the closest one was not sent before. A cron
    that was down sends one email, not one per missed reminder time."""
    closest = min(due)
    _row, fresh = ReminderSent.objects.get_or_create(
        family=family, membership=member, exchange_at=at, minutes_before=closest
    )
    for minutes in due:
        ReminderSent.objects.get_or_create(
            family=family, membership=member, exchange_at=at, minutes_before=minutes
        )
    return fresh


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Queue every reminder that is due and not sent yet (the worker runs this every five
    minutes, `coparent exchanges remind` on demand). Each is sent once, even if two runs
    overlap."""
    now = now or timezone.now()
    sent = 0
    horizon = max(REMINDER_CHOICES)
    for setting in ReminderSetting.objects.filter(by_email=True).select_related(
        "membership__user", "family"
    ):
        member = setting.membership
        if not member.is_active() or not setting.minutes_before:
            continue
        window_end = now + dt.timedelta(minutes=horizon + 1)
        for view in selectors.exchange_views(setting.family, member, now, window_end, now=now):
            if (
                view.outcome is None
                or view.outcome.state == "cancelled"
                or not _concerns(member, view)
            ):
                continue
            due = [
                m
                for m in setting.minutes_before
                if view.at - dt.timedelta(minutes=m) <= now < view.at
            ]
            if not due:
                continue
            # Marked and notified in one transaction: a crash between them loses neither.
            with transaction.atomic():
                if _mark_sent(setting.family, member, view.at, due):
                    _remind(setting.family, member, view)
                    sent += 1
    return sent


def _remind(family: Family, member: Membership, view: selectors.ExchangeView) -> None:
    when = timezone.localtime(view.at, zoneinfo.ZoneInfo(member.user.timezone or "UTC"))
    notify(
        family,
        [member.user],
        Kind.EXCHANGE_REMINDER,
        link=reverse(
            "exchanges:detail", args=[family.public_id, view.plan.public_id, view.timestamp]
        ),
        detail=Detail(
            Phrase(
                gettext_lazy("Exchange on %(when)s: %(a)s hands over to %(b)s"),
                {
                    "when": formatted(when, "DATETIME_FORMAT"),
                    "a": view.name(view.from_parent),
                    "b": view.name(view.to_parent),
                },
            ),
            (
                Phrase(gettext_lazy("Where: %(place)s"), {"place": view.terms.place_name})
                if view.terms
                else ""
            ),
        ),
    )
