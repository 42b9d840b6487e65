"""Plain-text emails rendered from templates and sent by the worker. Never put message bodies or
addresses of one parent into an email to anyone else."""

from __future__ import annotations

from contextlib import nullcontext
from functools import cache, partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.template.backends.django import DjangoTemplates
from django.utils import translation


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


def render_text(
    template: str, context: dict[str, Any], language: str | None = None
) -> tuple[str, str]:
    """Render `emails/<template>.txt`: the first line is the subject, the rest the body. In
    `language` (the recipient's), else in the language active now (an email to an address with
    no account yet, such as an invitation, goes out in its sender's language)."""
    with translation.override(language) if language else nullcontext():
        text = (
            text_engine()
            .get_template(f"emails/{template}.txt")
            .render({"site_url": settings.SITE_URL, **context})
        )
    subject, _, body = text.strip().partition("\n")
    # A subject is one line whatever a name in it holds (mail headers cannot carry a newline).
    return " ".join(subject.split()), body.strip() + "\n"


def send_templated_email(
    to: str, template: str, context: dict[str, Any], *, language: str | None = None
) -> None:
    """Queue an email for the worker, once the write it announces has committed (a rolled-back
    write announces nothing). It is rendered now, while the context's objects are at hand, and
    sent by `email_send_task`: a mail server that is slow or down never holds up or fails a
    request, and the worker retries it later."""
    subject, body = render_text(template, context, language)
    transaction.on_commit(
        partial(email_send_task.enqueue, to=to, subject=subject, body=body, template=template)
    )


@task()
def email_send_task(to: str, subject: str, body: str, template: str = "") -> None:
    """Send one rendered email. A refusal or an unreachable server (SMTPException, OSError,
    EMAIL_TIMEOUT) raises, so the worker retries it with backoff; `template` names the email in
    `coparent tasks list` without showing the address or the text."""
    send_mail(subject, body, None, [to])


def send_templated_email_now(
    to: str, template: str, context: dict[str, Any], *, language: str | None = None
) -> None:
    """Render and send at once, raising on failure: for a task that is itself retried (a
    notification's delivery, which must not count as sent until the mail server took it)."""
    subject, body = render_text(template, context, language)
    email_send_task.call(to=to, subject=subject, body=body, template=template)
