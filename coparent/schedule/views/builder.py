"""The schedule builder with its live preview, and importing a spec file as a proposal."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from coparent.core.errors import ServiceError
from coparent.core.forms import add_service_error
from coparent.core.http import FamilyRequest
from coparent.core.tenancy import family_view, get_for_family
from coparent.engine import COMMON_HOLIDAYS, SpecError, exchanges
from coparent.families.models import Child, Role
from coparent.families.selectors import child_list, member_list
from coparent.schedule import forms, ical, selectors, services
from coparent.schedule.models import Plan, ScheduleVersion
from coparent.schedule.specs import builder_spec, common_holiday_rule, parsed

PREVIEW_WEEKS = 8


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


def _propose(
    request: FamilyRequest,
    form: forms.ScheduleBuilderForm | forms.ImportForm,
    spec: Any,
    effective: dt.datetime | None,
) -> HttpResponse | None:
    """Sends the proposal the builder or the import made: the redirect to the overview, or None
    with the service's refusal shown on the form (beside the field it names on that form)."""
    data = form.cleaned_data
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
        return None
    messages.success(request, _("Proposal sent. It takes effect when the other parent accepts it."))
    return redirect("schedule:overview", family_id=request.family.public_id)


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
                if sent := _propose(request, form, spec, effective):
                    return sent
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
        if sent := _propose(request, form, spec, effective):
            return sent
    return render(request, "schedule/import.html", {"form": form, "tab": "schedule"})
