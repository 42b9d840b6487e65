"""Exchange pages: the list, one exchange with its check-ins, the agreed terms, the planned
versus actual report, and reminder settings."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coparent.core import fragments
from coparent.core.errors import ServiceError
from coparent.core.forms import add_service_error
from coparent.core.http import FamilyRequest
from coparent.core.tenancy import family_view, get_for_family
from coparent.exchanges import forms, selectors, services
from coparent.exchanges.models import ExchangeTerms
from coparent.exchanges.outcome import MISSED
from coparent.families.models import Role
from coparent.safety import selectors as safety_selectors
from coparent.schedule import selectors as schedule


def _instant(at: int) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(at, dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise Http404 from None


@login_required
@family_view()
def exchange_list(request: FamilyRequest) -> HttpResponse:
    now = timezone.now()

    def context() -> dict[str, object]:
        views = selectors.exchange_views(
            request.family,
            request.membership,
            now - dt.timedelta(days=30),
            now + dt.timedelta(days=21),
            now=now,
        )
        for view in views:
            for moment in view.moments:
                fragments.changes_at(moment)
        plans = schedule.plan_list(request.family, request.membership)
        return {
            "upcoming": [v for v in views if v.at >= now][:12],
            "recent": [v for v in reversed(views) if v.at < now][:20],
            "plans": [
                (p, schedule.plan_label(p), selectors.current_terms(p), selectors.pending_terms(p))
                for p in plans
            ],
        }

    # Which exchanges are listed moves with the date; each one's state with its own moments.
    return fragments.render_kept(
        request, _("Exchanges"), "exchanges/list.html", context, vary=[fragments.local_date(now)]
    )


@login_required
@family_view()
def exchange_detail(request: FamilyRequest, plan_id: str, at: int) -> HttpResponse:
    plan = schedule.plan_get(request.family, request.membership, plan_id)
    view = selectors.exchange_get(request.family, request.membership, plan, _instant(at))
    if view is None:
        raise Http404
    member = request.membership
    side = None if member.read_only else selectors.check_in_side(member, view)
    kinds = []
    if side is not None:
        kinds = ["arrived", "handed_over" if side == view.from_parent else "received"]
    now = timezone.now()
    can_report_missed = (
        side is not None
        and member.role == Role.PARENT
        and view.outcome is not None
        and view.outcome.state not in ("cancelled", "done", "upcoming")
        and view.at <= now <= view.at + services.MISSED_REPORT_CLOSES
        and not any(c.kind == MISSED and c.side == side for c in view.checkins)
    )
    return render(
        request,
        "exchanges/detail.html",
        {
            "view": view,
            "kinds": kinds,
            "can_report_missed": can_report_missed,
            "caregiver_without_pass": member.role == Role.CAREGIVER and side is None,
            # Under a protective order no check-in carries a place (coparent/safety).
            "location_off": bool(kinds)
            and bool(safety_selectors.protected_user_ids(request.family)),
        },
    )


@require_POST
@login_required
@family_view(roles=[Role.PARENT], write=True)
def report_missed(request: FamilyRequest, plan_id: str, at: int) -> HttpResponse:
    plan = schedule.plan_get(request.family, request.membership, plan_id)
    try:
        services.missed_report(
            family=request.family, actor=request.user, plan=plan, exchange_at=_instant(at)
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Recorded: this exchange did not happen. The other parent can see it.")
        )
    return redirect("exchanges:detail", request.family.public_id, plan.public_id, at)


@require_POST
@login_required
@family_view(write=True)
def check_in(request: FamilyRequest, plan_id: str, at: int) -> HttpResponse:
    plan = schedule.plan_get(request.family, request.membership, plan_id)
    form = forms.CheckInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose arrived, handed over or received."))
    else:
        try:
            services.checkin_record(
                family=request.family,
                actor=request.user,
                plan=plan,
                exchange_at=_instant(at),
                kind=form.cleaned_data["kind"],
                latitude=form.cleaned_data["latitude"],
                longitude=form.cleaned_data["longitude"],
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Recorded at %(time)s.")
                % {"time": formats.time_format(timezone.localtime(), "TIME_FORMAT")},
            )
    return redirect("exchanges:detail", request.family.public_id, plan.public_id, at)


@login_required
@family_view()
def terms(request: FamilyRequest, plan_id: str) -> HttpResponse:
    plan = schedule.plan_get(request.family, request.membership, plan_id)
    current = selectors.current_terms(plan)
    initial = {}
    if current:
        initial = {field: getattr(current, field) for field in forms.TermsForm.base_fields}
    form = forms.TermsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if request.membership.role != Role.PARENT:
            raise Http404
        if form.is_valid():
            try:
                services.terms_propose(
                    family=request.family, actor=request.user, plan=plan, **form.cleaned_data
                )
            except ServiceError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request, _("Proposed. The terms apply once the other parent accepts them.")
                )
                return redirect("exchanges:terms", request.family.public_id, plan.public_id)
    return render(
        request,
        "exchanges/terms.html",
        {
            "plan": plan,
            "label": schedule.plan_label(plan),
            "current": current,
            "pending": selectors.pending_terms(plan),
            "form": form,
        },
    )


@require_POST
@login_required
@family_view(roles=[Role.PARENT], write=True)
def terms_decide(request: FamilyRequest, terms_id: str) -> HttpResponse:
    found = get_for_family(
        ExchangeTerms.objects.select_related("plan"), request.family, public_id=terms_id
    )
    try:
        services.terms_decide(
            family=request.family,
            actor=request.user,
            terms=found,
            accept=request.POST.get("decision") == "accept",
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Saved. Both parents see the result on every exchange."))
    return redirect("exchanges:terms", request.family.public_id, found.plan.public_id)


@login_required
@family_view()
def report(request: FamilyRequest) -> HttpResponse:
    today = timezone.localdate()
    form = forms.PeriodForm(
        request.GET or None, initial={"start": today - dt.timedelta(days=90), "end": today}
    )
    period = (today - dt.timedelta(days=90), today + dt.timedelta(days=1))
    if form.is_bound and form.is_valid():
        period = (form.cleaned_data["start"], form.cleaned_data["end"])
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(period[0], dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(period[1], dt.time(0), tzinfo=zone)
    rows = (
        selectors.planned_versus_actual(request.family, request.membership, start, end)
        if not form.errors
        else []
    )
    return render(
        request, "exchanges/report.html", {"form": form, "rows": rows, "start": start, "end": end}
    )


@login_required
@family_view()
def reminders(request: FamilyRequest) -> HttpResponse:
    setting = selectors.reminder_setting(request.membership)
    initial = {
        "minutes_before": setting.minutes_before if setting else [],
        "by_email": setting.by_email if setting else True,
    }
    form = forms.RemindersForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.reminders_update(
                family=request.family,
                actor=request.user,
                minutes_before=form.cleaned_data["minutes_before"],
                by_email=form.cleaned_data["by_email"],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your reminders are saved."))
            return redirect("exchanges:reminders", request.family.public_id)
    return render(request, "exchanges/reminders.html", {"form": form})
