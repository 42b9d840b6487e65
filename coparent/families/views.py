"""Family pages: the family list, a family's home, its people, children and access log."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coparent.attention import selectors as attention
from coparent.core import fragments, ratelimit
from coparent.core.errors import ServiceError
from coparent.core.forms import add_service_error
from coparent.core.http import AuthenticatedRequest, FamilyRequest
from coparent.core.tenancy import family_view, get_for_family, not_family_scoped
from coparent.families import forms, held, selectors, services
from coparent.families.access import visit_list
from coparent.families.models import AccessRequest, Child, Invitation, Membership, Role
from coparent.safety import selectors as safety_selectors
from coparent.safety.forms import ContactForm

LAST_FAMILY = "last_family"


@not_family_scoped
def home(request: AuthenticatedRequest) -> HttpResponse:
    """Signed out: what coparent is. Signed in: an invitation opened in this browser and not yet
    answered, else the family used last, or the list of families."""
    if not request.user.is_authenticated:
        return render(request, "landing.html")
    if held.held_id(request):
        return redirect("families:invitation_held")
    memberships = selectors.family_list_for_user(request.user)
    last = request.session.get(LAST_FAMILY)
    for membership in memberships:
        if str(membership.family.public_id) == last:
            return redirect("families:detail", family_id=last)
    if len(memberships) == 1:
        return redirect("families:detail", family_id=memberships[0].family.public_id)
    return redirect("families:list")


@not_family_scoped
@login_required
def family_list(request: AuthenticatedRequest) -> HttpResponse:
    pending = services.invitation_pending_for(
        request.user, held.held(request), held.dismissed(request)
    )
    form = forms.FamilyForm(request.POST or None)
    if request.method == "POST" and pending is None and form.is_valid():
        try:
            family = services.family_create(actor=request.user, name=form.cleaned_data["name"])
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("Your family is ready. Add your children, then invite the other parent.")
            )
            return redirect("families:detail", family_id=family.public_id)
    return render(
        request,
        "families/list.html",
        {
            "memberships": selectors.family_list_for_user(request.user),
            "form": form,
            "pending": pending,
        },
    )


@login_required
@family_view()
def family_detail(request: FamilyRequest) -> HttpResponse:
    if request.session.get(LAST_FAMILY) != str(request.family.public_id):
        request.session[LAST_FAMILY] = str(request.family.public_id)  # a write only on change
    family = request.family
    membership: Membership = request.membership
    membership.user = request.user

    def context() -> dict[str, object]:
        # Kept on the request: the navigation's badge counts these instead of asking again.
        items = request.attention_items = attention.items_for(family, membership)  # type: ignore[attr-defined]
        for item in items:  # each falls due, starts or expires at its deadline
            fragments.changes_at(item.deadline)
        invitations = (
            list(selectors.invitation_pending_list(family)) if membership.is_parent else []
        )
        for invitation in invitations:
            fragments.changes_at(invitation.expires_at)
        return {
            "attention_items": items,
            "attention_count": attention.answer_count(items),
            "children": selectors.child_list(family),
            "members": selectors.member_list(family),
            "pending_invitations": invitations,
        }

    # "Today", "tomorrow" and the children's ages move with the date; deadlines, handovers
    # and countdowns (the `countdown` filter) name their own moments while the page is drawn.
    return fragments.render_kept(
        request, family.name, "families/detail.html", context, vary=[fragments.local_date()]
    )


@login_required
@family_view()
def members(request: FamilyRequest) -> HttpResponse:
    family = request.family
    membership: Membership = request.membership
    return render(
        request,
        "families/members.html",
        {
            "members": selectors.member_list(family),
            "former_members": selectors.former_member_list(family) if membership.is_parent else [],
            "invitations": selectors.invitation_list(family) if membership.is_parent else [],
            "contacts": safety_selectors.contact_list(family, membership),
            "contact_form": ContactForm(initial=safety_selectors.my_contact(membership)),
        },
    )


@login_required
@family_view(roles=[Role.PARENT], write=True)
def invitation_create(request: FamilyRequest) -> HttpResponse:
    family = request.family
    children = [(str(c.public_id), c.first_name) for c in selectors.child_list(family)]
    form = forms.InvitationForm(request.POST or None, children=children)
    link = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        child = get_for_family(Child, family, public_id=data["child"]) if data["child"] else None
        try:
            invitation, token = services.invitation_create(
                family=family,
                actor=request.user,
                role=data["role"],
                email=data["email"] or "",
                relationship=data["relationship"],
                professional_kind=data["professional_kind"],
                access_days=data["access_days"],
                child=child,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            link = services.invitation_link(token)
            return render(
                request,
                "families/invitation_created.html",
                {"invitation": invitation, "link": link},
            )
    return render(
        request,
        "families/invitation_form.html",
        {"form": form, "invitation_days": settings.INVITATION_DAYS},
    )


@login_required
@family_view(roles=[Role.PARENT], write=True)
def invitation_revoke(request: FamilyRequest, invitation_id: str) -> HttpResponse:
    """GET asks first (a withdrawn link cannot be brought back); POST withdraws."""
    family = request.family
    invitation = get_for_family(Invitation, family, public_id=invitation_id)
    if request.method != "POST":
        return render(request, "families/invitation_withdraw.html", {"invitation": invitation})
    try:
        services.invitation_revoke(family=family, actor=request.user, invitation=invitation)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The invitation is withdrawn; its link no longer works."))
    return redirect(_back(request, "families:members"), family_id=family.public_id)


@require_POST
@login_required
@family_view(roles=[Role.PARENT], write=True)
def invitation_resend(request: FamilyRequest, invitation_id: str) -> HttpResponse:
    family = request.family
    invitation = get_for_family(Invitation, family, public_id=invitation_id)
    wait = ratelimit.hit(
        "invitation-resend",
        str(invitation.public_id),
        limit=services.RESENDS_PER_HOUR,
        window_seconds=3600,
    )
    if wait:
        return ratelimit.refuse(
            render(
                request,
                "accounts/too_many.html",
                {"minutes": max(1, -(-wait // 60))},
            ),
            wait,
        )
    try:
        invitation, token = services.invitation_resend(
            family=family, actor=request.user, invitation=invitation
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(_back(request, "families:detail"), family_id=family.public_id)
    return render(
        request,
        "families/invitation_created.html",
        {"invitation": invitation, "link": services.invitation_link(token), "resent": True},
    )


def _back(request: FamilyRequest, default: str) -> str:
    """Home or the people page, whichever the form was on."""
    return "families:detail" if request.POST.get("from") == "home" else default


@require_POST
@login_required
@family_view(roles=[Role.PARENT], write=True)
def membership_revoke(request: FamilyRequest, membership_id: str) -> HttpResponse:
    family = request.family
    membership = get_for_family(Membership, family, public_id=membership_id)
    try:
        services.membership_revoke(family=family, actor=request.user, membership=membership)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(name)s no longer has access to this family.") % {"name": membership.user}
        )
    return redirect("families:members", family_id=family.public_id)


@login_required
@family_view(roles=[Role.PARENT], write=True)
def child_add(request: FamilyRequest) -> HttpResponse:
    family = request.family
    form = forms.ChildForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            child = services.child_add(family=family, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("%(name)s is added.") % {"name": child.first_name})
            return redirect("families:detail", family_id=family.public_id)
    return render(request, "families/child_form.html", {"form": form, "child": None})


@login_required
@family_view(roles=[Role.PARENT], write=True)
def child_edit(request: FamilyRequest, child_id: str) -> HttpResponse:
    family = request.family
    child = get_for_family(Child, family, public_id=child_id)
    initial = {
        "first_name": child.first_name,
        "last_name": child.last_name,
        "date_of_birth": child.date_of_birth,
    }
    form = forms.ChildForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.child_update(
                family=family, actor=request.user, child=child, **form.cleaned_data
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("families:detail", family_id=family.public_id)
    return render(request, "families/child_form.html", {"form": form, "child": child})


@login_required
@family_view(roles=[Role.PARENT])
def access_log(request: FamilyRequest) -> HttpResponse:
    return render(
        request,
        "families/access_log.html",
        {
            "visits": visit_list(request.family),
            "professionals": selectors.professional_list(request.family),
        },
    )


@login_required
@family_view(roles=[Role.PARENT], write=True)
def settings_view(request: FamilyRequest) -> HttpResponse:
    family = request.family
    policy = request.POST.get("form") == "policy"
    form = forms.FamilyForm(
        request.POST if request.method == "POST" and not policy else None,
        initial={"name": family.name},
    )
    policy_form = forms.FamilyPolicyForm(
        request.POST if policy else None,
        initial={"access_approval": family.access_approval, "deletion_hold": family.deletion_hold},
    )
    if request.method == "POST" and policy and policy_form.is_valid():
        try:
            services.family_policy_update(
                family=family, actor=request.user, **policy_form.cleaned_data
            )
        except ServiceError as error:
            add_service_error(policy_form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("families:settings", family_id=family.public_id)
    elif request.method == "POST" and not policy and form.is_valid():
        try:
            services.family_rename(
                family=family, actor=request.user, name=form.cleaned_data["name"]
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("families:detail", family_id=family.public_id)
    return render(
        request,
        "families/settings.html",
        {"form": form, "policy_form": policy_form, "delete_days": settings.FAMILY_DELETE_DAYS},
    )


@login_required
@family_view(roles=[Role.PARENT])
def access_log_member(request: FamilyRequest, membership_id: str) -> HttpResponse:
    """What one professional opened, in words: the parents' view of a single person's visits."""
    member = get_for_family(
        Membership.objects.select_related("user").filter(role=Role.PROFESSIONAL),
        request.family,
        public_id=membership_id,
    )
    return render(
        request,
        "families/access_log.html",
        {
            "visits": visit_list(request.family, user_id=member.user_id),
            "member": member,
            "professionals": selectors.professional_list(request.family),
        },
    )


@not_family_scoped
@login_required
def workspace(request: AuthenticatedRequest) -> HttpResponse:
    """A professional's desk: every family they have access to, with when each access ends,
    and the requests for access they sent."""
    return render(
        request,
        "families/workspace.html",
        {
            "accesses": selectors.professional_access_list(request.user),
            "requests": selectors.access_request_list(request.user),
        },
    )


@not_family_scoped
@login_required
def access_request_create(request: AuthenticatedRequest) -> HttpResponse:
    form = forms.AccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.access_request_create(actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            # The same words whether or not the address has an account.
            messages.success(
                request,
                _(
                    "If that address belongs to a parent on coparent, they have your request "
                    "by email now. You will see their answer here."
                ),
            )
            return redirect("families:workspace")
    return render(request, "families/access_request_form.html", {"form": form})


@not_family_scoped
@require_POST
@login_required
def access_request_withdraw(request: AuthenticatedRequest, request_id: str) -> HttpResponse:
    found = selectors.access_request_list(request.user).filter(public_id=_uuid_or_404(request_id))
    access_request = found.first()
    if access_request is None:
        raise Http404
    try:
        services.access_request_withdraw(actor=request.user, request=access_request)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your request is withdrawn."))
    return redirect("families:workspace")


def _uuid_or_404(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Http404 from None


@not_family_scoped
@login_required
def access_request(request: AuthenticatedRequest, request_id: str) -> HttpResponse:
    """The page the request's email links to: the parent it was sent to sees who asks, for how
    long, and answers for one of their families. Anyone else gets 404."""
    found = services.access_request_for_parent(request.user, _uuid_or_404(request_id))
    if found is None:
        raise Http404
    if found.family_id is not None:
        return redirect(
            "families:access_request_review",
            family_id=found.family.public_id,  # type: ignore[union-attr]
            request_id=found.public_id,
        )
    families = [
        (str(m.family.public_id), m.family.name)
        for m in selectors.family_list_for_user(request.user)
        if m.role == Role.PARENT
    ]
    form = forms.AccessAnswerForm(request.POST or None, families=families)
    if request.method == "POST" and found.is_open and form.is_valid():
        membership = next(
            m
            for m in selectors.family_list_for_user(request.user)
            if str(m.family.public_id) == form.cleaned_data["family"]
        )
        return _answer(request, membership.family, found, form)
    return render(request, "families/access_request.html", {"access_request": found, "form": form})


@login_required
@family_view(roles=[Role.PARENT])
def access_request_review(request: FamilyRequest, request_id: str) -> HttpResponse:
    """A request filed under this family: the other parent's answer when both must approve."""
    family = request.family
    found = get_for_family(
        AccessRequest.objects.select_related("requester"), family, public_id=request_id
    )
    approvals = list(found.approvals.select_related("user"))
    form = forms.AccessAnswerForm(
        request.POST or None, families=[(str(family.public_id), family.name)]
    )
    if request.method == "POST" and form.is_valid():
        return _answer(request, family, found, form)
    return render(
        request,
        "families/access_request.html",
        {
            "access_request": found,
            "form": form,
            "approvals": approvals,
            "approved_by_you": any(a.user_id == request.user.pk for a in approvals),
            "family": family,
        },
    )


