"""Schedule pages: the family calendar (month, week, agenda), the schedule builder and its
versions, swap requests, events, the parenting-time report and calendar feeds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coparent.core import csv
from coparent.core.errors import ServiceError
from coparent.core.forms import FIRST_DAY, LAST_DAY, add_service_error
from coparent.core.http import AuthenticatedRequest, FamilyRequest, absolute_url
from coparent.core.tenancy import family_view, get_for_family, not_family_scoped
from coparent.engine import COMMON_HOLIDAYS, SpecError, exchanges
from coparent.families.models import Child, Membership, Role
from coparent.families.selectors import child_list, member_list
from coparent.schedule import forms, ical, selectors, services
from coparent.schedule.models import Event, Plan, ScheduleVersion, SwapRequest, SwapStatus
from coparent.schedule.specs import builder_spec, common_holiday_rule, parsed

READERS = [Role.PARENT, Role.CAREGIVER, Role.CHILD, Role.PROFESSIONAL]
PARENTS_AND_PROFESSIONALS = [Role.PARENT, Role.PROFESSIONAL]
PREVIEW_WEEKS = 8


def _date_param(request: FamilyRequest, name: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return timezone.localdate()
    return day if FIRST_DAY <= day <= LAST_DAY else timezone.localdate()


# ---- calendar ---------------------------------------------------------------------------------


@login_required
@family_view(roles=READERS)
def calendar_month(request: FamilyRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        first_of_month = dt.date(year, month, 1)
    except ValueError:
        first_of_month = today.replace(day=1)
    if not FIRST_DAY <= first_of_month <= LAST_DAY:
        first_of_month = today.replace(day=1)
    first, last = selectors.month_grid(first_of_month.year, first_of_month.month)
    view = selectors.calendar(
        request.family, request.membership, first, last, month=first_of_month.month
    )
    previous = (first_of_month - dt.timedelta(days=1)).replace(day=1)
    following = (first_of_month + dt.timedelta(days=32)).replace(day=1)
    weeks = [view.days[i : i + 7] for i in range(0, len(view.days), 7)]
    return render(
        request,
        "schedule/month.html",
        {
            "calendar": view,
            "weeks": weeks,
            "month": first_of_month,
            "previous": previous,
            "following": following,
            "today": today,
            "tab": "month",
        },
    )


@login_required
@family_view(roles=READERS)
def calendar_week(request: FamilyRequest) -> HttpResponse:
    day = _date_param(request, "date")
    first = day - dt.timedelta(days=day.weekday())
    view = selectors.calendar(request.family, request.membership, first, first + dt.timedelta(6))
    return render(
        request,
        "schedule/days.html",
        {
            "calendar": view,
            "days": view.days,
            "title": _("Week of %(date)s") % {"date": first.strftime("%d %b %Y")},
            "previous": first - dt.timedelta(days=7),
            "following": first + dt.timedelta(days=7),
            "tab": "week",
            "show_quiet": True,
        },
    )


@login_required
@family_view(roles=READERS)
def calendar_agenda(request: FamilyRequest) -> HttpResponse:
    first = _date_param(request, "date")
    view = selectors.calendar(request.family, request.membership, first, first + dt.timedelta(29))
    return render(
        request,
        "schedule/days.html",
        {
            "calendar": view,
            "days": [d for d in view.days if not d.quiet or d.is_today],
            "title": _("Next 30 days from %(date)s") % {"date": first.strftime("%d %b %Y")},
            "previous": first - dt.timedelta(days=30),
            "following": first + dt.timedelta(days=30),
            "tab": "agenda",
            "show_quiet": False,
        },
    )


# ---- schedules --------------------------------------------------------------------------------


def _child_choices(request: FamilyRequest) -> list[tuple[str, str]]:
    return [
        ("all", _("All children")),
        *((str(c.public_id), c.first_name) for c in child_list(request.family)),
    ]


def _child_from_choice(request: FamilyRequest, value: str) -> Child | None:
    return None if value in ("", "all") else get_for_family(Child, request.family, public_id=value)


def _parent_names(request: FamilyRequest) -> dict[str, str]:
    """Names for "A" and "B" before a plan exists: the parents in the order they joined."""
    plan = (
        Plan.objects.filter(family=request.family)
        .select_related("parent_a__user", "parent_b__user")
        .first()
    )
    if plan:
        return selectors.parent_names(plan)
    parents = [m for m in member_list(request.family) if m.role == Role.PARENT]
    return {
        letter: parents[i].user.display_name if i < len(parents) else _("the other parent")
        for i, letter in enumerate("AB")
    }


@login_required
@family_view(roles=PARENTS_AND_PROFESSIONALS)
def schedule_overview(request: FamilyRequest) -> HttpResponse:
    plans = selectors.plan_list(request.family)
    covered = selectors.plan_children(request.family, plans)
    rows = []
    for plan in plans:
        versions = list(selectors.version_list(request.family, plan))
        rows.append(
            {
                "plan": plan,
                "label": selectors.plan_label(plan),
                "children": covered.get(plan.pk, []),
                "names": selectors.parent_names(plan),
                "versions": versions,
                "agreed": any(v.status == "accepted" for v in versions),
            }
        )
    return render(request, "schedule/overview.html", {"rows": rows, "tab": "schedule"})


def _builder_initial(request: FamilyRequest) -> dict[str, Any]:
    today = timezone.localdate()
    initial: dict[str, Any] = {
        "child": request.GET.get("child", "all"),
        "anchor": today - dt.timedelta(days=today.weekday()),
        "timezone": request.user.timezone or "UTC",
        "template": "2-2-3",
        "first": "A",
        "effective_date": today + dt.timedelta(days=1),
    }
    plan = Plan.objects.filter(family=request.family).first()
    spec = selectors.current_spec(plan) if plan else None
    if spec and "rotation" in spec:
        rotation = spec["rotation"]
        initial.update(
            template=rotation.get("template", "2-2-3"),
            anchor=rotation.get("anchor"),
            first=rotation.get("first", "A"),
            exchange_time=rotation.get("exchange_time", "18:00"),
            timezone=spec["timezone"],
            exchange_place=spec.get("x-exchange-place", ""),
        )
    return initial


def _spec_from_builder(form: forms.ScheduleBuilderForm) -> dict[str, Any]:
    data = form.cleaned_data
    holidays = []
    for index in range(len(COMMON_HOLIDAYS)):
        keys = forms.holiday_field_names(index)
        if data.get(keys["on"]):
            holidays.append(
                common_holiday_rule(
                    index,
                    even_parent=data[keys["parent"]],
                    start_days=data[keys["start_days"]],
                    start_time=data[keys["start_time"]],
                    end_days=data[keys["end_days"]],
                    end_time=data[keys["end_time"]],
                )
            )
    return builder_spec(
        timezone=data["timezone"],
        template=data["template"],
        anchor=data["anchor"],
        first=data["first"],
        exchange_time=data["exchange_time"],
        holidays=holidays,
        school_periods=data["periods"],
        exchange_place=data.get("exchange_place", ""),
    )


def _merge_school_calendar(form: forms.ScheduleBuilderForm) -> None:
    """Adds an uploaded school calendar's periods to the typed ones (and to the text box, so
    the parent sees and can edit what was read)."""
    upload = form.cleaned_data.get("school_calendar")
    if not upload:
        return
    try:
        periods = ical.school_periods_from_ics(upload.read())
    except ServiceError as error:
        add_service_error(form, error)
        return
    form.cleaned_data["periods"] = form.cleaned_data["periods"] + periods
    lines = [form.cleaned_data.get("school_periods", "").strip()]
    lines += [f"{first} {last} {name}" for first, last, name in periods]
    data = dict(form.data.items())
    data["school_periods"] = "\n".join(line for line in lines if line)
    form.data = data


def _preview(spec: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """The next 8 weeks day by day and the split over the coming year, before anything is
    saved."""
    try:
        schedule = parsed(spec)
    except SpecError as error:
        return {"error": str(error)}
    zone = selectors.zone_of(schedule.timezone)
    today = timezone.now().astimezone(zone).date()
    first = today - dt.timedelta(days=today.weekday())
    start = dt.datetime.combine(first, dt.time(), tzinfo=zone)
    weeks_end = start + dt.timedelta(weeks=PREVIEW_WEEKS)
    timeline = schedule.timeline(start, weeks_end)
    nights = {n.date: n.parent for n in timeline.nights}
    days: list[dict[str, Any]] = [
        {"date": first + dt.timedelta(days=n), "parent": nights.get(first + dt.timedelta(days=n))}
        for n in range(PREVIEW_WEEKS * 7)
    ]
    specials = {}
    for segment in timeline.segments:
        _kind, label = selectors.source_label(segment.source)
        if label:
            specials[segment.start.astimezone(zone).date()] = label
    for day in days:
        day["name"] = names.get(day["parent"] or "", "")
        day["special"] = specials.get(day["date"], "")
    year = schedule.timeline(start, start + dt.timedelta(days=365)).summary()
    upcoming = exchanges(timeline)[:3]
    return {
        "weeks": [days[i : i + 7] for i in range(0, len(days), 7)],
        "year": [(names[p], p, counts) for p, counts in year.items()],
        "zone": schedule.timezone,
        "exchanges": [
            (
                e.at.astimezone(timezone.get_current_timezone()),
                names[e.from_parent],
                names[e.to_parent],
            )
            for e in upcoming
        ],
    }


def _initial_preview(form: forms.ScheduleBuilderForm, names: dict[str, str]) -> dict[str, Any]:
    """The preview of the form's starting values, so the page opens with a picture."""
    initial = form.initial
    exchange_time = initial.get("exchange_time", dt.time(18, 0))
    if isinstance(exchange_time, str):
        exchange_time = dt.time.fromisoformat(exchange_time)
    anchor = initial["anchor"]
    if isinstance(anchor, str):
        anchor = dt.date.fromisoformat(anchor)
    spec = builder_spec(
        timezone=initial["timezone"],
        template=initial.get("template", "2-2-3"),
        anchor=anchor,
        first=initial.get("first", "A"),
        exchange_time=exchange_time,
        holidays=[],
        school_periods=[],
    )
    return _preview(spec, names)


