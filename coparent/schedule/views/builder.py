"""The schedule builder with its live preview, and importing a spec file as a proposal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
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
from coparent.engine.changes import spec_changes
from coparent.families.models import Child, Role
from coparent.families.selectors import child_list, member_list
from coparent.schedule import forms, ical, selectors, services
from coparent.schedule.models import Plan, ScheduleVersion
from coparent.schedule.specs import (
    builder_spec,
    builder_spec_with_kept,
    builder_values,
    common_holiday_rule,
    holiday_field_keys,
    parsed_spec,
)

PREVIEW_WEEKS = 8


def _child_choices(request: FamilyRequest) -> list[tuple[str, str]]:
    return [
        ("all", _("All children")),
        *((str(c.public_id), c.first_name) for c in child_list(request.family)),
    ]


def _child_from_choice(request: FamilyRequest, value: str) -> Child | None:
    return None if value in ("", "all") else get_for_family(Child, request.family, public_id=value)


@dataclass
class _Base:
    """What a proposal starts from: the agreed plan the chosen children follow today (their own
    plan when they have one, else the shared plan), its current spec and the builder's values
    for it. Empty before anything is agreed."""

    plan: Plan | None = None
    spec: dict[str, Any] | None = None
    values: dict[str, Any] = field(default_factory=dict)

    def names(self, request: FamilyRequest) -> dict[str, str]:
        """Names for "A" and "B": the plan's, or before a plan exists, the parents in the order
        they joined."""
        if self.plan is not None:
            return selectors.parent_names(self.plan)
        parents = [m for m in member_list(request.family) if m.role == Role.PARENT]
        return {
            letter: parents[i].user.display_name if i < len(parents) else _("the other parent")
            for i, letter in enumerate("AB")
        }

    @property
    def agreed_pattern(self) -> str:
        rotation = self.values.get("agreed_rotation") or {}
        return str(rotation.get("pattern") or rotation.get("template") or "")


def _base(request: FamilyRequest, choice: str) -> _Base:
    plans = list(selectors.plan_queryset(request.family))
    child = None
    if choice not in ("", "all"):
        child = next((c for c in child_list(request.family) if str(c.public_id) == choice), None)
    own = next((p for p in plans if child is not None and p.child_id == child.pk), None)
    shared = next((p for p in plans if p.child_id is None), None)
    plan = own or shared or (plans[0] if plans and child is None else None)
    spec = selectors.current_spec(plan) if plan is not None else None
    if plan is None or spec is None:
        return _Base(plan=plan)
    return _Base(plan=plan, spec=spec, values=builder_values(spec))


def _builder_initial(request: FamilyRequest, base: _Base, choice: str) -> dict[str, Any]:
    today = timezone.localdate()
    initial: dict[str, Any] = {
        "child": choice,
        "anchor": today - dt.timedelta(days=today.weekday()),
        "timezone": request.user.timezone or "UTC",
        "template": "2-2-3",
        "first": "A",
        "exchange_time": dt.time(18, 0),
        "exchange_place": "",
        "effective_date": today + dt.timedelta(days=1),
        "periods": [],
    }
    for key, value in base.values.items():
        if value is not None and key not in ("agreed_rotation", "kept_holidays", "kept"):
            initial[key] = value
    return initial


def _builder_values(data: dict[str, Any]) -> dict[str, Any]:
    """The cleaned-data shape of the form's values (initial or posted), with every holiday row
    filled from its defaults when the row is not ticked."""
    values = dict(data)
    for index, holiday in enumerate(COMMON_HOLIDAYS):
        keys = holiday_field_keys(index)
        values.setdefault(keys["on"], False)
        values.setdefault(keys["parent"], "B" if holiday.assignment == "father" else "A")
        values.setdefault(keys["start_days"], holiday.start["days"])
        values.setdefault(keys["start_time"], dt.time.fromisoformat(holiday.start["time"]))
        values.setdefault(keys["end_days"], holiday.end["days"])
        values.setdefault(keys["end_time"], dt.time.fromisoformat(holiday.end["time"]))
    return values


def _spec_from_values(data: dict[str, Any], base: _Base) -> dict[str, Any]:
    holidays = []
    for index in range(len(COMMON_HOLIDAYS)):
        keys = holiday_field_keys(index)
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
    built = builder_spec(
        timezone=data["timezone"],
        template=data["template"],
        anchor=data["anchor"],
        first=data["first"],
        exchange_time=data["exchange_time"],
        holidays=holidays,
        school_periods=data["periods"],
        exchange_place=data.get("exchange_place", ""),
    )
    if not base.values:
        return built
    return builder_spec_with_kept(
        built,
        agreed_rotation=base.values["agreed_rotation"],
        kept_holidays=base.values["kept_holidays"],
        kept=base.values["kept"],
    )


def _changes(spec: dict[str, Any], base: _Base, names: dict[str, str]) -> list[str] | None:
    """The proposal's differences from the agreed plan, or None when nothing is agreed yet."""
    return None if base.spec is None else spec_changes(base.spec, spec, names)


def _kept_names(base: _Base) -> list[str]:
    """The agreed parts the builder has no fields for, which it keeps as they are."""
    names = [str(rule.get("name", "")) for rule in base.values.get("kept_holidays", [])]
    names += [
        key.removeprefix("x-").replace("_", " ").capitalize()
        for key in base.values.get("kept", {})
        if key not in ("night_check", "day_rule")
    ]
    return [name for name in names if name]


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
        schedule = parsed_spec(spec)
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
    now = timezone.now()
    upcoming = [e for e in exchanges(timeline) if e.at >= now][:3]
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
    choice = (request.POST if request.method == "POST" else request.GET).get("child", "all")
    base = _base(request, choice)
    names = base.names(request)
    form = forms.ScheduleBuilderForm(
        request.POST or None,
        request.FILES or None,
        names=names,
        children=_child_choices(request),
        agreed_pattern=base.agreed_pattern,
        initial=_builder_initial(request, base, choice),
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
            spec = _spec_from_values(form.cleaned_data, base)
            preview = _preview(spec, names)
            preview["changes"] = _changes(spec, base, names)
            if request.POST.get("action") == "propose" and "error" not in preview:
                if preview["changes"] == []:
                    form.add_error(
                        None,
                        _(
                            "No change: this is the agreed plan as it stands. Change something "
                            "before sending it to the other parent."
                        ),
                    )
                else:
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
        spec = _spec_from_values(_builder_values(dict(form.initial)), base)
        preview = _preview(spec, names)
        preview["changes"] = _changes(spec, base, names)
    if partial:
        return render(request, "schedule/_preview.html", {"preview": preview, "form": form})
    return render(
        request,
        "schedule/builder.html",
        {
            "form": form,
            "preview": preview,
            "tab": "schedule",
            "base": base,
            "kept": _kept_names(base),
            "child_plans": [
                (str(p.child.public_id) if p.child else "all", selectors.plan_label(p))
                for p in selectors.plan_queryset(request.family)
            ],
        },
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
