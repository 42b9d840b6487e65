"""Pages for signing up, signing in (with two-factor), and managing one's own account."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from coparent.accounts import deletion, exports, forms, services, throttle
from coparent.accounts.models import DataExport, SignInEvent, User, UserSession
from coparent.core import ratelimit
from coparent.core.errors import ServiceError
from coparent.core.forms import add_service_error
from coparent.core.http import AuthenticatedRequest, client_address
from coparent.core.logging import security_log
from coparent.families import held
from coparent.families import selectors as family_selectors
from coparent.families import services as family_services
from coparent.families.models import Invitation

PENDING_2FA = "pending_2fa"
PENDING_2FA_SECONDS = 300
SIGN_IN_HISTORY_SHOWN = 100
REAUTH_AT = "reauth_at"


def _next_url(request: HttpRequest, default: str = "home") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(default)


def too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    """The page for a sign-up, reset or resend that went over its limit."""
    minutes = max(1, -(-retry_after // 60))
    return ratelimit.refuse(
        render(request, "accounts/too_many.html", {"minutes": minutes}), retry_after
    )


def _held_pending(request: HttpRequest) -> Invitation | None:
    found = held.held(request)
    return found if found is not None and found.status == "pending" else None


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    invitation = _held_pending(request)
    form = forms.SignupForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and invitation
        and invitation.email
        and form.cleaned_data["email"].strip().lower() != invitation.email
    ):
        form.add_error(
            "email",
            _(
                "Your invitation was sent to another email address. Sign up with that "
                "address, or ask %(who)s to invite this one."
            )
            % {"who": invitation.invited_by.display_name},
        )
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        limit = throttle.account_email_check(email, client_address(request))
        if limit.wait:
            return too_many(request, limit.wait)
        try:
            if limit.send:
                services.user_signup(
                    email=email,
                    display_name=form.cleaned_data["display_name"],
                    password=form.cleaned_data["password"],
                    timezone_name=form.cleaned_data["timezone"],
                    invitation=str(invitation.public_id) if invitation else "",
                )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            # The same page whether the address was new or already had an account.
            request.session["signed_up_email"] = email.strip().lower()
            return redirect(
                reverse("accounts:check_email") + "?" + urlencode({"next": _next_url(request)})
            )
    return render(
        request,
        "accounts/signup.html",
        {"form": form, "next": request.GET.get("next", ""), "invitation": invitation},
    )


def check_email(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/check_email.html",
        {
            "email": request.session.get("signed_up_email", ""),
            "next": request.GET.get("next", ""),
            "invitation": _held_pending(request),
        },
    )


def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """Confirms the address and, for an account made from an invitation, joins its family: the
    person agreed to that when signing up from the link, and now shows the address is theirs."""
    try:
        user, invitation_id = services.email_confirm(token)
    except ServiceError as error:
        return render(
            request, "accounts/confirm_failed.html", {"message": error.message}, status=400
        )
    messages.success(request, _("Thank you, your email address is confirmed. You can sign in now."))
    after = reverse("home")
    invitation = family_services.invitation_held(invitation_id) if invitation_id else None
    if invitation is not None and invitation.accepted_by_id == user.pk:
        after = reverse("families:detail", args=[invitation.family.public_id])
    elif invitation is not None:
        try:
            membership = family_services.invitation_accept(user=user, invitation=invitation)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            after = reverse("families:detail", args=[membership.family.public_id])
            messages.success(
                request,
                _("You joined %(family)s as %(role)s.")
                % {"family": membership.family.name, "role": membership.role_label},
            )
        if held.held_id(request) == invitation_id:
            held.release(request)
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect(after)
    return redirect(
        reverse("accounts:login") + "?" + urlencode({"email": user.email, "next": after})
    )


@require_POST
def resend_confirmation(request: HttpRequest) -> HttpResponse:
    form = forms.ResendConfirmationForm(request.POST)
    if form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        limit = throttle.account_email_check(email, client_address(request))
        if limit.wait:
            return too_many(request, limit.wait)
        user = User.objects.filter(email=email, email_verified=False).first()
        if user is not None and limit.send:
            # Only the address signed up in this browser gets the held invitation: anyone else's
            # unconfirmed account must not be joined to a family by someone else's link.
            invitation = _held_pending(request)
            same = request.session.get("signed_up_email") == email
            services.email_confirmation_send(
                user, invitation=str(invitation.public_id) if invitation and same else ""
            )
    # Same answer whether or not the address has an account, so this cannot probe for accounts.
    messages.info(
        request, _("If that address has an unconfirmed account, a new link is on its way.")
    )
    return redirect("accounts:login")


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = forms.LoginForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    unconfirmed_email = ""
    wait = 0
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        address = client_address(request)
        try_ = throttle.attempt(email, address)
        if wait := try_.wait:
            security_log.warning("login throttled ip=%s", address)
            form.add_error(
                None,
                _(
                    "Too many failed attempts from this device. "
                    "Wait 15 minutes, or reset your password."
                ),
            )
        else:
            authenticated = authenticate(
                request, email=email, password=form.cleaned_data["password"]
            )
            if authenticated is None:
                security_log.warning("login failed ip=%s", address)
                services.sign_in_failed(
                    email=email,
                    outcome=SignInEvent.WRONG_PASSWORD,
                    ip_address=address or None,
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                )
                form.add_error(None, _("The email address or password is not right."))
            elif not authenticated.email_verified:
                throttle.not_a_failure(try_)
                unconfirmed_email = email
                form.add_error(
                    None, _("Confirm your email address first: open the link we emailed you.")
                )
            else:
                throttle.succeeded(try_)
                if services.has_two_factor(authenticated):
                    request.session[PENDING_2FA] = {
                        "user": str(authenticated.public_id),
                        "at": time.time(),
                    }
                    return redirect(
                        reverse("accounts:login_code")
                        + "?"
                        + urlencode({"next": _next_url(request)})
                    )
                login(request, authenticated, backend=settings.AUTHENTICATION_BACKENDS[0])
                return redirect(_next_url(request))
    response = render(
        request,
        "accounts/login.html",
        {"form": form, "next": request.GET.get("next", ""), "unconfirmed_email": unconfirmed_email},
    )
    return ratelimit.refuse(response, wait) if wait else response


def login_code(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING_2FA)
    if not pending or time.time() - pending["at"] > PENDING_2FA_SECONDS:
        request.session.pop(PENDING_2FA, None)
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:login")
    user = User.objects.get(public_id=pending["user"])
    form = forms.CodeForm(request.POST or None)
    wait = 0
    if request.method == "POST" and form.is_valid():
        address = client_address(request)
        try_ = throttle.attempt(user.email, address)
        if wait := try_.wait:
            form.add_error(None, _("Too many failed attempts from this device. Wait 15 minutes."))
        else:
            device = services.two_factor_verify(user=user, code=form.cleaned_data["code"])
            if device is None:
                services.sign_in_event_record(
                    user=user,
                    outcome=SignInEvent.WRONG_CODE,
                    ip_address=address or None,
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                )
                form.add_error("code", _("That code is not right."))
            else:
                throttle.succeeded(try_)
                del request.session[PENDING_2FA]
                login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
                otp_login(request, device)
                request.session[REAUTH_AT] = time.time()
                return redirect(_next_url(request))
    response = render(
        request, "accounts/login_code.html", {"form": form, "next": request.GET.get("next", "")}
    )
    return ratelimit.refuse(response, wait) if wait else response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You are signed out."))
    return redirect("accounts:login")


# Account settings ------------------------------------------------------------------------------


def has_recent_auth(request: HttpRequest) -> bool:
    return bool(time.time() - request.session.get(REAUTH_AT, 0) <= settings.REAUTH_SECONDS)


def recent_auth_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Changing the email address or two-factor needs the password again (and the code, if on),
    so a borrowed or stolen session cannot take the account over."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not has_recent_auth(request):
            return redirect(
                reverse("accounts:reauth") + "?" + urlencode({"next": request.get_full_path()})
            )
        return view(request, *args, **kwargs)

    return login_required(wrapper)


@login_required
def reauth(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    needs_code = services.has_two_factor(user)
    form = forms.ReauthForm(request.POST or None)
    wait = 0
    if request.method == "POST" and form.is_valid():
        address = client_address(request)
        try_ = throttle.attempt(user.email, address)
        if wait := try_.wait:
            form.add_error(None, _("Too many failed attempts from this device. Wait 15 minutes."))
        elif not user.check_password(form.cleaned_data["password"]):
            form.add_error("password", _("That password is not right."))
        elif (
            needs_code
            and services.two_factor_verify(user=user, code=form.cleaned_data["code"]) is None
        ):
            form.add_error("code", _("That code is not right."))
        else:
            throttle.succeeded(try_)
            request.session[REAUTH_AT] = time.time()
            return redirect(_next_url(request, "accounts:profile"))
    response = render(
        request,
        "accounts/reauth.html",
        {"form": form, "needs_code": needs_code, "next": request.GET.get("next", "")},
    )
    return ratelimit.refuse(response, wait) if wait else response


@login_required
def profile(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = forms.ProfileForm(
        request.POST or None,
        initial={
            "display_name": user.display_name,
            "timezone": user.timezone,
            "language": user.language,
            "notify_new_sign_in": user.notify_new_sign_in,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(
                user=user,
                display_name=form.cleaned_data["display_name"],
                timezone_name=form.cleaned_data["timezone"],
                notify_new_sign_in=form.cleaned_data["notify_new_sign_in"],
                language=form.cleaned_data["language"],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            # The confirmation is read in the language just chosen.
            translation.activate(user.language)
            messages.success(request, _("Your settings are saved."))
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "two_factor": services.has_two_factor(user), "section": "profile"},
    )


@login_required
def password_change(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = forms.PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
                keep_session_key=request.session.session_key,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, user)
            messages.success(
                request, _("Your password is changed. Every other session was signed out.")
            )
            return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form, "section": "password"})


@recent_auth_required
def email_change(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = forms.EmailChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        limit = throttle.account_email_check(email, client_address(request))
        if limit.wait:
            return too_many(request, limit.wait)
        try:
            services.email_change_request(user=user, new_email=email, send=limit.send)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("We sent a link to %(email)s. Open it to finish the change.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("accounts:profile")
    return render(request, "accounts/email_change.html", {"form": form, "section": "profile"})


@recent_auth_required
def contact_email(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = forms.ContactEmailForm(
        request.POST or None, initial={"contact_email": user.contact_email}
    )
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["contact_email"]
        limit = throttle.account_email_check(email or user.email, client_address(request))
        if limit.wait:
            return too_many(request, limit.wait)
        services.contact_email_set(user=user, contact_email=email, send=limit.send)
        user.refresh_from_db()
        if user.contact_email and not user.contact_email_confirmed:
            messages.success(
                request,
                _("We sent a link to %(email)s. Notifications go there once you open it.")
                % {"email": user.contact_email},
            )
        else:
            messages.success(
                request, _("Notifications go to %(email)s.") % {"email": user.notification_email}
            )
        return redirect("accounts:profile")
    return render(request, "accounts/contact_email.html", {"form": form, "section": "profile"})


@login_required
def confirm_contact_email(request: AuthenticatedRequest, token: str) -> HttpResponse:
    try:
        user = services.contact_email_confirm(user=request.user, token=token)
    except ServiceError as error:
        return render(
            request, "accounts/confirm_failed.html", {"message": error.message}, status=400
        )
    messages.success(
        request, _("Notifications now go to %(email)s.") % {"email": user.contact_email}
    )
    return redirect("accounts:profile")


@login_required
def sign_in_history(request: AuthenticatedRequest) -> HttpResponse:
    events = SignInEvent.objects.filter(user=request.user).order_by("-at")[:SIGN_IN_HISTORY_SHOWN]
    return render(
        request,
        "accounts/sign_in_history.html",
        {"events": events, "shown": SIGN_IN_HISTORY_SHOWN, "section": "sign_ins"},
    )


@login_required
def confirm_email_change(request: AuthenticatedRequest, token: str) -> HttpResponse:
    try:
        services.email_change_confirm(user=request.user, token=token)
    except ServiceError as error:
        return render(
            request, "accounts/confirm_failed.html", {"message": error.message}, status=400
        )
    messages.success(request, _("Your email address is changed."))
    return redirect("accounts:profile")


@recent_auth_required
def two_factor(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    enabled = services.has_two_factor(user)
    context: dict[str, Any] = {"enabled": enabled, "section": "two_factor"}
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "start":
            device = services.totp_setup_start(user=user)
            context["pending"] = device
        elif action == "confirm":
            form = forms.CodeForm(request.POST)
            device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
            if form.is_valid():
                try:
                    context["codes"] = services.totp_setup_confirm(
                        user=user, code=form.cleaned_data["code"]
                    )
                    context["enabled"] = True
                    messages.success(request, _("Two-factor sign-in is on."))
                    return _render_two_factor(request, user, context)
                except ServiceError as error:
                    add_service_error(form, error)
            context.update(pending=device, form=form)
        elif action == "codes" and enabled:
            context["codes"] = services.recovery_codes_regenerate(user=user)
            messages.success(
                request, _("New recovery codes are ready; the old ones no longer work.")
            )
            return _render_two_factor(request, user, context)
        elif action == "disable" and enabled:
            services.two_factor_disable(user=user)
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("accounts:two_factor")
    pending = context.get("pending")
    if pending is not None:
        context["secret_b32"] = _b32(pending.bin_key)
        context["qr_svg"] = segno.make(pending.config_url, error="m").svg_inline(
            scale=5, dark="#1d2b36"
        )
        context.setdefault("form", forms.CodeForm())
    return _render_two_factor(request, user, context)


def _render_two_factor(request: HttpRequest, user: User, context: dict[str, Any]) -> HttpResponse:
    if context["enabled"]:
        context["codes_left"] = StaticToken.objects.filter(device__user=user).count()
    return render(request, "accounts/two_factor.html", context)


def _b32(key: bytes) -> str:
    import base64

    text = base64.b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@login_required
def sessions(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        if request.POST.get("action") == "others":
            ended = services.sessions_end_others(
                user=user, keep_session_key=request.session.session_key
            )
            messages.success(request, _("Signed out %(n)d other session(s).") % {"n": ended})
        else:
            target = request.POST.get("session", "")
            try:
                current = UserSession.objects.filter(
                    user=user,
                    session_key=request.session.session_key,
                    public_id=services.parse_uuid(target),
                ).exists()
                services.session_end(user=user, session_public_id=target)
            except ServiceError:
                messages.error(request, _("That session has already ended."))
            else:
                if current:
                    logout(request)
                    return redirect("accounts:login")
                messages.success(request, _("That session is signed out."))
        return redirect("accounts:sessions")
    return render(
        request,
        "accounts/sessions.html",
        {
            "sessions": UserSession.objects.filter(user=user),
            "current_key": request.session.session_key,
            "section": "sessions",
        },
    )


@login_required
def tokens(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = (
        forms.TokenCreateForm(request.POST or None)
        if request.POST.get("action") != "revoke"
        else forms.TokenCreateForm()
    )
    new_secret = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            try:
                services.api_token_revoke(user=user, token_public_id=request.POST.get("token", ""))
                messages.success(request, _("The token is revoked."))
            except ServiceError:
                messages.error(request, _("That token does not exist or was already revoked."))
            return redirect("accounts:tokens")
        if not has_recent_auth(request):
            return redirect(reverse("accounts:reauth") + "?" + urlencode({"next": request.path}))
        if form.is_valid():
            try:
                _token, new_secret = services.api_token_create(
                    user=user, name=form.cleaned_data["name"], scope=form.cleaned_data["scope"]
                )
                form = forms.TokenCreateForm()
            except ServiceError as error:
                add_service_error(form, error)
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "tokens": user.api_tokens.all(),
            "new_secret": new_secret,
            "section": "tokens",
        },
    )


@login_required
def data_export(request: AuthenticatedRequest) -> HttpResponse:
    """Right of access: ask for a copy of everything coparent holds about you; the worker makes
    it and this page shows its progress (refreshing itself while one is being made)."""
    user = request.user
    if request.method == "POST":
        try:
            exports.data_export_request(user=user)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Your copy is being made. This page shows when it is ready.")
            )
        return redirect("accounts:data_export")
    found = list(DataExport.objects.filter(user=user)[:10])
    return render(
        request,
        "accounts/data_export.html",
        {
            "exports": found,
            "working": any(e.status in (DataExport.QUEUED, DataExport.RUNNING) for e in found),
            "keep_days": settings.DATA_EXPORT_KEEP_DAYS,
            "section": "data",
        },
    )


@login_required
def data_export_download(
    request: AuthenticatedRequest, export_id: str
) -> HttpResponse | FileResponse:
    """Only its owner: anyone else (and an expired copy) gets 404."""
    try:
        public_id = services.parse_uuid(export_id)
    except ServiceError:
        raise Http404 from None
    export = DataExport.objects.filter(user=request.user, public_id=public_id).first()
    path = exports.data_export_file(export) if export else None
    if path is None:
        raise Http404
    security_log.info("data export downloaded user=%s", request.user.public_id)
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"coparent-data-{export.created_at:%Y-%m-%d}.zip",  # type: ignore[union-attr]
        content_type="application/zip",
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def account_delete(request: AuthenticatedRequest) -> HttpResponse:
    """Says what stays and what goes before the person confirms with their password (and a
    two-factor code when two-factor is on)."""
    user = request.user
    needs_code = services.has_two_factor(user)
    form = forms.AccountDeleteForm(request.POST or None)
    wait = 0
    if request.method == "POST" and form.is_valid():
        try_ = throttle.attempt(user.email, client_address(request))
        if wait := try_.wait:
            form.add_error(None, _("Too many failed attempts from this device. Wait 15 minutes."))
        else:
            try:
                deletion.account_delete(
                    user=user,
                    password=form.cleaned_data["password"],
                    code=form.cleaned_data["code"] or "",
                )
            except ServiceError as error:
                add_service_error(form, error)
            else:
                throttle.succeeded(try_)
                logout(request)
                messages.success(request, _("Your account is deleted. Goodbye, and take care."))
                return redirect("home")
    memberships = family_selectors.family_list_for_user(user)
    response = render(
        request,
        "accounts/delete.html",
        {
            "form": form,
            "needs_code": needs_code,
            "memberships": memberships,
            "delete_days": settings.FAMILY_DELETE_DAYS,
            "section": "delete",
        },
    )
    return ratelimit.refuse(response, wait) if wait else response