@login_required
@family_view(roles=[Role.PARENT], write=True)
def schedule_builder(request: FamilyRequest) -> HttpResponse:
    names = _parent_names(request)
    form = forms.ScheduleBuilderForm(
        request.POST or None,
        request.FILES or None,
        names=names,
        children=_child_choices(request),
        initial=_builder_initial(request),
    )
    if not ScheduleVersion.objects.filter(family=request.family, status="accepted").exists():
        # The first agreed schedule has no start: it covers the past as well.
        del form.fields["effective_date"]
    preview = None
    partial = (
        request.headers.get("HX-Request") == "true" and request.POST.get("action") != "propose"
    )
    if request.method == "POST" and form.is_valid():
        _merge_school_calendar(form)
        if form.is_valid() and not form.errors:
            spec = _spec_from_builder(form)
            preview = _preview(spec, names)
            if request.POST.get("action") == "propose" and "error" not in preview:
                data = form.cleaned_data
                effective = None
                if data.get("effective_date"):
                    zone = selectors.zone_of(data["timezone"])
                    effective = dt.datetime.combine(
                        data["effective_date"], data["exchange_time"], tzinfo=zone
                    )
                try:
                    services.schedule_propose(
                        family=request.family,
                        actor=request.user,
                        spec=spec,
                        child=_child_from_choice(request, data["child"]),
                        effective_at=effective,
                        note=data.get("note", ""),
                    )
                except ServiceError as error:
                    if error.field == "effective_at":
                        error.field = "effective_date"
                    add_service_error(form, error)
                else:
                    messages.success(
                        request,
                        _("Proposal sent. It takes effect when the other parent accepts it."),
                    )
                    return redirect("schedule:overview", family_id=request.family.public_id)
    if request.method != "POST":
        preview = _initial_preview(form, names)
    if partial:
        return render(request, "schedule/_preview.html", {"preview": preview, "form": form})
    return render(
        request,
        "schedule/builder.html",
        {"form": form, "preview": preview, "tab": "schedule"},
    )


