"""Plan pages: the plan (every provision in force with its history, and proposals to answer),
proposing or counter-proposing a provision, the printable plan, and time away."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coparent.core.errors import ServiceError
from coparent.core.forms import add_service_error
from coparent.core.http import FamilyRequest
from coparent.core.tenancy import family_view, get_for_family
from coparent.decisions.models import Agreement, Proposal
from coparent.decisions.services import (
    agreement_share,
    decision_accept,
    decision_decline,
    decision_withdraw,
)
from coparent.families.models import Family, Membership, Role
from coparent.plan import forms, selectors, services
from coparent.plan.describe import describe
from coparent.plan.models import OfferStatus, TimeAway
from coparent.plan.provisions import KINDS, ProvisionError, parse
from coparent.schedule import selectors as schedule

# Professionals reach the write pages only to be told 403 (read-only); others get 404.
PARENTS = [Role.PARENT, Role.PROFESSIONAL]


def _plan_url(request: FamilyRequest, kind: str) -> str:
    return reverse("plan:plan", args=[request.family.public_id]) + f"#{kind}"


def parent_choices(family: Family) -> list[tuple[str, str]]:
    return [
        (str(m.public_id), m.user.display_name)
        for m in Membership.objects.active()
        .filter(family=family, role=Role.PARENT)
        .select_related("user")
        .order_by("created_at", "pk")
    ]


def _annotate(sections: list[selectors.Section], names: dict[str, str]) -> None:
    for section in sections:
        if section.in_force:
            section.lines = describe(section.in_force.provision, names)  # type: ignore[attr-defined]
        for decision in section.decisions:
            for proposal in decision.proposals.all():
                try:
                    provision = parse(section.kind, proposal.payload)
                except ProvisionError:
                    proposal.lines = []  # type: ignore[attr-defined]
                else:
                    proposal.lines = describe(provision, names)  # type: ignore[attr-defined]


def _plan_context(request: FamilyRequest) -> dict[str, Any]:
    names = dict(parent_choices(request.family))
    sections = selectors.plan_sections(request.family, request.membership)
    _annotate(sections, names)
    return {
        "sections": sections,
        "terms": selectors.exchange_terms_in_force(request.family),
        "sees_history": selectors.sees_history(request.membership),
    }


@login_required
@family_view()
def plan_page(request: FamilyRequest) -> HttpResponse:
    context = _plan_context(request)
    if request.membership.role in (Role.PARENT, Role.PROFESSIONAL):
        context["offers"] = list(selectors.time_away_upcoming(request.family)[:20])
    return render(request, "plan/plan.html", context)


@login_required
@family_view()
def plan_print(request: FamilyRequest) -> HttpResponse:
    context = _plan_context(request)
    context["printed_at"] = timezone.now()
    return render(request, "plan/print.html", context)


def _form_for(
    request: FamilyRequest, kind: str, initial: dict[str, Any] | None
) -> forms.ProposalFields:
    form_class = forms.FORMS[kind]
    return form_class(
        request.POST or None, initial=initial or {}, parents=parent_choices(request.family)
    )


@login_required
@family_view(roles=PARENTS, write=True)
def provision_propose(request: FamilyRequest, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    current = selectors.provision_in_force(request.family, kind)
    initial = forms.FORMS[kind].initial_from(current.provision) if current else None
    form = _form_for(request, kind, initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.provision_propose(
                family=request.family,
                actor=request.user,
                kind=kind,
                terms=form.terms(),
                respond_by=form.cleaned_data["respond_by"],
                details=form.cleaned_data["details"],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Proposed. It applies once the other parent accepts it."))
            return redirect(_plan_url(request, kind))
    return render(
        request,
        "plan/propose.html",
        {"form": form, "kind": kind, "title": KINDS[kind].title, "current": current},
    )


def _proposal(request: FamilyRequest, proposal_id: str) -> Proposal:
    proposal = get_for_family(
        Proposal.objects.select_related("decision", "proposed_by"),
        request.family,
        public_id=proposal_id,
    )
    if not proposal.decision.subject.startswith(selectors.PREFIX):
        raise Http404
    return proposal


@login_required
@family_view(roles=PARENTS, write=True)
def provision_counter(request: FamilyRequest, proposal_id: str) -> HttpResponse:
    proposal = _proposal(request, proposal_id)
    kind = proposal.decision.subject.removeprefix(selectors.PREFIX)
    if kind not in KINDS:
        raise Http404
    try:
        initial = forms.FORMS[kind].initial_from(parse(kind, proposal.payload))
    except ProvisionError:
        initial = {}
    form = _form_for(request, kind, initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.provision_counter(
                family=request.family,
                actor=request.user,
                proposal=proposal,
                terms=form.terms(),
                respond_by=form.cleaned_data["respond_by"],
                details=form.cleaned_data["details"],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Sent. The other parent answers your version now."))
            return redirect(_plan_url(request, kind))
    return render(
        request,
        "plan/propose.html",
        {"form": form, "kind": kind, "title": KINDS[kind].title, "counter": proposal},
    )


@require_POST
@login_required
@family_view(roles=PARENTS, write=True)
def provision_answer(request: FamilyRequest, proposal_id: str) -> HttpResponse:
    proposal = _proposal(request, proposal_id)
    kind = proposal.decision.subject.removeprefix(selectors.PREFIX)
    form = forms.AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(_("Choose accept, decline or withdraw; a reason is plain text."))
        answer, reason = form.cleaned_data["answer"], form.cleaned_data["reason"]
        if answer == "accept":
            decision_accept(family=request.family, actor=request.user, proposal=proposal)
            messages.success(request, _("Agreed. The plan now says this."))
        elif answer == "decline":
            decision_decline(
                family=request.family, actor=request.user, proposal=proposal, reason=reason
            )
            messages.success(request, _("Declined. What was agreed before stays in force."))
        else:
            decision_withdraw(family=request.family, actor=request.user, proposal=proposal)
            messages.success(request, _("Withdrawn."))
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect(_plan_url(request, kind))


@require_POST
@login_required
@family_view(roles=PARENTS, write=True)
def provision_share(request: FamilyRequest, plan_agreement_id: str) -> HttpResponse:
    """Share a provision in force with the family's caregivers (or stop): they see only those."""
    agreement = get_for_family(
        Agreement.objects.select_related("decision"), request.family, public_id=plan_agreement_id
    )
    if not agreement.decision.subject.startswith(selectors.PREFIX):
        raise Http404
    share = request.POST.get("caregivers") == "yes"
    try:
        agreement_share(
            family=request.family,
            actor=request.user,
            agreement=agreement,
            caregivers=share,
            children=agreement.shared_with_children,
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Shared with caregivers.") if share else _("No longer shared with caregivers."),
        )
    return redirect(_plan_url(request, agreement.decision.subject.removeprefix(selectors.PREFIX)))


