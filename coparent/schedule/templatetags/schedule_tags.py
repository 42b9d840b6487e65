"""Template tags for pages outside the schedule app (the family home's "right now" card)."""

from __future__ import annotations

from typing import Any

from django import template

from coparent.schedule import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def schedule_now(context: dict[str, Any]) -> list[selectors.NowLine]:
    request = context["request"]
    return selectors.right_now(request.family, request.membership)
