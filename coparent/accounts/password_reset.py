"""Password reset through Django's token views, ending every session once the password changes.

The reset never signs the user in: they sign in afterwards, so two-factor still applies.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from coparent.accounts import services


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