# ---- time away -----------------------------------------------------------------------------------


@login_required
@family_view(roles=PARENTS, write=True)
def time_away_new(request: FamilyRequest) -> HttpResponse:
    plans = schedule.plan_list(request.family, request.membership)
    choices = [(str(p.public_id), schedule.plan_label(p)) for p in plans]
    form = forms.TimeAwayForm(request.POST or None, plans=choices)
    in_force = selectors.provision_in_force(request.family, "first_refusal")
    if request.method == "POST" and form.is_valid():
        plan = next(p for p in plans if str(p.public_id) == form.cleaned_data["plan"])
        try:
            away = services.time_away_create(
                family=request.family,
                actor=request.user,
                plan=plan,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                note=form.cleaned_data["note"],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Offered to the other parent first."))
            return redirect("plan:time_away", request.family.public_id, away.public_id)
    return render(
        request, "plan/time_away_form.html", {"form": form, "in_force": in_force, "plans": plans}
    )


@login_required
@family_view(roles=[Role.PARENT, Role.PROFESSIONAL])
def time_away(request: FamilyRequest, away_id: str) -> HttpResponse:
    away = get_for_family(
        selectors.time_away_list(request.family), request.family, public_id=away_id
    )
    can_answer = (
        request.membership.role == Role.PARENT
        and away.current_status() == OfferStatus.OFFERED
        and away.parent_id != request.user.pk
    )
    can_withdraw = (
        away.current_status() == OfferStatus.OFFERED and away.parent_id == request.user.pk
    )
    return render(
        request,
        "plan/time_away.html",
        {"away": away, "can_answer": can_answer, "can_withdraw": can_withdraw},
    )


@require_POST
@login_required
@family_view(roles=PARENTS, write=True)
def time_away_answer(request: FamilyRequest, away_id: str) -> HttpResponse:
    away = get_for_family(TimeAway.objects.all(), request.family, public_id=away_id)
    form = forms.OfferAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose accept, decline or withdraw."))
        return redirect("plan:time_away", request.family.public_id, away.public_id)
    answer, response = form.cleaned_data["answer"], form.cleaned_data["response"]
    try:
        if answer == "accept":
            services.time_away_accept(
                family=request.family, actor=request.user, away=away, response=response
            )
            messages.success(request, _("Accepted: the children are with you for that time."))
        elif answer == "decline":
            services.time_away_decline(
                family=request.family, actor=request.user, away=away, response=response
            )
            messages.success(request, _("Declined."))
        else:
            services.time_away_withdraw(family=request.family, actor=request.user, away=away)
            messages.success(request, _("Withdrawn."))
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("plan:time_away", request.family.public_id, away.public_id)
