"""Quick exit, the safety page, and protective-order mode's pages: turning it on and off, the
other parent's message forms and moderated messages, and the moderator's queue."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coparent.accounts.services import has_two_factor
from coparent.core.errors import ServiceError
from coparent.core.forms import add_service_error
from coparent.core.http import FamilyRequest
from coparent.core.tenancy import family_view, get_for_family, not_family_scoped
from coparent.families.models import Child, Membership, Role
from coparent.messaging import selectors as messaging_selectors
from coparent.messaging.views import attachment_response
from coparent.safety import forms, selectors, services, structured
from coparent.safety.hotlines import parse
from coparent.safety.models import HeldMessage, ProtectiveOrder


@not_family_scoped
@require_http_methods(["GET", "POST"])
def quick_exit(request: HttpRequest) -> HttpResponse:
    """The button's target when JavaScript is off, and the script's sign-out beacon.

    POST ends the session, so the Back button leads to the sign-in page rather than the family;
    GET only leaves, since a link must never change state."""
    if request.method == "POST":
        logout(request)
    response = HttpResponseRedirect(settings.COPARENT_QUICK_EXIT_URL)
    response["Referrer-Policy"] = "no-referrer"
    return response


@not_family_scoped
def safety(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "safety/safety.html",
        {"hotlines": parse(settings.COPARENT_SAFETY_HOTLINES)},
    )


def _professionals(request: FamilyRequest):  # type: ignore[no-untyped-def]
    return (
        Membership.objects.active()
        .filter(family=request.family, role=Role.PROFESSIONAL)
        .select_related("user")
    )


@login_required
@family_view(roles=[Role.PARENT])
def protection(request: FamilyRequest) -> HttpResponse:
    """A parent's page for the mode: turn it on, or (for the protected parent) manage it; the
    other parent reads what applies to them."""
    membership: Membership = request.membership
    mine = selectors.order_protecting(membership)
    restricting = selectors.restriction_for(membership) if mine is None else None
    form = forms.ProtectionForm(
        request.POST or None, request.FILES or None, professionals=_professionals(request)
    )
    # A parent restricted by the other's order may still turn it on for themselves: if both
    # claim protection, both are restricted, so the mode can never silence only the victim.
    if request.method == "POST" and mine is None:
        if form.is_valid():
            upload = form.cleaned_data["document"]
            limit = settings.MESSAGING_ATTACHMENT_MAX_BYTES
            document = None
            if upload is not None:
                if upload.size > limit:
                    form.add_error("document", _("The file is too large."))
                else:
                    document = services.Document(upload.name or "order", upload.read())
            if form.is_valid():
                try:
                    services.protection_start(
                        family=request.family,
                        actor=request.user,
                        reference=form.cleaned_data["reference"],
                        moderator=form.cleaned_data["moderator"],
                        document=document,
                    )
                except ServiceError as error:
                    add_service_error(form, error)
                else:
                    messages.success(request, _("Protective-order mode is on."))
                    return redirect("safety:protection", family_id=request.family.public_id)
        return render(
            request,
            "safety/protection.html",
            {"form": form, "mine": None, "restricting": restricting},
            status=400,
        )
    return render(
        request,
        "safety/protection.html",
        {
            "form": form,
            "mine": mine,
            "restricting": restricting,
            "moderator_form": forms.ModeratorForm(
                initial={"moderator": mine.moderator_id if mine else None},
                professionals=_professionals(request),
            ),
            "two_factor": has_two_factor(request.user),
        },
    )


def _my_order(request: FamilyRequest, order_id: str) -> ProtectiveOrder:
    order = get_for_family(ProtectiveOrder, request.family, public_id=order_id)
    if order.protected_id != request.membership.pk:
        raise Http404
    return order


@login_required
@family_view(roles=[Role.PARENT], write=True)
@require_POST
def protection_end(request: FamilyRequest, order_id: str) -> HttpResponse:
    order = _my_order(request, order_id)
    try:
        services.protection_end(family=request.family, actor=request.user, order=order)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Protective-order mode is off."))
    return redirect("safety:protection", family_id=request.family.public_id)


@login_required
@family_view(roles=[Role.PARENT], write=True)
@require_POST
def moderator_change(request: FamilyRequest, order_id: str) -> HttpResponse:
    order = _my_order(request, order_id)
    form = forms.ModeratorForm(request.POST, professionals=_professionals(request))
    if not form.is_valid():
        messages.error(request, _("Choose one of the professionals in the family."))
    else:
        try:
            services.moderator_set(
                family=request.family,
                actor=request.user,
                order=order,
                moderator=form.cleaned_data["moderator"],
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The moderator is saved."))
    return redirect("safety:protection", family_id=request.family.public_id)


@login_required
@family_view(roles=[Role.PARENT])
@require_GET
def order_document(request: FamilyRequest, order_id: str) -> HttpResponse:
    order = _my_order(request, order_id)
    if not order.document_stored:
        raise Http404
    return attachment_response(order.document_stored, order.document_name, order.document_type)


@login_required
@family_view(roles=[Role.PARENT])
def structured_message(request: FamilyRequest, thread_id: str, topic: str) -> HttpResponse:
    thread = messaging_selectors.thread_get(request.membership, thread_id)
    if topic not in structured.TOPICS:
        raise Http404
    children = list(Child.objects.filter(family=request.family))
    form = structured.TOPICS[topic]
    form_class = forms.structured_form(topic, children)
    bound = form_class(request.POST or None)
    if request.method == "POST" and bound.is_valid():
        names = {str(c.public_id): c.first_name for c in children}
        try:
            body = structured.compose(topic, bound.cleaned_data, names)
            services.structured_send(
                family=request.family, actor=request.user, thread=thread, topic=topic, body=body
            )
        except structured.StructuredError as error:
            bound.add_error(error.field if error.field in bound.fields else None, error.message)
        except ServiceError as error:
            add_service_error(bound, error)
        else:
            messages.success(request, _("Your message is sent."))
            return redirect(
                "messaging:thread", family_id=request.family.public_id, thread_id=thread.public_id
            )
    return render(
        request,
        "safety/structured.html",
        {"thread": thread, "topic": form, "form": bound},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@family_view(roles=[Role.PARENT], write=True)
@require_POST
def hold(request: FamilyRequest, thread_id: str) -> HttpResponse:
    thread = messaging_selectors.thread_get(request.membership, thread_id)
    form = forms.HoldForm(request.POST)
    if form.is_valid():
        try:
            services.message_hold(
                family=request.family,
                actor=request.user,
                thread=thread,
                body=form.cleaned_data["body"],
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your message is waiting for the moderator."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(
        "messaging:thread", family_id=request.family.public_id, thread_id=thread.public_id
    )


def _require_moderator(request: FamilyRequest) -> None:
    if not selectors.moderates(request.membership):
        raise PermissionDenied(_("Only the family's moderator can open this page."))


@login_required
@family_view(roles=[Role.PROFESSIONAL])
@require_GET
def moderation(request: FamilyRequest) -> HttpResponse:
    _require_moderator(request)
    return render(
        request,
        "safety/moderation.html",
        {"held": selectors.held_for_moderator(request.membership), "form": forms.DecisionForm()},
    )


@login_required
@family_view(roles=[Role.PROFESSIONAL], read_only_may_post=True)
@require_POST
def moderate(request: FamilyRequest, held_id: str) -> HttpResponse:
    _require_moderator(request)
    held = get_for_family(HeldMessage, request.family, public_id=held_id)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose deliver, edit or reject."))
        return redirect("safety:moderation", family_id=request.family.public_id)
    try:
        services.held_decide(
            family=request.family,
            actor=request.user,
            held=held,
            decision=form.cleaned_data["decision"],
            edited=form.cleaned_data["edited"],
            reason=form.cleaned_data["reason"],
        )
    except ServiceError as error:
        if error.code == "forbidden":
            raise PermissionDenied(error.message) from None
        messages.error(request, error.message)
    else:
        messages.success(request, _("Done."))
    return redirect("safety:moderation", family_id=request.family.public_id)


@login_required
@family_view(write=True)
@require_POST
def contact(request: FamilyRequest) -> HttpResponse:
    form = forms.ContactForm(request.POST)
    if form.is_valid():
        try:
            services.contact_update(
                family=request.family,
                actor=request.user,
                phone=form.cleaned_data["phone"],
                address=form.cleaned_data["address"],
                confidential=form.cleaned_data["confidential"],
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your contact details are saved."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("families:members", family_id=request.family.public_id)
