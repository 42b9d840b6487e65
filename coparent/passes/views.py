"""Pass pages: for parents (issue, see, revoke, co-sign, places) and for gate staff (check)."""

from __future__ import annotations

import datetime as dt

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coparent.core import fragments, ratelimit
from coparent.core.errors import ServiceError
from coparent.core.forms import add_service_error
from coparent.core.http import (
    FamilyRequest,
    absolute_url,
    client_address,
    throttle_key_for_address,
)
from coparent.core.paging import page_of
from coparent.core.tenancy import family_view, get_for_family, not_family_scoped
from coparent.families.models import Role
from coparent.passes import forms, selectors, services, tokens
from coparent.passes.models import Gate, PickupPass
from coparent.safety import selectors as safety_selectors

PASS_ROLES = (Role.PARENT, Role.PROFESSIONAL)
CHECKS_PER_ADDRESS = 60
CHECK_WINDOW_SECONDS = 600
PASSES_PER_PAGE = 20


@login_required
@family_view(roles=PASS_ROLES)
def pass_list(request: FamilyRequest) -> HttpResponse:
    def context() -> dict[str, object]:
        page = page_of(
            request,
            selectors.pass_list(request.family).order_by("-starts_at", "-pk"),
            PASSES_PER_PAGE,
        )
        for pickup_pass in page.items:  # upcoming, then active, then expired
            fragments.changes_at(pickup_pass.starts_at)
            fragments.changes_at(pickup_pass.ends_at)
        return {
            "page": page,
            "passes": [
                (p, selectors.status(p), _shown_place(p, request.user.pk)) for p in page.items
            ],
        }

    return fragments.render_kept(request, _("Pickup passes"), "passes/list.html", context)


@login_required
@family_view(roles=[Role.PARENT], write=True)
def pass_new(request: FamilyRequest) -> HttpResponse:
    form = forms.PassForm(request.POST or None, request.FILES or None, family=request.family)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pickup_pass = services.pass_issue(
                family=request.family,
                actor=request.user,
                person_name=data["person_name"],
                holder=data.get("holder"),
                person_relationship=data["person_relationship"],
                children=list(data["children"]),
                place=data["place"],
                gate=data.get("gate"),
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                photo=data["photo"].read() if data["photo"] else None,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            if pickup_pass.needs_cosign:
                messages.warning(
                    request,
                    _(
                        "By the agreed schedule this window is not all yours, so the pass works "
                        "once the other parent co-signs it. They have been told."
                    ),
                )
            else:
                messages.success(request, _("The pass is ready. The other parent has been told."))
            return redirect("passes:detail", request.family.public_id, pickup_pass.public_id)
    return render(request, "passes/form.html", {"form": form})


@login_required
@family_view(roles=PASS_ROLES)
def pass_detail(request: FamilyRequest, pass_id: str) -> HttpResponse:
    pickup_pass = get_for_family(
        selectors.pass_list(request.family), request.family, public_id=pass_id
    )
    is_issuer = pickup_pass.issued_by.user_id == request.user.pk
    hidden = pickup_pass.place_confidential and not is_issuer
    context = {
        "pass": pickup_pass,
        "status": selectors.status(pickup_pass),
        "checks": selectors.check_list(pickup_pass),
        "is_issuer": is_issuer,
        "shown_place": safety_selectors.CONFIDENTIAL_PLACE if hidden else pickup_pass.place,
    }
    # The link and code are what gate staff accept: parents hold them, a read-only
    # professional sees the pass without being able to hand it to anyone. A pass to a
    # confidential place keeps them with its issuer: the check page names the place.
    if request.membership.is_parent and not hidden:
        context.update(_credentials(pickup_pass))
    return render(request, "passes/detail.html", context)


def _shown_place(pickup_pass: PickupPass, viewer_id: int) -> str:
    return safety_selectors.shown_place(
        pickup_pass.place,
        confidential=pickup_pass.place_confidential,
        owner_id=pickup_pass.issued_by.user_id,
        viewer_id=viewer_id,
    )


def _qr(link: str) -> str:
    # A viewBox and no fixed size, so CSS can scale it (up to a printed sign) without cropping.
    return segno.make(link, error="m").svg_inline(scale=4, dark="#1d2b36", omitsize=True)


def _credentials(pickup_pass: PickupPass) -> dict[str, str]:
    """What gate staff accept: the link, its QR code and the short code."""
    link = absolute_url(reverse("passes:verify", args=[selectors.token_for(pickup_pass)]))
    return {"link": link, "code": selectors.code_for(pickup_pass), "qr_svg": _qr(link)}


@login_required
@family_view(roles=[Role.CAREGIVER])
def pass_mine(request: FamilyRequest) -> HttpResponse:
    """A caregiver's own passes, to show at the gate: only the ones naming them, current first."""
    held = [
        (p, selectors.status(p), _credentials(p))
        for p in selectors.held_pass_list(request.family, request.membership)
    ]
    return render(request, "passes/mine.html", {"held": held})


@login_required
@family_view(roles=[Role.PARENT], write=True)
def pass_revoke(request: FamilyRequest, pass_id: str) -> HttpResponse:
    """Revoking takes two steps: this page says what it does, and its button does it."""
    pickup_pass = get_for_family(
        selectors.pass_list(request.family), request.family, public_id=pass_id
    )
    if request.method != "POST":
        return render(
            request,
            "passes/revoke.html",
            {
                "pass": pickup_pass,
                "status": selectors.status(pickup_pass),
                # The service's rule, so the page never offers a button that will be refused.
                "can_revoke": pickup_pass.issued_by.user_id == request.user.pk
                or pickup_pass.awaiting_cosign,
            },
        )
    try:
        services.pass_revoke(family=request.family, actor=request.user, pickup_pass=pickup_pass)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The pass is revoked. Any check from now on says NOT VALID."))
    return redirect("passes:detail", request.family.public_id, pickup_pass.public_id)


@require_POST
@login_required
@family_view(roles=[Role.PARENT], write=True)
def pass_cosign(request: FamilyRequest, pass_id: str) -> HttpResponse:
    pickup_pass = get_for_family(PickupPass, request.family, public_id=pass_id)
    try:
        services.pass_cosign(family=request.family, actor=request.user, pickup_pass=pickup_pass)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("You co-signed the pass; it is valid in its window."))
    return redirect("passes:detail", request.family.public_id, pickup_pass.public_id)


