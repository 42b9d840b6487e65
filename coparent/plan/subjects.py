"""The plan's provisions as subjects of the decisions app: each kind is agreed with the same
proposal, answer, expiry and agreement flow as a decision, its terms in the payload."""

from __future__ import annotations

from typing import Any

from coparent.core.errors import ServiceError
from coparent.decisions.subjects import Subject, register_subject
from coparent.families.models import Membership
from coparent.plan.describe import summary
from coparent.plan.provisions import KINDS, ProvisionError, dump, parse
from coparent.plan.selectors import subject_of


def _cleaner(kind: str) -> Any:
    def clean(payload: dict[str, Any]) -> dict[str, Any]:
        try:
            return dump(parse(kind, payload))
        except ProvisionError as error:
            raise ServiceError(str(error), field="payload") from None

    return clean


def _summarizer(kind: str) -> Any:
    def summarize(payload: dict[str, Any]) -> str:
        try:
            provision = parse(kind, payload)
        except ProvisionError:
            return ""
        names = member_names(provision.member_ids())
        return summary(provision, names)

    return summarize


def member_names(ids: list[str]) -> dict[str, str]:
    """Member id -> name for the parents a provision names (no query when it names none)."""
    if not ids:
        return {}
    return {
        str(public_id): name
        for public_id, name in Membership.objects.filter(public_id__in=ids).values_list(
            "public_id", "user__display_name"
        )
    }


def register() -> None:
    for kind, schema in KINDS.items():
        register_subject(
            Subject(
                kind=subject_of(kind),
                label=schema.title,
                clean=_cleaner(kind),
                summary=_summarizer(kind),
                template="plan/_payload.html",
            )
        )
