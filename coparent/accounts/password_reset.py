"""Password reset through Django's token views, ending every session once the password changes.

The reset never signs the user in: they sign in afterwards, so two-factor still applies. The
link comes from SITE_URL (never the request's Host header), and requests are limited per client
and per email address.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _

from coparent.accounts import services, throttle
from coparent.accounts.views import too_many
from coparent.core.emails import send_templated_email
from coparent.core.http import absolute_url, client_address


class PasswordResetForm(auth_forms.PasswordResetForm):
    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        link = absolute_url(
            reverse(
                "accounts:password_reset_confirm",
                kwargs={"uidb64": context["uid"], "token": context["token"]},
            )
        )
        send_templated_email(
            to_email,
            "password_reset",
            {"user": context["user"], "link": link},
            language=context["user"].language,
        )


class PasswordReset(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = PasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        limit = throttle.account_email_check(
            form.cleaned_data["email"], client_address(self.request)
        )
        if limit.wait:
            return too_many(self.request, limit.wait)
        if not limit.send:  # the usual "sent" page: see throttle.account_email_check
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:login")
    post_reset_login = False

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.sessions_end_others(user=form.user, keep_session_key=None)
        services.api_tokens_revoke_all(user=form.user)
        messages.success(self.request, _("Your password is changed. Sign in with the new one."))
        return response