@login_required
@family_view(roles=PASS_ROLES)
def pass_photo(request: FamilyRequest, pass_id: str) -> HttpResponse:
    pickup_pass = get_for_family(PickupPass, request.family, public_id=pass_id)
    return _photo_response(pickup_pass)


def _photo_response(pickup_pass: PickupPass) -> HttpResponse:
    if not pickup_pass.photo:
        raise Http404
    response = HttpResponse(bytes(pickup_pass.photo), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@family_view(roles=PASS_ROLES)
def gate_list(request: FamilyRequest) -> HttpResponse:
    form = forms.GateForm(request.POST or None)
    if request.method == "POST":
        if request.membership.read_only:
            raise Http404
        if form.is_valid():
            try:
                gate, _token = services.gate_create(
                    family=request.family, actor=request.user, name=form.cleaned_data["name"]
                )
            except ServiceError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("The place is added. Give its staff the link below, or print the sign."),
                )
                return redirect("passes:gate_detail", request.family.public_id, gate.public_id)
    return render(
        request, "passes/gates.html", {"form": form, "gates": selectors.gate_list(request.family)}
    )


@login_required
@family_view(roles=PASS_ROLES)
def gate_detail(request: FamilyRequest, gate_id: str) -> HttpResponse:
    """A place's page: its staff link again, with a copy button and a printable sign with the
    QR code. Parents only see the link; a professional sees the place without it."""
    gate = get_for_family(selectors.gate_list(request.family), request.family, public_id=gate_id)
    context: dict[str, object] = {"gate": gate}
    if request.membership.is_parent:
        token = selectors.gate_link_token(gate)
        if token:
            link = absolute_url(reverse("passes:gate", args=[token]))
            context.update(link=link, qr_svg=_qr(link))
    return render(request, "passes/gate_detail.html", context)


