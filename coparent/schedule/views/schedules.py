"""The schedule overview, its JSON export and the answers to a proposed version."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coparent.core.errors import ServiceError
from coparent.core.http import FamilyRequest
from coparent.core.tenancy import family_view, get_for_family
from coparent.families.models import Role
from coparent.schedule import selectors, services
from coparent.schedule.models import ScheduleVersion
from coparent.schedule.views import PARENTS_AND_PROFESSIONALS


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