@login_required
@family_view(roles=[Role.PARENT], write=True)
def schedule_import(request: FamilyRequest) -> HttpResponse:
    form = forms.ImportForm(
        request.POST or None,
        request.FILES or None,
        children=_child_choices(request),
        initial={"child": "all"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        spec = data["spec"]
        effective = None
        if data.get("effective_date"):
            zone_name = spec.get("timezone", "UTC") if isinstance(spec, dict) else "UTC"
            try:
                zone = selectors.zone_of(str(zone_name))
            except (KeyError, ValueError):
                zone = selectors.zone_of("UTC")
            effective = dt.datetime.combine(data["effective_date"], dt.time(), tzinfo=zone)
        try:
            services.schedule_propose(
                family=request.family,
                actor=request.user,
                spec=spec,
                child=_child_from_choice(request, data["child"]),
                effective_at=effective,
                note=data.get("note", ""),
            )
        except ServiceError as error:
            error.field = {"spec": "spec_text", "effective_at": "effective_date"}.get(
                error.field or "", error.field
            )
            add_service_error(form, error)
        else:
            messages.success(
                request, _("Proposal sent. It takes effect when the other parent accepts it.")
            )
            return redirect("schedule:overview", family_id=request.family.public_id)
    return render(request, "schedule/import.html", {"form": form, "tab": "schedule"})


@login_required
@family_view(roles=PARENTS_AND_PROFESSIONALS)
def schedule_export(request: FamilyRequest, plan_id: str) -> HttpResponse:
    plan = selectors.plan_get(request.family, request.membership, plan_id)
    document = selectors.plan_export(plan)
    if document is None:
        raise Http404
    response = JsonResponse(document, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="schedule-{plan.public_id}.json"'
    return response


def _version_action(request: FamilyRequest, version_id: str, action: str) -> HttpResponse:
    version = get_for_family(ScheduleVersion, request.family, public_id=version_id)
    service = {
        "accept": services.schedule_accept,
        "decline": services.schedule_decline,
        "withdraw": services.schedule_withdraw,
    }[action]
    try:
        service(family=request.family, actor=request.user, version=version)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            {
                "accept": _("Agreed. The new schedule is on the calendar."),
                "decline": _("Declined. The agreed schedule stays as it is."),
                "withdraw": _("Proposal withdrawn."),
            }[action],
        )
    return redirect("schedule:overview", family_id=request.family.public_id)


@require_POST
@login_required
@family_view(roles=[Role.PARENT], write=True)
def version_accept(request: FamilyRequest, version_id: str) -> HttpResponse:
    return _version_action(request, version_id, "accept")


@require_POST
@login_required
@family_view(roles=[Role.PARENT], write=True)
def version_decline(request: FamilyRequest, version_id: str) -> HttpResponse:
    return _version_action(request, version_id, "decline")


@require_POST
@login_required
@family_view(roles=[Role.PARENT], write=True)
def version_withdraw(request: FamilyRequest, version_id: str) -> HttpResponse:
    return _version_action(request, version_id, "withdraw")


# ---- swaps ------------------------------------------------------------------------------------


def _plan_choices(request: FamilyRequest) -> list[tuple[str, str]]:
    return [
        (str(p.public_id), selectors.plan_label(p)) for p in selectors.plan_list(request.family)
    ]


@login_required
@family_view(roles=PARENTS_AND_PROFESSIONALS)
def swap_list(request: FamilyRequest) -> HttpResponse:
    swaps = list(selectors.swap_list(request.family))
    waiting = [
        s
        for s in swaps
        if s.current_status() == SwapStatus.PENDING and s.requested_by_id != request.user.pk
    ]
    return render(
        request,
        "schedule/swaps.html",
        {
            "swaps": swaps,
            "waiting": waiting if request.membership.is_parent else [],
            "has_plan": any(
                selectors.plan_schedule(p) for p in selectors.plan_list(request.family)
            ),
            "tab": "swaps",
        },
    )


def _swap_form_view(request: FamilyRequest, counter_to: SwapRequest | None) -> HttpResponse:
    plans = _plan_choices(request)
    initial: dict[str, Any] = {}
    if counter_to is not None:
        initial = {"plan": str(counter_to.plan.public_id)}
    form = forms.SwapForm(request.POST or None, plans=plans, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan = get_for_family(Plan, request.family, public_id=data["plan"])
        arguments = {
            "family": request.family,
            "actor": request.user,
            "start_at": data["start_at"],
            "end_at": data["end_at"],
            "respond_by": data["respond_by"],
            "reason": data["reason"],
            "offer_start_at": data["offer_start_at"],
            "offer_end_at": data["offer_end_at"],
        }
        try:
            if counter_to is not None:
                swap = services.swap_counter(swap=counter_to, **arguments)
            else:
                swap = services.swap_request(plan=plan, **arguments)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Request sent to the other parent."))
            return redirect(
                "schedule:swap_detail", family_id=request.family.public_id, swap_id=swap.public_id
            )
    return render(
        request,
        "schedule/swap_form.html",
        {"form": form, "counter_to": counter_to, "tab": "swaps"},
    )


@login_required
@family_view(roles=[Role.PARENT], write=True)
def swap_create(request: FamilyRequest) -> HttpResponse:
    return _swap_form_view(request, None)


@login_required
@family_view(roles=[Role.PARENT], write=True)
def swap_counter(request: FamilyRequest, swap_id: str) -> HttpResponse:
    swap = get_for_family(selectors.swap_list(request.family), request.family, public_id=swap_id)
    return _swap_form_view(request, swap)


@login_required
@family_view(roles=PARENTS_AND_PROFESSIONALS)
def swap_detail(request: FamilyRequest, swap_id: str) -> HttpResponse:
    swap = get_for_family(selectors.swap_list(request.family), request.family, public_id=swap_id)
    status = swap.current_status()
    open_ = status == SwapStatus.PENDING and request.membership.is_parent
    return render(
        request,
        "schedule/swap_detail.html",
        {
            "swap": swap,
            "status": status,
            "names": selectors.parent_names(swap.plan),
            "can_answer": open_ and swap.requested_by_id != request.user.pk,
            "can_withdraw": open_ and swap.requested_by_id == request.user.pk,
            "counters": list(swap.counters.all()),
            "answer_form": forms.AnswerForm(),
            "tab": "swaps",
        },
    )


def _swap_action(request: FamilyRequest, swap_id: str, action: str) -> HttpResponse:
    swap = get_for_family(SwapRequest, request.family, public_id=swap_id)
    form = forms.AnswerForm(request.POST)
    response = form.cleaned_data["response"] if form.is_valid() else ""
    try:
        if action == "accept":
            services.swap_accept(
                family=request.family, actor=request.user, swap=swap, response=response
            )
        elif action == "decline":
            services.swap_decline(
                family=request.family, actor=request.user, swap=swap, response=response
            )
        else:
            services.swap_withdraw(family=request.family, actor=request.user, swap=swap)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            {
                "accept": _("Accepted. The calendar shows the swap."),
                "decline": _("Declined. The schedule stays as it is."),
                "withdraw": _("Request withdrawn."),
            }[action],
        )
    return redirect("schedule:swap_detail", family_id=request.family.public_id, swap_id=swap_id)


@require_POST
@login_required
@family_view(roles=[Role.PARENT], write=True)
def swap_accept(request: FamilyRequest, swap_id: str) -> HttpResponse:
    return _swap_action(request, swap_id, "accept")


@require_POST
@login_required
@family_view(roles=[Role.PARENT], write=True)
def swap_decline(request: FamilyRequest, swap_id: str) -> HttpResponse:
    return _swap_action(request, swap_id, "decline")


@require_POST
@login_required
@family_view(roles=[Role.PARENT], write=True)
def swap_withdraw(request: FamilyRequest, swap_id: str) -> HttpResponse:
    return _swap_action(request, swap_id, "withdraw")


# ---- events -----------------------------------------------------------------------------------


def _event_form(request: FamilyRequest, initial: dict[str, Any] | None = None) -> forms.EventForm:
    return forms.EventForm(
        request.POST or None,
        children=[(str(c.public_id), c.first_name) for c in child_list(request.family)],
        members=[(str(m.public_id), m.user.display_name) for m in member_list(request.family)],
        initial=initial,
    )


def _event_arguments(request: FamilyRequest, form: forms.EventForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "kind": data["kind"],
        "starts_at": data["starts_at"],
        "ends_at": data["ends_at"],
        "place": data["place"],
        "place_is_home": data["place_is_home"],
        "notes": data["notes"],
        "children": [get_for_family(Child, request.family, public_id=i) for i in data["children"]],
        "attendees": [
            get_for_family(Membership.objects.active(), request.family, public_id=i)
            for i in data["attendees"]
        ],
    }


@login_required
@family_view(roles=[Role.PARENT], write=True)
def event_create(request: FamilyRequest) -> HttpResponse:
    form = _event_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(
                family=request.family, actor=request.user, **_event_arguments(request, form)
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("%(title)s is on the calendar.") % {"title": event.title})
            local = timezone.localtime(event.starts_at)
            return redirect(f"{_month_url(request)}?month={local:%Y-%m}")
    return render(request, "schedule/event_form.html", {"form": form, "event": None})


def _month_url(request: FamilyRequest) -> str:
    from django.urls import reverse

    return reverse("schedule:month", kwargs={"family_id": request.family.public_id})


@login_required
@family_view(roles=READERS)
def event_detail(request: FamilyRequest, event_id: str) -> HttpResponse:
    event = get_for_family(
        selectors.event_list(request.family, request.membership), request.family, public_id=event_id
    )
    if not request.membership.is_parent:
        return render(request, "schedule/event_detail.html", {"event": event})
    form = _event_form(
        request,
        initial={
            "title": event.title,
            "kind": event.kind,
            "starts_at": timezone.localtime(event.starts_at),
            "ends_at": timezone.localtime(event.ends_at),
            "place": event.place,
            "place_is_home": event.place_is_home,
            "notes": event.notes,
            "children": [str(c.public_id) for c in event.children.all()],
            "attendees": [str(m.public_id) for m in event.attendees.all()],
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(
                family=request.family,
                actor=request.user,
                event=event,
                **_event_arguments(request, form),
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(
                f"{_month_url(request)}?month={timezone.localtime(event.starts_at):%Y-%m}"
            )
    return render(request, "schedule/event_form.html", {"form": form, "event": event})


@require_POST
@login_required
@family_view(roles=[Role.PARENT], write=True)
def event_delete(request: FamilyRequest, event_id: str) -> HttpResponse:
    event = get_for_family(Event, request.family, public_id=event_id)
    try:
        services.event_delete(family=request.family, actor=request.user, event=event)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(title)s is removed.") % {"title": event.title})
    return redirect(_month_url(request))


# ---- report -----------------------------------------------------------------------------------


def _report_form(request: FamilyRequest) -> forms.ReportForm:
    today = timezone.localdate()
    data = request.GET if "date_from" in request.GET else None
    return forms.ReportForm(
        data,
        initial={
            "date_from": dt.date(today.year, 1, 1),
            "date_to": dt.date(today.year + 1, 1, 1),
            "rule": "tennessee",
        },
    )


def _report_values(form: forms.ReportForm) -> tuple[dt.date, dt.date, str] | None:
    if form.is_bound:
        if not form.is_valid():
            return None
        return (
            form.cleaned_data["date_from"],
            form.cleaned_data["date_to"],
            form.cleaned_data["rule"],
        )
    return form.initial["date_from"], form.initial["date_to"], form.initial["rule"]


@login_required
@family_view(roles=PARENTS_AND_PROFESSIONALS)
def report(request: FamilyRequest) -> HttpResponse:
    form = _report_form(request)
    values = _report_values(form)
    sections = selectors.report(request.family, request.membership, *values) if values else []
    query = ""
    if values:
        query = f"?date_from={values[0]}&date_to={values[1]}&rule={values[2]}"
    return render(
        request,
        "schedule/report.html",
        {"form": form, "sections": sections, "values": values, "query": query, "tab": "report"},
    )


@login_required
@family_view(roles=PARENTS_AND_PROFESSIONALS)
def report_csv(request: FamilyRequest) -> HttpResponse:
    form = _report_form(request)
    values = _report_values(form)
    if values is None:
        return HttpResponse(
            "; ".join(str(e) for errors in form.errors.values() for e in errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    first, last, rule = values
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="parenting-time-{first}-{last}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "children",
            "parent",
            "from",
            "to",
            "nights_in_period",
            "overnights",
            "overnights_percent",
            "hours",
            "hours_percent",
            f"days_{rule}",
            *(f"meets_{value}_overnights_scaled" for value, _label in selectors.THRESHOLDS),
        ]
    )
    for section in selectors.report(request.family, request.membership, first, last, rule):
        for row in section.rows:
            writer.writerow(
                [
                    section.label,
                    row.name,
                    first.isoformat(),
                    last.isoformat(),
                    section.nights,
                    row.overnights,
                    row.overnights_percent,
                    row.hours,
                    row.hours_percent,
                    row.days,
                    *("yes" if met else "no" for _label, _value, met in row.thresholds),
                ]
            )
    return response


# ---- calendar feeds ---------------------------------------------------------------------------


@login_required
@family_view(roles=[Role.PARENT, Role.CAREGIVER, Role.CHILD])
def feed_settings(request: FamilyRequest) -> HttpResponse:
    link = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.feed_token_revoke(family=request.family, actor=request.user)
            messages.success(request, _("The link is stopped. Calendars using it stop updating."))
            return redirect("schedule:feed_settings", family_id=request.family.public_id)
        token = services.feed_token_regenerate(family=request.family, actor=request.user)
        link = absolute_url(f"/calendar/{token}.ics")
    return render(
        request,
        "schedule/feed.html",
        {
            "link": link,
            "active": selectors.feed_token_active(request.family, request.user),
            "tab": "feed",
        },
    )


@not_family_scoped
def feed(request: AuthenticatedRequest, token: str) -> HttpResponse:
    """A private calendar feed. The token is the only credential: an unknown or revoked one,
    or one whose owner has left the family, is 404."""
    found = selectors.feed_token_lookup(services.feed_token_hash(token))
    if found is None:
        raise Http404
    membership = Membership.objects.active().get(family=found.family, user=found.user)
    body = ical.feed(found.family, membership, timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="coparent.ics"'
    return response
