"""The invitation a browser opened, kept in its session while the person signs up or signs in,
so the link they came with is not lost on the way (sign-up, confirmation, sign-in)."""

from __future__ import annotations

from django.http import HttpRequest

from coparent.families import services
from coparent.families.models import Invitation

SESSION_KEY = "held_invitation"
DISMISSED_KEY = "dismissed_invitations"


def hold(request: HttpRequest, invitation: Invitation) -> None:
    request.session[SESSION_KEY] = str(invitation.public_id)


def held_id(request: HttpRequest) -> str:
    value = request.session.get(SESSION_KEY, "")
    return value if isinstance(value, str) else ""


def held(request: HttpRequest) -> Invitation | None:
    """The held invitation, whatever its status now (the caller says why it no longer works)."""
    public_id = held_id(request)
    return services.invitation_held(public_id) if public_id else None


def dismissed(request: HttpRequest) -> list[str]:
    value = request.session.get(DISMISSED_KEY, [])
    return value if isinstance(value, list) else []


def dismiss(request: HttpRequest, invitation: Invitation | None) -> None:
    """Not for me: the invitation stops standing in for the family list in this browser."""
    if invitation is None:
        return
    request.session[DISMISSED_KEY] = [*dismissed(request), str(invitation.public_id)][-20:]
    if held_id(request) == str(invitation.public_id):
        release(request)


def release(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
