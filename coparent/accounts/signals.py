"""Keep the user's list of signed-in browsers in step with Django's sign-in and sign-out."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from coparent.accounts import services
from coparent.accounts.models import User
from coparent.core.http import client_address


@receiver(user_logged_in)
def _on_login(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    services.session_record(
        user=user,
        session_key=request.session.session_key or "",
        ip_address=client_address(request) or None,
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )


@receiver(user_logged_out)
def _on_logout(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        services.session_forget(request.session.session_key)
