"""Plain-text emails rendered from templates. Never put message bodies or addresses of one
parent into an email to anyone else."""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

logger = logging.getLogger("coparent.email")


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def send_templated_email(to: str, template: str, context: dict[str, Any]) -> None:
    """Render `emails/<template>.txt`: the first line is the subject, the rest the body.

    Emails go out after the write they announce has committed; a mail server that is down must
    not turn that into an error page (the person would retry, and a message would be on the
    family record twice). The failure is logged, without the address or the text."""
    text = render_to_string(f"emails/{template}.txt", {"site_url": settings.SITE_URL, **context})
    subject, _, body = text.strip().partition("\n")
    try:
        send_mail(subject.strip(), body.strip() + "\n", None, [to])
    except (OSError, smtplib.SMTPException):
        logger.warning("email %s not sent: the mail server refused or was unreachable", template)
