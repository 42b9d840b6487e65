"""`{{ payload|provision_lines:subject.kind }}`: a provision's terms in words, for the decisions
app's pages (the plan's subjects register plan/_payload.html)."""

from __future__ import annotations

from typing import Any

from django import template

from coparent.plan.describe import Lines, describe
from coparent.plan.provisions import KINDS, ProvisionError, parse
from coparent.plan.subjects import member_names

register = template.Library()


@register.filter
def provision_lines(payload: Any, subject_kind: str) -> Lines:
    kind = str(subject_kind).removeprefix("plan.")
    if kind not in KINDS:
        return []
    try:
        provision = parse(kind, payload)
    except ProvisionError:
        return []
    return describe(provision, member_names(provision.member_ids()))
