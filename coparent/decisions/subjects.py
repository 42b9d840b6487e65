"""What a decision can be about. "decision" is a plain decision (title, details, options); other
apps register subjects whose proposals carry structured terms (the parenting plan's provisions),
and reuse the whole proposal, answer, expiry and agreement flow.

A subject's `clean` takes the payload as received (JSON-like) and returns it cleaned, or raises
`ServiceError(message, field="payload")`; it is called inside the proposing transaction. Its
`summary` turns a cleaned payload into one line of text for pages, emails and exports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coparent.core.errors import ServiceError

Payload = dict[str, Any]


@dataclass(frozen=True)
class Subject:
    kind: str
    label: str | Promise
    clean: Callable[[Payload], Payload]
    summary: Callable[[Payload], str] = lambda payload: ""
    # A template (path) that renders `payload` on the decision and agreement pages; optional.
    template: str = ""


_SUBJECTS: dict[str, Subject] = {}


def register_subject(subject: Subject) -> Subject:
    """Register a subject kind once (at app ready). Re-registering the same kind replaces it."""
    _SUBJECTS[subject.kind] = subject
    return subject


def subject_for(kind: str) -> Subject:
    try:
        return _SUBJECTS[kind]
    except KeyError:
        raise ServiceError(_("Unknown kind of decision."), field="subject") from None


def subjects() -> list[Subject]:
    return list(_SUBJECTS.values())


def _plain(payload: Payload) -> Payload:
    if payload:
        raise ServiceError(_("A plain decision carries no structured terms."), field="payload")
    return {}


DECISION = register_subject(Subject(kind="decision", label=gettext_lazy("Decision"), clean=_plain))
