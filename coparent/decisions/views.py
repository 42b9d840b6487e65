"""Decision pages: the list, proposing, one decision with its versions, comments and answers,
and the family's agreements with sharing. Parents act; professionals read; caregivers and
children see only the agreements shared with them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coparent.core.errors import ServiceError
from coparent.core.forms import add_service_error
from coparent.core.http import FamilyRequest
from coparent.core.tenancy import family_view, get_for_family
from coparent.decisions import forms, selectors, services, subjects
from coparent.decisions.models import Agreement, Decision, DecisionStatus, ProposalStatus

READERS = tuple(selectors.DECISION_READERS)


@login_required
@family_view(roles=READERS)
def decision_list(request: FamilyRequest) -> HttpResponse:
    status = request.GET.get("status", DecisionStatus.OPEN)
    if status not in DecisionStatus.values:
        status = DecisionStatus.OPEN
    counts = selectors.decision_counts(request.family)
    tabs = [(value, label, counts[value]) for value, label in DecisionStatus.choices]
    decisions = selectors.decision_list(request.family, status=status)
    return render(
        request,
        "decisions/list.html",
        {
            "tabs": tabs,
            "status": status,
            "rows": [(d, selectors.current_proposal(d)) for d in decisions],
        },
    )


@login_required
@family_view(roles=READERS, write=True)
def decision_new(request: FamilyRequest) -> HttpResponse:
    initial = {}
    if replaces := request.GET.get("replaces"):
        initial["supersedes"] = replaces
    form = forms.ProposeForm(request.POST or None, family=request.family, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.decision_propose(
                family=request.family,
                actor=request.user,
                title=data["title"],
                details=data["details"],
                category=data["category"],
                children=list(data["children"]),
                answer_kind=data["answer_kind"],
                options=form.option_list(),
                respond_by=data["respond_by"],
                on_no_answer=data["on_no_answer"],
                default_outcome=data["default_outcome"],
                default_source=data["default_source"],
                supersedes=data.get("supersedes"),
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Proposed. The other parent has been asked to answer."))
            return redirect("decisions:detail", request.family.public_id, decision.public_id)
    return render(request, "decisions/form.html", {"form": form})


def _decision(request: FamilyRequest, decision_id: str) -> Decision:
    found = get_for_family(Decision, request.family, public_id=decision_id)
    return selectors.decision_get(request.family, found)


def _detail(request: FamilyRequest, decision: Decision, **forms_given: Any) -> HttpResponse:
    proposal = selectors.current_proposal(decision)
    status = proposal.current_status()
    is_parent = request.membership.is_parent
    can_answer = (
        is_parent
        and status == ProposalStatus.PENDING
        and proposal.proposed_by_id != request.user.pk
    )
    context = {
        "decision": decision,
        "subject": subjects.subject_for(decision.subject),
        "proposal": proposal,
        "versions": list(reversed(list(decision.proposals.all()))),
        "comments": list(decision.comments.all()),
        "agreement": selectors.decision_agreement(decision),
        "can_answer": can_answer,
        "can_withdraw": is_parent
        and status == ProposalStatus.PENDING
        and proposal.proposed_by_id == request.user.pk,
        "can_comment": is_parent,
        "accept_form": forms_given.get("accept_form")
        or forms.AcceptForm(options=list(proposal.options)),
        "decline_form": forms_given.get("decline_form") or forms.DeclineForm(),
        "comment_form": forms_given.get("comment_form") or forms.CommentForm(),
    }
    return render(request, "decisions/detail.html", context)


@login_required
@family_view(roles=READERS)
def decision_detail(request: FamilyRequest, decision_id: str) -> HttpResponse:
    return _detail(request, _decision(request, decision_id))


def _refused(request: FamilyRequest, error: ServiceError) -> None:
    messages.error(request, error.message)


@login_required
@require_POST
@family_view(roles=READERS, write=True)
def decision_accept(request: FamilyRequest, decision_id: str) -> HttpResponse:
    decision = _decision(request, decision_id)
    proposal = selectors.current_proposal(decision)
    form = forms.AcceptForm(request.POST, options=list(proposal.options))
    if not form.is_valid():
        return _detail(request, decision, accept_form=form)
    try:
        services.decision_accept(
            family=request.family,
            actor=request.user,
            proposal=proposal,
            option=form.cleaned_data.get("option", ""),
        )
    except ServiceError as error:
        if error.field in form.fields:
            add_service_error(form, error)
            return _detail(request, decision, accept_form=form)
        _refused(request, error)
    else:
        messages.success(request, _("Agreed. It is now in the family's agreements."))
    return redirect("decisions:detail", request.family.public_id, decision.public_id)


@login_required
@require_POST
@family_view(roles=READERS, write=True)
def decision_decline(request: FamilyRequest, decision_id: str) -> HttpResponse:
    decision = _decision(request, decision_id)
    form = forms.DeclineForm(request.POST)
    if not form.is_valid():
        return _detail(request, decision, decline_form=form)
    try:
        services.decision_decline(
            family=request.family,
            actor=request.user,
            proposal=selectors.current_proposal(decision),
            reason=form.cleaned_data["reason"],
        )
    except ServiceError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Declined. The other parent has been told why."))
    return redirect("decisions:detail", request.family.public_id, decision.public_id)


@login_required
@family_view(roles=READERS, write=True)
def decision_counter(request: FamilyRequest, decision_id: str) -> HttpResponse:
    decision = _decision(request, decision_id)
    proposal = selectors.current_proposal(decision)
    initial = {
        "title": proposal.title,
        "details": proposal.details,
        "answer_kind": proposal.answer_kind,
        "options": "\n".join(proposal.options),
        "on_no_answer": proposal.on_no_answer,
        "default_outcome": proposal.default_outcome,
        "default_source": proposal.default_source,
    }
    form = forms.TermsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.decision_counter(
                family=request.family,
                actor=request.user,
                proposal=proposal,
                title=data["title"],
                details=data["details"],
                answer_kind=data["answer_kind"],
                options=form.option_list(),
                respond_by=data["respond_by"],
                on_no_answer=data["on_no_answer"],
                default_outcome=data["default_outcome"],
                default_source=data["default_source"],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your counter-proposal was sent."))
            return redirect("decisions:detail", request.family.public_id, decision.public_id)
    return render(
        request,
        "decisions/counter.html",
        {"form": form, "decision": decision, "proposal": proposal},
    )


@login_required
@require_POST
@family_view(roles=READERS, write=True)
def decision_withdraw(request: FamilyRequest, decision_id: str) -> HttpResponse:
    decision = _decision(request, decision_id)
    try:
        services.decision_withdraw(
            family=request.family,
            actor=request.user,
            proposal=selectors.current_proposal(decision),
        )
    except ServiceError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Withdrawn."))
    return redirect("decisions:detail", request.family.public_id, decision.public_id)


@login_required
@require_POST
@family_view(roles=READERS, write=True)
def decision_comment(request: FamilyRequest, decision_id: str) -> HttpResponse:
    decision = _decision(request, decision_id)
    form = forms.CommentForm(request.POST)
    if not form.is_valid():
        return _detail(request, decision, comment_form=form)
    try:
        comment = services.decision_comment(
            family=request.family,
            actor=request.user,
            decision=decision,
            body=form.cleaned_data["body"],
        )
    except ServiceError as error:
        _refused(request, error)
        return redirect("decisions:detail", request.family.public_id, decision.public_id)
    return redirect(
        services.decision_link(decision) + f"#comment-{comment.public_id}",
    )


@login_required
@family_view()
def agreement_list(request: FamilyRequest) -> HttpResponse:
    agreements = selectors.agreement_list(request.family, request.membership)
    return render(
        request,
        "decisions/agreements.html",
        {
            "in_force": [a for a in agreements if a.in_force],
            "superseded": [a for a in agreements if not a.in_force],
            "can_share": request.membership.is_parent,
            "can_read_decisions": request.membership.role in selectors.DECISION_READERS,
        },
    )


@login_required
@require_POST
@family_view(roles=READERS, write=True)
def agreement_share(request: FamilyRequest, agreement_id: str) -> HttpResponse:
    agreement = get_for_family(Agreement, request.family, public_id=agreement_id)
    form = forms.ShareForm(request.POST)
    form.is_valid()  # two checkboxes: anything else reads as unticked
    data = form.cleaned_data
    try:
        services.agreement_share(
            family=request.family,
            actor=request.user,
            agreement=agreement,
            caregivers=bool(data.get("caregivers")),
            children=bool(data.get("children")),
        )
    except ServiceError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Sharing saved."))
    return redirect(
        reverse("decisions:agreements", args=[request.family.public_id])
        + f"#agreement-{agreement.public_id}"
    )
