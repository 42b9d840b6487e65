"""Keep the user's list of signed-in browsers in step with Django's sign-in and sign-out."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from coparent.accounts import services
from coparent.accounts.models import User


def client_address(request: HttpRequest) -> str:
    """The client's address, for throttling and the sessions list. Behind N trusted proxies
    (TRUSTED_PROXY_COUNT) it is the Nth address from the right of X-Forwarded-For: the one the
    outermost trusted proxy saw. Without that setting every client would share the proxy's
    address, and one attacker's failures would throttle everybody."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return str(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"  # noqa: S104


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
