"""Template tags for pages outside the schedule app (the family home's "right now" card)."""

from __future__ import annotations

from typing import Any

from django import template

from coparent.core import fragments
from coparent.schedule import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def schedule_now(context: dict[str, Any]) -> list[selectors.NowLine]:
    request = context["request"]
    lines = selectors.right_now(request.family, request.membership)
    for line in lines:  # the children change hands then: a kept page is drawn again
        fragments.changes_at(line.until)
    return lines
