"""Plain-text emails rendered from templates. Never put message bodies or addresses of one
parent into an email to anyone else."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def send_templated_email(to: str, template: str, context: dict[str, Any]) -> None:
    """Render `emails/<template>.txt`: the first line is the subject, the rest the body."""
    text = render_to_string(f"emails/{template}.txt", {"site_url": settings.SITE_URL, **context})
    subject, _, body = text.strip().partition("\n")
    send_mail(subject.strip(), body.strip() + "\n", None, [to])