def _answer(
    request: AuthenticatedRequest, family: Any, found: AccessRequest, form: forms.AccessAnswerForm
) -> HttpResponse:
    approve = form.cleaned_data["action"] == "approve"
    try:
        if approve:
            answered = services.access_request_approve(
                family=family, actor=request.user, request=found
            )
        else:
            answered = services.access_request_decline(
                family=family, actor=request.user, request=found
            )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(request.path)
    if not approve:
        messages.success(request, _("You declined the request."))
    elif answered.membership_id:
        messages.success(
            request,
            _("%(name)s has read-only access for %(days)d days.")
            % {"name": answered.requester.display_name, "days": answered.access_days},
        )
    else:
        messages.success(
            request, _("You approved. Access starts when the other parent approves too.")
        )
    return redirect("families:members", family_id=family.public_id)


@not_family_scoped
def invitation(request: AuthenticatedRequest, token: str) -> HttpResponse:
    """The page an invitation link opens. Anyone with the link sees who invited them and as what;
    accepting needs an account with a confirmed email. The browser keeps hold of the invitation
    while its holder signs up or signs in."""
    found = services.invitation_by_token(token)
    if found is None:
        return render(request, "families/invitation_invalid.html", status=404)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(reverse("accounts:login") + f"?next={request.path}")
        return _accept(request, token=token, found=found)
    if found.status == "pending" and str(found.public_id) not in held.dismissed(request):
        held.hold(request, found)
    return render(request, "families/invitation.html", {"invitation": found})


