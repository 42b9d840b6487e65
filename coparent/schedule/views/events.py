"""Family events: creating, editing and deleting."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coparent.core.errors import ServiceError
from coparent.core.forms import add_service_error
from coparent.core.http import FamilyRequest
from coparent.core.tenancy import family_view, get_for_family
from coparent.families.models import Child, Membership, Role
from coparent.families.selectors import child_list, member_list
from coparent.safety import selectors as safety_selectors
from coparent.schedule import forms, selectors, services
from coparent.schedule.models import Event
from coparent.schedule.views import READERS


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
    shown_place = safety_selectors.shown_place(
        event.place,
        confidential=event.place_confidential,
        owner_id=event.created_by_id,
        viewer_id=request.user.pk,
    )
    # A confidential place is its author's alone: nobody else may edit the event around it.
    if not request.membership.is_parent or shown_place != event.place:
        return render(
            request,
            "schedule/event_detail.html",
            {"event": event, "shown_place": shown_place, "locked": shown_place != event.place},
        )
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
