"""Swap requests: the list, asking, countering and answering."""

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
from coparent.core.paging import page_of
from coparent.core.tenancy import family_view, get_for_family
from coparent.families.models import Role
from coparent.schedule import forms, selectors, services
from coparent.schedule.models import Plan, SwapRequest, SwapStatus
from coparent.schedule.views import PARENTS_AND_PROFESSIONALS

SWAPS_PER_PAGE = 20


def _plan_choices(request: FamilyRequest) -> list[tuple[str, str]]:
    return [
        (str(p.public_id), selectors.plan_label(p)) for p in selectors.plan_list(request.family)
    ]


@login_required
@family_view(roles=PARENTS_AND_PROFESSIONALS)
def swap_list(request: FamilyRequest) -> HttpResponse:
    family = request.family
    page = page_of(
        request, selectors.swap_list(family).order_by("-requested_at", "-pk"), SWAPS_PER_PAGE
    )
    waiting = (
        selectors.swaps_to_answer(family, request.user, timezone.now()).count()
        if request.membership.is_parent
        else 0
    )
    return render(
        request,
        "schedule/swaps.html",
        {
            "page": page,
            "waiting": waiting,
            "has_plan": selectors.has_agreed_schedule(family),
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