@require_POST
@login_required
@family_view(roles=[Role.PARENT], write=True)
def gate_link_replace(request: FamilyRequest, gate_id: str) -> HttpResponse:
    gate = get_for_family(Gate, request.family, public_id=gate_id)
    try:
        services.gate_link_replace(family=request.family, actor=request.user, gate=gate)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("passes:gates", request.family.public_id)
    messages.success(
        request,
        _("The place has a new link. The old one no longer works: give the staff this one."),
    )
    return redirect("passes:gate_detail", request.family.public_id, gate.public_id)


@login_required
@family_view(roles=[Role.PARENT], write=True)
def gate_revoke(request: FamilyRequest, gate_id: str) -> HttpResponse:
    """Turning a link off takes two steps too: staff lose the page the moment it is done."""
    gate = get_for_family(selectors.gate_list(request.family), request.family, public_id=gate_id)
    if request.method != "POST":
        return render(request, "passes/gate_revoke.html", {"gate": gate})
    try:
        services.gate_revoke(family=request.family, actor=request.user, gate=gate)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("That place's link no longer works."))
    return redirect("passes:gates", request.family.public_id)


# Public pages for gate and school staff -------------------------------------------------------


def _limited(request: HttpRequest) -> HttpResponse | None:
    wait = ratelimit.hit(
        "pass-check",
        throttle_key_for_address(client_address(request)),
        limit=CHECKS_PER_ADDRESS,
        window_seconds=CHECK_WINDOW_SECONDS,
    )
    if not wait:
        return None
    return ratelimit.refuse(render(request, "passes/too_many.html"), wait)


def _result_page(
    request: HttpRequest, result: services.CheckResult, *, gate: Gate | None = None, token: str = ""
) -> HttpResponse:
    # Only a valid pass shows whom it names: a revoked, expired or wrong-place pass in the wrong
    # hands must not tell them who the children are, who may collect them, or where.
    pickup_pass = result.pickup_pass if result.valid else None
    # Every time on the page is in one zone, named: the family's, once the pass or the gate has
    # shown whose it is; UTC for a pass that names nobody.
    known = pickup_pass.family if pickup_pass else gate.family if gate else None
    context = {
        "result": result,
        "reason_text": services.REASONS.get(result.reason, ""),
        "pass": pickup_pass,
        "children": [c.first_name for c in pickup_pass.children.all()] if pickup_pass else [],
        "issuers": services.issuer_names(pickup_pass) if pickup_pass else "",
        "zone": selectors.family_zone(known) if known else dt.UTC,
        "checked_at": timezone.now(),
        "gate": gate,
        "token": token,
    }
    return render(request, "passes/verify.html", context, status=200)


@not_family_scoped
def verify(request: HttpRequest, token: str) -> HttpResponse:
    if (limited := _limited(request)) is not None:
        return limited
    return _result_page(request, services.pass_check(token), token=token)


@not_family_scoped
def verify_photo(request: HttpRequest, token: str) -> HttpResponse:
    if (limited := _limited(request)) is not None:
        return limited
    pickup_pass = services.pass_valid_now(token)
    if pickup_pass is None:
        raise Http404
    return _photo_response(pickup_pass)


@not_family_scoped
def public_key(request: HttpRequest) -> HttpResponse:
    """The Ed25519 key that signs pass tokens, so anyone can check a token offline (see
    docs/exchanges-and-passes.md for the token layout)."""
    response = HttpResponse(tokens.public_key_pem(), content_type="application/x-pem-file")
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@not_family_scoped
def check_code(request: HttpRequest) -> HttpResponse:
    form = forms.CodeForm(request.GET or None)
    if form.is_bound and form.is_valid():
        if (limited := _limited(request)) is not None:
            return limited
        return _result_page(request, services.pass_check_code(form.cleaned_data["code"]))
    return render(request, "passes/check_code.html", {"form": form})


@not_family_scoped
def gate(request: HttpRequest, token: str) -> HttpResponse:
    if (limited := _limited(request)) is not None:
        return limited
    found = selectors.gate_by_token_hash(services.gate_token_hash(token))
    if found is None:
        raise Http404
    form = forms.CodeForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return _result_page(
            request, services.pass_check_code(form.cleaned_data["code"], gate=found), gate=found
        )
    return render(
        request,
        "passes/gate.html",
        {
            "gate": found,
            "expected": selectors.expected_today(found),
            "zone": selectors.family_zone(found.family),
            "form": form,
        },
    )
