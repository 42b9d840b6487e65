"""Plain-text emails rendered from templates. Never put message bodies or addresses of one
parent into an email to anyone else."""

from __future__ import annotations

import logging
import smtplib
from functools import cache
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.backends.django import DjangoTemplates

logger = logging.getLogger("coparent.email")


@cache
def text_engine() -> DjangoTemplates:
    """The engine for emails/*.txt. Plain text is not HTML: escaping would turn "O'Neil & Co"
    into "O&#x27;Neil &amp; Co". Autoescape is off for the whole engine, not per template, so a
    new email cannot forget it; an HTML part, if one is ever added, goes through the default
    engine and is escaped as every page is."""
    return DjangoTemplates(
        {
            "NAME": "text-email",
            "DIRS": [settings.BASE_DIR / "templates"],
            "APP_DIRS": False,
            "OPTIONS": {"autoescape": False},
        }
    )


def render_text(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """Render `emails/<template>.txt`: the first line is the subject, the rest the body."""
    text = (
        text_engine()
        .get_template(f"emails/{template}.txt")
        .render({"site_url": settings.SITE_URL, **context})
    )
    subject, _, body = text.strip().partition("\n")
    # A subject is one line whatever a name in it holds (mail headers cannot carry a newline).
    return " ".join(subject.split()), body.strip() + "\n"


def send_templated_email(
    to: str, template: str, context: dict[str, Any], *, raise_errors: bool = False
) -> None:
    """Emails go out after the write they announce has committed; a mail server that is down must
    not turn that into an error page (the person would retry, and a message would be on the
    family record twice). The failure is logged, without the address or the text. A background
    task passes `raise_errors` instead, so that it fails and is retried."""
    subject, body = render_text(template, context)
    try:
        send_mail(subject, body, None, [to])
    except (OSError, smtplib.SMTPException):
        logger.warning("email %s not sent: the mail server refused or was unreachable", template)
        if raise_errors:
            raise