@not_family_scoped
@login_required
def invitation_held(request: AuthenticatedRequest) -> HttpResponse:
    """The invitation this browser opened before signing in (or one sent to the person's
    address, answered from the family list): accept it, or say it is not for them."""
    found = held.held(request)
    if request.method == "POST":
        invitation_id = request.POST.get("invitation", "")
        if found is None or str(found.public_id) != invitation_id:
            found = services.invitation_pending_for(request.user, None, held.dismissed(request))
            if found is None or str(found.public_id) != invitation_id:
                messages.error(request, _("That invitation is no longer waiting for you."))
                return redirect("families:list")
        if request.POST.get("action") == "dismiss":
            held.dismiss(request, found)
            return redirect("home")
        return _accept(request, invitation=found)
    if found is None or services.is_member(found.family, request.user):
        held.release(request)
        return redirect("home")
    if found.status != "pending":
        held.release(request)
        messages.error(request, _status_message(found))
        return redirect("home")
    return render(request, "families/invitation.html", {"invitation": found, "held": True})


def _accept(
    request: AuthenticatedRequest,
    *,
    token: str = "",
    invitation: Invitation | None = None,
    found: Invitation | None = None,
) -> HttpResponse:
    """Accepts by the link's token, or a held invitation by itself. A refusal is said once and
    the invitation stops standing in for home in this browser."""
    try:
        membership = services.invitation_accept(
            user=request.user, token=token, invitation=invitation
        )
    except ServiceError as error:
        messages.error(request, error.message)
        held.dismiss(request, invitation or found)
        return redirect("home") if invitation is not None else redirect(request.path)
    held.release(request)
    messages.success(request, _("Welcome to %(family)s.") % {"family": membership.family.name})
    return redirect("families:detail", family_id=membership.family.public_id)


def _status_message(invitation: Invitation) -> str:
    return {
        "accepted": _("This invitation has already been used."),
        "revoked": _("The invitation you opened was withdrawn. Ask %(who)s for a new one."),
        "expired": _("The invitation you opened has expired. Ask %(who)s for a new one."),
    }.get(invitation.status, "") % {"who": invitation.invited_by.display_name}
